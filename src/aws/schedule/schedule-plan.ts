/**
 * A flow's `schedule` decorator as AWS will run it: the EventBridge Scheduler expression, its
 * time zone, and the next fire times (previewed locally with croner).
 */
import { Cron } from "croner";
import type { FlowDecorator } from "../../flow/decorators.js";
import type { FlowSpec } from "../../flow/types.js";
import { CronError, cronerDayOfWeek, SHORTCUTS, validateAwsCron } from "./aws-cron.js";
import { isFirstOccurrence } from "./zoned-time.js";

export interface SchedulePlan {
  /** `cron(...)` as EventBridge Scheduler takes it. */
  expression: string;
  timezone: string;
  /** The next fire times, as ISO strings. */
  next(count: number, after?: Date): string[];
  /**
   * The fire times from `start` (included) to `end` (excluded), in order, at most `limit` of them
   * (one more tells the caller the window holds more).
   */
  between(start: Date, end: Date, limit: number): Date[];
}

function checkTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return timezone;
  } catch {
    throw new CronError(
      "FS_SCHEDULE_BAD_TIMEZONE",
      `Invalid schedule time zone '${timezone}': use an IANA name such as 'Europe/Berlin' or 'UTC'.`,
    );
  }
}

export function schedulePlan(decorator: Extract<FlowDecorator, { kind: "schedule" }>): SchedulePlan {
  const options = decorator.options;
  const fields = options.hourly
    ? SHORTCUTS.hourly
    : options.daily
      ? SHORTCUTS.daily
      : options.weekly
        ? SHORTCUTS.weekly
        : validateAwsCron(options.cron ?? "");
  const timezone = checkTimezone(options.timezone ?? "UTC");
  // croner reads seconds first and numbers weekdays 1=Sunday like AWS with alternativeWeekdays.
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields.split(" ");
  const forCroner = [minutes, hours, dayOfMonth, month, cronerDayOfWeek(dayOfWeek!), year].join(" ");
  const cron = new Cron(`0 ${forCroner}`, { timezone, alternativeWeekdays: true, paused: true });
  // EventBridge Scheduler skips a cron time that the spring-forward change skips and fires once in
  // the hour the fall-back change repeats (repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst).
  // croner moves a skipped time past the gap and fires in both passes of a repeated hour: its
  // times are kept only where the wall clock matches the expression and reads so for the first time.
  const fires = (time: Date) => cron.match(time) && isFirstOccurrence(time, timezone);
  const fireTimes = function* (after: Date): Generator<Date> {
    for (let time = cron.nextRun(after); time; time = cron.nextRun(time)) {
      if (fires(time)) yield time;
    }
  };
  return {
    expression: `cron(${fields})`,
    timezone,
    next: (count, after = new Date()) => {
      const times: string[] = [];
      for (const time of fireTimes(after)) {
        if (times.length >= count) break;
        times.push(time.toISOString());
      }
      return times;
    },
    between: (start, end, limit) => {
      const times: Date[] = [];
      // croner finds the first fire time strictly after the one given: a millisecond earlier
      // makes `start` itself count.
      for (const time of fireTimes(new Date(start.getTime() - 1))) {
        if (time >= end || times.length > limit) break;
        times.push(time);
      }
      return times;
    },
  };
}

/**
 * Refuses a schedule that never fires again: AWS accepts `cron(0 0 30 2 ? *)` (30 February) or a
 * year gone by, and the flow then silently never runs. croner looks for the next fire time over
 * the whole range of years AWS takes, so none found means none will come.
 */
export function checkScheduleFires(plan: SchedulePlan, flow: string, now = new Date()): void {
  if (plan.next(1, now).length === 0) {
    throw new CronError(
      "FS_SCHEDULE_NEVER_FIRES",
      `Schedule ${plan.expression} of flow '${flow}' never fires: no time from now on matches it (a day its months do not have, such as 30 February, or only years gone by); fix its day-of-month, month or year.`,
    );
  }
}

/** The plan of a flow's schedule, or undefined when it has none (it then runs only when triggered). */
export function flowSchedule(flow: FlowSpec): SchedulePlan | undefined {
  const decorator = flow.decorators.find((d) => d.kind === "schedule");
  return decorator ? schedulePlan(decorator) : undefined;
}
