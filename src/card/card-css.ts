/**
 * The look of a card, scoped to `.fs-card` so it sits inside the UI's pages as well as in a card's
 * own HTML file (where it is inlined: no stylesheet is fetched).
 */
export const CARD_CSS = `
.fs-card { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; background: #fff;
  border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; margin: 0 0 16px; overflow-x: auto; }
.fs-card .fs-card-head { display: flex; gap: 12px; align-items: baseline; border-bottom: 1px solid #eee;
  margin: -4px 0 8px; padding-bottom: 6px; }
.fs-card .fs-card-head h2 { font-size: 16px; margin: 0; }
.fs-card .fs-card-head .fs-card-meta { color: #777; font-size: 12px; }
.fs-card .fs-component { margin: 10px 0; }
.fs-card h1, .fs-card h2, .fs-card h3, .fs-card h4 { margin: 12px 0 6px; line-height: 1.25; }
.fs-card h1 { font-size: 22px; } .fs-card h2 { font-size: 18px; } .fs-card h3 { font-size: 16px; }
.fs-card p { margin: 6px 0; }
.fs-card code { background: #f3f3f3; border-radius: 3px; padding: 0 3px; font-size: 90%; }
.fs-card pre { background: #f6f6f6; padding: 8px; border-radius: 4px; overflow-x: auto; }
.fs-card pre code { background: none; padding: 0; }
.fs-card blockquote { margin: 6px 0; padding-left: 10px; border-left: 3px solid #ccc; color: #555; }
.fs-card table { border-collapse: collapse; font-size: 13px; }
.fs-card th, .fs-card td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
.fs-card th { background: #f6f6f6; color: #222; font-size: 13px; font-weight: 600; text-transform: none; }
.fs-card td.fs-number { text-align: right; font-variant-numeric: tabular-nums; }
.fs-card .fs-align-right { text-align: right; } .fs-card .fs-align-center { text-align: center; }
.fs-card .fs-table-wrap { max-height: 480px; overflow: auto; }
.fs-card .fs-image img { max-width: 100%; height: auto; }
.fs-card .fs-chart { max-width: 100%; height: auto; }
.fs-card .fs-progress { display: flex; align-items: center; gap: 10px; }
.fs-card .fs-progress progress { width: 420px; max-width: 70%; height: 14px; accent-color: #4c78a8; }
.fs-card .fs-progress-text { color: #555; font-size: 12px; white-space: nowrap; }
.fs-card .fs-card-error { color: #a33; background: #fff4f4; border: 1px solid #f0caca; border-radius: 4px; padding: 6px 8px; }
.fs-card .fs-muted { color: #777; }
.fs-card .fs-card-failed { color: #a33; font-weight: 600; margin: 0 0 8px; }
`;
