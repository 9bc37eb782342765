import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { validateAwsCron } from "./aws-cron.js";
import { schedulePlan } from "./schedule-plan.js";

describe("AWS cron validation", () => {
  test("valid expressions pass", () => {
    for (const ok of [
      "0 10 * * ? *",
      "*/15 * * * ? *",
      "0 18 ? * MON-FRI *",
      "0 8 1 * ? *",
      "0 0 L * ? 2027",
      "0 9 ? * 2#1 *",
      "5,35 14 * JAN,JUN ? 2026-2030",
    ]) {
      assert.equal(validateAwsCron(ok), ok);
    }
  });

  const bad: [string, string][] = [
    [
      "0 10 * * *",
      "AWS cron has 6 fields (minutes hours day-of-month month day-of-week year), this has 5; add a year, e.g. '0 10 * * ? *'",
    ],
    [
      "0 10 * * ? * *",
      "AWS cron has 6 fields (minutes hours day-of-month month day-of-week year), this has 7",
    ],
    ["*/60 * * * ? *", "minutes step 60 is too large: minutes has only 60 values"],
    [
      "0 10 * * MON *",
      "set day-of-month or day-of-week, not both: put '?' in one of them (e.g. '0 10 * * ? *')",
    ],
    ["0 10 ? * ? *", "day-of-month and day-of-week cannot both be '?'"],
    ["0 10 * * ? 1969", "year value 1969 is out of range 1970-2199"],
    ["0 10 * * ? 2200", "year value 2200 is out of range 1970-2199"],
    ["60 10 * * ? *", "minutes value 60 is out of range 0-59"],
    ["0 24 * * ? *", "hours value 24 is out of range 0-23"],
    ["0 10 32 * ? *", "day-of-month value 32 is out of range 1-31"],
    ["0 10 * 13 ? *", "month value 13 is out of range 1-12"],
    ["0 10 ? * 8 *", "day-of-week value 8 is out of range 1-7"],
    ["0 10 ? * FUNDAY *", "day-of-week has 'FUNDAY', which is not a number or a name"],
    ["0 10 * * ? abc", "year has 'abc', which is not a number"],
    ["0 10-5 * * ? *", "hours range '10-5' goes backwards"],
    ["0 */0 * * ? *", "hours step '0' must be a whole number ≥ 1"],
    ["0 1,,2 * * ? *", "hours has an empty list item"],
    ["0 0 32W * ? *", "day-of-month value 32 is out of range 1-31"],
    ["0 0 0W * ? *", "day-of-month value 0 is out of range 1-31"],
  ];
  for (const [expression, message] of bad) {
    test(`'${expression}' is refused: ${message}`, () => {
      assert.throws(
        () => validateAwsCron(expression),
        (error: Error & { code?: string }) =>
          error.code === "FS_SCHEDULE_BAD_CRON" &&
          error.message === `Invalid cron expression '${expression}': ${message}.`,
      );
    });
  }
});

describe("schedule plans", () => {
  const after = new Date("2026-11-24T08:30:00Z"); // a Tuesday

  test("hourly fires at minute 0", () => {
    const plan = schedulePlan({ kind: "schedule", options: { hourly: true } });
    assert.equal(plan.expression, "cron(0 * * * ? *)");
    assert.deepEqual(plan.next(3, after), [
      "2026-11-24T09:00:00.000Z",
      "2026-11-24T10:00:00.000Z",
      "2026-11-24T11:00:00.000Z",
    ]);
  });

  test("daily at midnight, weekly on Sundays at midnight", () => {
    assert.deepEqual(schedulePlan({ kind: "schedule", options: { daily: true } }).next(1, after), [
      "2026-11-25T00:00:00.000Z",
    ]);
    assert.deepEqual(schedulePlan({ kind: "schedule", options: { weekly: true } }).next(2, after), [
      "2026-11-29T00:00:00.000Z",
      "2026-12-06T00:00:00.000Z",
    ]);
  });

  test("cron in a time zone fires at local time", () => {
    const plan = schedulePlan({
      kind: "schedule",
      options: { cron: "0 10 ? * MON-FRI *", timezone: "Europe/Berlin" },
    });
    assert.equal(plan.timezone, "Europe/Berlin");
    assert.deepEqual(plan.next(2, after), ["2026-11-24T09:00:00.000Z", "2026-11-25T09:00:00.000Z"]);
  });

  test("daylight-saving changes: a skipped time never fires, a repeated hour fires once", () => {
    const hourly = schedulePlan({ kind: "schedule", options: { hourly: true, timezone: "Europe/Berlin" } });
    // Berlin falls back at 03:00+02:00 on 2026-10-25: 02:00 fires once, at +02:00.
    const fallBack = hourly.between(new Date("2026-10-24T23:00:00Z"), new Date("2026-10-25T03:00:00Z"), 10);
    assert.deepEqual(
      fallBack.map((d) => d.toISOString()),
      ["2026-10-24T23:00:00.000Z", "2026-10-25T00:00:00.000Z", "2026-10-25T02:00:00.000Z"],
    );
    const nightly = schedulePlan({
      kind: "schedule",
      options: { cron: "30 2 * * ? *", timezone: "Europe/Berlin" },
    });
    // 02:30 does not happen on 2026-03-29 in Berlin (02:00 jumps to 03:00).
    assert.deepEqual(nightly.next(2, new Date("2026-03-28T12:00:00Z")), [
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
    ]);
    assert.deepEqual(nightly.next(1, new Date("2026-10-24T12:00:00Z")), ["2026-10-25T00:30:00.000Z"]);
  });

  test("weekends as a range past Saturday, and L alone, the week's last day, fire as AWS reads them", () => {
    const weekend = schedulePlan({ kind: "schedule", options: { cron: "0 9 ? * SAT-SUN *" } });
    assert.deepEqual(weekend.next(3, after), [
      "2026-11-28T09:00:00.000Z",
      "2026-11-29T09:00:00.000Z",
      "2026-12-05T09:00:00.000Z",
    ]);
    const everyOther = schedulePlan({ kind: "schedule", options: { cron: "0 9 ? * FRI-MON/2 *" } });
    assert.deepEqual(everyOther.next(2, after), ["2026-11-27T09:00:00.000Z", "2026-11-29T09:00:00.000Z"]);
    const saturdays = schedulePlan({ kind: "schedule", options: { cron: "0 9 ? * L *" } });
    assert.deepEqual(saturdays.next(1, after), ["2026-11-28T09:00:00.000Z"]);
    const nearestWeekday = schedulePlan({ kind: "schedule", options: { cron: "0 9 15W * ? *" } });
    assert.deepEqual(nearestWeekday.next(1, new Date("2026-11-01T00:00:00Z")), ["2026-11-16T09:00:00.000Z"]);
  });

  test("an unknown time zone is refused", () => {
    assert.throws(
      () => schedulePlan({ kind: "schedule", options: { daily: true, timezone: "Mars/Olympus" } }),
      /Invalid schedule time zone 'Mars\/Olympus'/,
    );
  });
});
