/** Wall-clock times in a schedule's time zone (zoned-time.ts) around daylight-saving changes and in early years. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatInZone, inDaylightSavingGap, parseZonedTime } from "./zoned-time.js";

describe("zoned times", () => {
  test("a time the spring-forward change skips is reported as in the gap", () => {
    assert.equal(inDaylightSavingGap("2026-03-29T02:30", "Europe/Berlin"), true);
    assert.equal(inDaylightSavingGap("2026-03-29T03:00", "Europe/Berlin"), false);
    assert.equal(inDaylightSavingGap("2026-03-29T02:30Z", "Europe/Berlin"), false);
    assert.equal(
      parseZonedTime("2026-03-29T02:30", "Europe/Berlin")?.toISOString(),
      "2026-03-29T01:30:00.000Z",
    );
  });

  test("years 0 to 99 are those years, not 1900 to 1999", () => {
    assert.equal(parseZonedTime("0050-01-01", "UTC")?.toISOString(), "0050-01-01T00:00:00.000Z");
    const berlin = parseZonedTime("0050-01-01T12:00", "Europe/Berlin")!;
    assert.equal(berlin.getUTCFullYear(), 50);
    assert.equal(formatInZone(berlin, "Europe/Berlin").slice(0, 16), "0050-01-01T12:00");
  });

  test("year 0, which Intl calls 1 BC, is year 0", () => {
    assert.equal(parseZonedTime("0000-01-01", "UTC")?.getUTCFullYear(), 0);
    const berlin = parseZonedTime("0000-06-01T12:00", "Europe/Berlin")!;
    assert.equal(berlin.getUTCFullYear(), 0);
    assert.equal(formatInZone(berlin, "Europe/Berlin").slice(0, 16), "0000-06-01T12:00");
  });
});
