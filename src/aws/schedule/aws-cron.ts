/**
 * AWS's cron dialect, checked here before anything is deployed: AWS accepts some invalid
 * expressions and rejects others only at deploy time, with "Parameter ScheduleExpression is not
 * valid" and no hint of which field is wrong.
 *
 * Six fields: minutes hours day-of-month month day-of-week year. Exactly one of day-of-month and
 * day-of-week is `?`.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
 */
import { FlowshipError } from "../../errors.js";

export class CronError extends FlowshipError {}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Special characters allowed besides `, - * /`. */
  special: RegExp;
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: readonly FieldRule[] = [
  { name: "minutes", min: 0, max: 59, special: /^$/ },
  { name: "hours", min: 0, max: 23, special: /^$/ },
  { name: "day-of-month", min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: "month", min: 1, max: 12, names: MONTHS, special: /^$/ },
  {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: DAYS,
    special: /^(\?|L|[1-7]L|[A-Z]{3}L|[1-7]#[1-5]|[A-Z]{3}#[1-5])$/,
  },
  { name: "year", min: 1970, max: 2199, special: /^$/ },
];

function fail(expression: string, message: string): never {
  throw new CronError("FS_SCHEDULE_BAD_CRON", `Invalid cron expression '${expression}': ${message}.`);
}

function parseValue(expression: string, rule: FieldRule, text: string): number {
  const named = rule.names?.indexOf(text.toUpperCase());
  if (named !== undefined && named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) {
    return fail(
      expression,
      `${rule.name} has '${text}', which is not a number${rule.names ? " or a name" : ""}`,
    );
  }
  const value = Number(text);
  if (value < rule.min || value > rule.max) {
    fail(expression, `${rule.name} value ${value} is out of range ${rule.min}-${rule.max}`);
  }
  return value;
}

function checkField(expression: string, rule: FieldRule, field: string): void {
  if (rule.special.test(field.toUpperCase())) {
    // The number before '#' (weekday) or 'W' (day of the month) must be in the field's range.
    const number = /^(\w+)#/.exec(field) ?? /^(\d+)W$/i.exec(field);
    if (number) parseValue(expression, rule, number[1]!);
    return;
  }
  for (const part of field.split(",")) {
    if (part === "") fail(expression, `${rule.name} has an empty list item`);
    const [range, step, extra] = part.split("/");
    if (extra !== undefined) fail(expression, `${rule.name} has more than one '/' in '${part}'`);
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) < 1)
        fail(expression, `${rule.name} step '${step}' must be a whole number ≥ 1`);
      const span = rule.max - rule.min + 1;
      if (Number(step) >= span)
        fail(expression, `${rule.name} step ${step} is too large: ${rule.name} has only ${span} values`);
    }
    if (range === "*") continue;
    const [from, to, more] = range!.split("-");
    if (more !== undefined) fail(expression, `${rule.name} range '${range}' has more than one '-'`);
    const low = parseValue(expression, rule, from!);
    if (to !== undefined) {
      const high = parseValue(expression, rule, to);
      if (high < low && rule.name !== "day-of-week")
        fail(expression, `${rule.name} range '${range}' goes backwards`);
    }
  }
}

/** Validates an AWS cron expression (without the `cron(...)` wrapper); throws a CronError naming the field. */
export function validateAwsCron(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    fail(
      expression,
      `AWS cron has 6 fields (minutes hours day-of-month month day-of-week year), this has ${fields.length}${
        fields.length === 5 ? "; add a year, e.g. '0 10 * * ? *'" : ""
      }`,
    );
  }
  const [, , dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string, string];
  if (dayOfMonth === "?" && dayOfWeek === "?")
    fail(expression, "day-of-month and day-of-week cannot both be '?'");
  if (dayOfMonth !== "?" && dayOfWeek !== "?") {
    fail(
      expression,
      "set day-of-month or day-of-week, not both: put '?' in one of them (e.g. '0 10 * * ? *')",
    );
  }
  for (const [i, field] of fields.entries()) checkField(expression, FIELDS[i]!, field);
  return fields.join(" ");
}

/**
 * The day-of-week field as croner reads it: each range that wraps past Saturday (`SAT-SUN`,
 * `FRI-MON/2`) written out as its days (`7,1`), as croner takes only ranges that go forward, and
 * `L` alone (the week's last day) as 7, Saturday. AWS takes both as they are.
 */
export function cronerDayOfWeek(field: string): string {
  if (field.toUpperCase() === "L") return "7";
  const day = (text: string) => DAYS.indexOf(text.toUpperCase()) + 1 || Number(text);
  return field
    .split(",")
    .map((part) => {
      const range = /^([A-Za-z]{3}|\d)-([A-Za-z]{3}|\d)(?:\/(\d+))?$/.exec(part);
      if (!range) return part;
      const [from, to, step] = [day(range[1]!), day(range[2]!), Number(range[3] ?? 1)];
      if (to >= from) return part;
      const days: number[] = [];
      for (let d = from; d <= to + 7; d += step) days.push(((d - 1) % 7) + 1);
      return days.join(",");
    })
    .join(",");
}

/** Expressions of the `schedule` shortcuts: on the hour; at midnight; Sundays at midnight. */
export const SHORTCUTS = {
  hourly: "0 * * * ? *",
  daily: "0 0 * * ? *",
  weekly: "0 0 ? * SUN *",
} as const;
