/**
 * Where a step sits in its flow, as a small SVG for the default card: the steps that lead to it,
 * the step itself (highlighted) and the steps it leads to, joined by arrows.
 */
import { escapeHtml } from "./escape.js";

const BOX = { width: 150, height: 30, gap: 10, column: 220 };

function boxes(names: readonly string[], x: number, height: number, strong: boolean): string[] {
  const top = (height - (names.length * (BOX.height + BOX.gap) - BOX.gap)) / 2;
  return names.map((name, i) => {
    const y = top + i * (BOX.height + BOX.gap);
    const label = name.length > 20 ? `${name.slice(0, 19)}…` : name;
    const [fill, stroke] = strong ? ["#4c78a8", "#2f5a8a"] : ["#f3f5f8", "#9aa7b8"];
    return `<rect x="${x}" y="${y}" width="${BOX.width}" height="${BOX.height}" rx="5" fill="${fill}" stroke="${stroke}"/><text x="${x + BOX.width / 2}" y="${y + 19}" text-anchor="middle" font-family="system-ui, sans-serif" font-size="12" fill="${strong ? "#fff" : "#333"}">${escapeHtml(label)}</text>`;
  });
}

function arrows(count: number, fromX: number, toX: number, height: number, fanIn: boolean): string[] {
  const top = (height - (count * (BOX.height + BOX.gap) - BOX.gap)) / 2;
  const middle = height / 2;
  return Array.from({ length: count }, (_, i) => {
    const y = top + i * (BOX.height + BOX.gap) + BOX.height / 2;
    const [y1, y2] = fanIn ? [y, middle] : [middle, y];
    return `<path d="M${fromX},${y1} C${fromX + 30},${y1} ${toX - 30},${y2} ${toX - 6},${y2}" fill="none" stroke="#888"/><path d="M${toX - 6},${y2 - 4} L${toX},${y2} L${toX - 6},${y2 + 4} z" fill="#888"/>`;
  });
}

/** The SVG markup of `step` between the steps before and after it (at most 8 of each are drawn). */
export function graphPlaceSvg(place: {
  before: readonly string[];
  step: string;
  after: readonly string[];
}): string {
  const cap = (names: readonly string[]) =>
    names.length > 8 ? [...names.slice(0, 7), `… ${names.length - 7} more`] : names;
  const before = cap(place.before);
  const after = cap(place.after);
  const rows = Math.max(before.length, after.length, 1);
  const height = rows * (BOX.height + BOX.gap) + BOX.gap;
  const columns = [before.length > 0, true, after.length > 0];
  const x = (column: number) => 10 + columns.slice(0, column).filter(Boolean).length * BOX.column;
  const width = x(3) - BOX.column + BOX.width + 10;
  const middle = x(1);
  const parts = [
    ...boxes(before, x(0), height, false),
    ...arrows(before.length, x(0) + BOX.width, middle, height, true),
    ...boxes([place.step], middle, height, true),
    ...arrows(after.length, middle + BOX.width, x(2), height, false),
    ...boxes(after, x(2), height, false),
  ];
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">${parts.join("")}</svg>`;
}
