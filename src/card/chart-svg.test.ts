// The cards' own chart renderer: each mark of the Vega-Lite subset draws one SVG shape per datum
// (or a line per series) inside axes that cover the data, and specs outside the subset are refused.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ChartSpec } from "./chart-spec.js";
import { renderChartSvg } from "./chart-svg.js";
import { niceTicks, timeTicks } from "./chart-ticks.js";
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
      spec({ encoding: { x: { field: "k", type: "nominal" }, tooltip: {} } as never }),
      /: encoding channel 'tooltip' is not drawn; a chart draws x, y and color\.$/,
    );
    refused(
      spec({ encoding: { ...spec({}).encoding, y: { field: "v", type: "quantitative", sort: null } } }),
      /encoding\.y\.sort must be "ascending" or "descending" on a quantitative field, got null/,
    );
    refused(
      spec({
        encoding: {
          ...spec({}).encoding,
          y: { field: "v", type: "quantitative", scale: { domain: [5, 1] } },
        },
      }),
      /encoding\.y\.scale\.domain of a quantitative field must be \[min, max\] with min < max/,
    );
  });

  test("a field no record has is refused at chart(), naming the field and the fields there are", () => {
    assert.throws(
      () =>
        chart(
          spec({
            encoding: { x: { field: "kind", type: "nominal" }, y: { field: "v", type: "quantitative" } },
          }),
        ),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, "FS_CARD_BAD_COMPONENT");
        assert.equal(
          e.message,
          "chart() encodes x as field 'kind', which no record of data.values has; their fields are 'k', 'v', 's'.",
        );
        return true;
      },
    );
    assert.doesNotThrow(() => chart(spec({ data: { values: [] } })), "no data, nothing to check");
  });

  test("scale.zero, scale.domain and sort adjust the axes; marks outside a domain are cut at the plot", () => {
    const labels = (svg: string, anchor: string) =>
      [...svg.matchAll(new RegExp(`text-anchor="${anchor}"[^>]*>([^<]+)<`, "g"))].map((m) => m[1]);
    const accuracy = [
      { epoch: 1, acc: 0.91 },
      { epoch: 2, acc: 0.95 },
    ];
    const line = (y: object) =>
      renderChartSvg({
        mark: "line",
        data: { values: accuracy },
        encoding: {
          x: { field: "epoch", type: "quantitative" },
          y: { field: "acc", type: "quantitative", ...y },
        },
      });
    assert.deepEqual(labels(line({}), "end").slice(0, 2), ["0.0", "0.2"], "from zero by default");
    const near = line({ scale: { zero: false } });
    assert.deepEqual(labels(near, "end"), ["0.91", "0.92", "0.93", "0.94", "0.95"]);
    assert.match(near, /<svg width="400" height="240" overflow="hidden">/);
    assert.deepEqual(labels(line({ scale: { domain: [0.9, 1] } }), "end"), [
      "0.90",
      "0.92",
      "0.94",
      "0.96",
      "0.98",
      "1.00",
    ]);
    const bars = (sort: unknown) =>
      labels(
        renderChartSvg(
          spec({
            encoding: {
              x: { field: "k", type: "nominal", sort: sort as never },
              y: { field: "v", type: "quantitative" },
            },
            data: {
              values: [
                { k: "cat", v: 1 },
                { k: "dog", v: 2 },
                { k: "bird", v: 3 },
              ],
            },
          }),
        ),
        "middle",
      ).slice(0, 3);
    assert.deepEqual(bars(undefined), ["bird", "cat", "dog"]);
    assert.deepEqual(bars("descending"), ["dog", "cat", "bird"]);
    assert.deepEqual(bars(null), ["cat", "dog", "bird"]);
    assert.deepEqual(bars(["dog"]), ["dog", "cat", "bird"]);
  });

  test("an axis labels its ticks in one format, and the last x label fits inside the chart", () => {
    const svg = renderChartSvg({
      mark: "point",
      data: {
        values: [
          { n: 0, m: 0 },
          { n: 20_000, m: 2_000_000 },
        ],
      },
      encoding: { x: { field: "n", type: "quantitative" }, y: { field: "m", type: "quantitative" } },
    });
    const yLabels = [...svg.matchAll(/text-anchor="end"[^>]*>([^<]+)</g)].map((m) => m[1]);
    assert.deepEqual(yLabels, ["0", "0.5M", "1.0M", "1.5M", "2.0M"], "not 500,000 beside 1M");
    const xLabels = [...svg.matchAll(/<text x="([\d.]+)" y="256" text-anchor="middle"[^>]*>([^<]+)</g)];
    assert.equal(xLabels.at(-1)?.[2], "20,000");
    const width = Number(/viewBox="0 0 (\d+) /.exec(svg)![1]);
    const left = Number(/<g transform="translate\((\d+) /.exec(svg)![1]);
    const last = xLabels.at(-1)!;
    assert.ok(
      left + Number(last[1]) + (last[2]!.length * 6.5) / 2 <= width,
      "the last x label is inside the viewBox",
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
