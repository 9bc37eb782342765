// The cards' own chart renderer: each mark of the Vega-Lite subset draws one SVG shape per datum
// (or a line per series) inside axes that cover the data, and specs outside the subset are refused.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { niceTicks, timeTicks } from "./chart-scales.js";
import type { ChartSpec } from "./chart-spec.js";
import { renderChartSvg } from "./chart-svg.js";
import { chart } from "./components.js";
import { renderComponent } from "./render-html.js";

const values = [
  { k: "a", v: 3, s: "x" },
  { k: "b", v: 45, s: "x" },
  { k: "a", v: 2, s: "y" },
];
const spec = (over: Partial<ChartSpec>): ChartSpec => ({
  mark: "bar",
  data: { values },
  encoding: { x: { field: "k", type: "nominal" }, y: { field: "v", type: "quantitative" } },
  ...over,
});
const count = (svg: string, pattern: RegExp) => [...svg.matchAll(pattern)].length;

describe("chart SVG", () => {
  test("bars: one per datum, stacked by color, with a legend and an axis that reaches the tallest stack", () => {
    const svg = renderChartSvg(
      spec({ encoding: { ...spec({}).encoding, color: { field: "s", type: "nominal" } }, title: "T <1>" }),
    );
    assert.equal(count(svg, /class="mark-bar"/g), 3);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, />T &lt;1&gt;</, "the title is escaped");
    const labels = [...svg.matchAll(/dominant-baseline="middle"[^>]*>([^<]+)</g)].map((m) => Number(m[1]));
    assert.ok(Math.max(...labels) >= 45, `y ticks ${labels} reach 45`);
    assert.match(svg, />x<\/text>.*>y<\/text>/, "a legend names both series");
    assert.doesNotMatch(svg, /<script|\son\w+=/i);
  });

  test("lines: one path per series through every point; points: one circle per datum", () => {
    const line = renderChartSvg(
      spec({
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "t", type: "temporal" },
          y: { field: "v", type: "quantitative" },
          color: { field: "s", type: "nominal" },
        },
        data: {
          values: [
            { t: "2024-01-01", v: 1, s: "a" },
            { t: "2024-01-02", v: 2, s: "a" },
            { t: "2024-01-01", v: 3, s: "b" },
          ],
        },
      }),
    );
    assert.equal(count(line, /class="mark-line"/g), 2);
    assert.equal(count(line, /class="mark-point"/g), 3);
    assert.match(
      line,
      />06:00<.*>12:00<.*>01-02</,
      "a temporal axis ticks round hours over a day, dates at midnight",
    );
    const point = renderChartSvg(
      spec({
        mark: "point",
        encoding: { x: { field: "v", type: "quantitative" }, y: { field: "v", type: "quantitative" } },
      }),
    );
    assert.equal(count(point, /class="mark-point"/g), 3);
  });

  test("specs outside the subset are refused when the step builds them", () => {
    const refused = (s: unknown, what: RegExp) =>
      assert.throws(
        () => chart(s as ChartSpec),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, "FS_CARD_BAD_COMPONENT");
          assert.match(e.message, what);
          return true;
        },
      );
    refused(spec({ mark: "area" as never }), /mark must be bar, line, point/);
    refused({ ...spec({}), data: { url: "https://x" } }, /inline data only/);
    refused({ ...spec({}), transform: [] }, /top-level transform is not drawn/);
    refused(
      spec({ encoding: { x: { field: "k", type: "nominal" }, y: { field: "v", type: "ordinal" } } }),
      /bar chart needs/,
    );
    refused(
      spec({ encoding: { x: { field: "k", type: "nominal" }, size: {} } as never }),
      /other than x, y and color/,
    );
  });
});

describe("chart SVG with extreme values", () => {
  // These once looped forever (a tick range ending at Infinity, a step below the float spacing).
  test("values whose axis cannot be drawn give the card's note instead of hanging", () => {
    const huge = chart({
      mark: "point",
      data: { values: [{ x: 1, y: 1.7e308 }] },
      encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
    });
    assert.match(renderComponent(huge), /This chart could not be drawn: its values are too large/);
    const far = chart({
      mark: "point",
      data: {
        values: [
          { t: 1e19, y: 1 },
          { t: 1e19 + 2048, y: 2 },
        ],
      },
      encoding: { x: { field: "t", type: "temporal" }, y: { field: "y", type: "quantitative" } },
    });
    assert.match(renderComponent(far), /This chart could not be drawn: its times are outside/);
  });

  test("tick loops are bounded even when called directly", () => {
    assert.throws(() => niceTicks(0, 1.7e308), /too large/);
    assert.ok(timeTicks(1e19, 1e19 + 2048).values.length <= 1000);
    assert.ok(niceTicks(1e300, 1e300 * (1 + 1e-15)).values.length <= 1000);
  });
});
