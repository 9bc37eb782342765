/**
 * `step-functions backfill --start … --end …`: runs a scheduled flow once per fire time of its
 * schedule in a window, as the schedule would have — the production version, no parameters, the
 * fire time as `ScheduledTime` in the input (`current.scheduledTime` in the steps).
 *
 * It can be stopped and started again without running a fire time twice. Each execution is named
 * after its fire time, `backfill-20261025T000000Z` (then `-2`, `-3` after failed tries), and
 * Step Functions refuses a second execution of one name: a start that is repeated, or raced by
 * another backfill, finds the first. Before starting anything it reads which fire times already
 * have a run that succeeded or is running, and skips them: a backfill's run, found by its name;
 * the schedule's own, found by the `ScheduledTime` in the input of each execution started since
 * the window began (one DescribeExecution each); and a resumed run, which stands for its origin's
 * fire time.
 */
import type { ExecutionListItem } from "@aws-sdk/client-sfn";
import { parseIsoInstant } from "../../util/iso-time.js";
import type { SchedulePlan } from "../schedule/schedule-plan.js";
import { formatInZone } from "../schedule/zoned-time.js";
import { notDeployed } from "./deployment.js";
import { AwsCallError, DeployError } from "./errors.js";
import { type DeployTarget, executionArnOf, runIdOf } from "./resource-names.js";
import type { SfnDeployClient } from "./sfn-client.js";

/** Most fire times one backfill runs; a wider window is split into several. */
export const MAX_BACKFILL_FIRE_TIMES = 10_000;

/** DescribeExecution calls in flight at once, reading the fire time of a scheduled run. */
const LOOKUPS_AT_ONCE = 8;

const BACKFILL_NAME = /^backfill-(\d{8}T\d{6}Z)(?:-(\d+))?$/;

/** `backfill-20261025T000000Z`: the fire time without the characters execution names refuse. */
export function backfillName(time: Date, attempt: number): string {
  const stamp = time
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
  return `backfill-${stamp}${attempt > 1 ? `-${attempt}` : ""}`;
}

/** The fire time (ISO) and try number of a backfill's execution name. */
function parseBackfillName(name: string): { time: string; attempt: number } | undefined {
  const match = BACKFILL_NAME.exec(name);
  if (!match) return undefined;
  const s = match[1]!;
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`;
  return { time: new Date(iso).toISOString(), attempt: Number(match[2] ?? 1) };
}

/** The execution input of a fire time: what the schedule sends, with its fire time. */
export function backfillInput(time: Date): string {
  return JSON.stringify({ Parameters: "{}", ScheduledTime: time.toISOString() });
}

/** One fire time and the runs it already has. */
export interface FireTime {
  time: Date;
  /** A run that succeeded, if any. */
  succeeded?: string;
  /** A run still running, if any (followed, not started again). */
  running?: string;
  /** Tries a backfill made so far. */
  tries: number;
}

export interface BackfillOptions {
  sfn: SfnDeployClient;
  target: DeployTarget;
  schedule: SchedulePlan;
  start: Date;
  end: Date;
  /** Executions of the backfill running at once. @default 1 */
  maxConcurrent?: number;
  /** Show what would be started, start nothing. @default false */
  dryRun?: boolean;
  /** Between looks at running executions. @default 5000 */
  pollMs?: number;
  print: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
}

export interface BackfillResult {
  fireTimes: number;
  /** Fire times that had succeeded before this backfill. */
  skipped: number;
  /** Fire times whose run was running when this backfill began: followed, never started again. */
  running: number;
  started: number;
  succeeded: number;
  /** `sfn-…` of the runs that did not succeed. */
  failed: string[];
}

/** The fire times of the schedule from `start` (included) to `end`, refused past {@link MAX_BACKFILL_FIRE_TIMES}; no AWS call. */
export function fireTimesBetween(schedule: SchedulePlan, start: Date, end: Date): Date[] {
  const times = schedule.between(start, end, MAX_BACKFILL_FIRE_TIMES);
  if (times.length > MAX_BACKFILL_FIRE_TIMES) {
    throw new DeployError(
      "FS_SFN_BACKFILL_TOO_WIDE",
      `Backfill window too wide: '${start.toISOString()} to ${end.toISOString()}' holds more than ${MAX_BACKFILL_FIRE_TIMES.toLocaleString("en-US")} fire times of ${schedule.expression}. Backfill it in parts.`,
      { exitCode: 2 },
    );
  }
  return times;
}

/** The fire times of the window with the runs each already has. */
export async function plannedFireTimes(options: BackfillOptions): Promise<FireTime[]> {
  const { schedule, start, end } = options;
  const times = fireTimesBetween(schedule, start, end);
  const fires = new Map(times.map((time) => [time.toISOString(), { time, tries: 0 } as FireTime]));
  const executions = await options.sfn.listExecutions(options.target.stateMachineArn).catch((error) => {
    // Said as resume and terminate say it, rather than as an AWS error to fix in the settings.
    if (error instanceof AwsCallError && error.awsError === "StateMachineDoesNotExist")
      throw notDeployed(options.target);
    throw error;
  });
  // The fire time of each run that has one: a backfill's from its name, others from their input.
  const fireOf = new Map<string, string>();
  const described: ExecutionListItem[] = [];
  for (const execution of executions) {
    const named = parseBackfillName(execution.name ?? "");
    const fire = named ? fires.get(named.time) : undefined;
    if (named) fireOf.set(execution.executionArn!, named.time);
    if (fire) fire.tries = Math.max(fire.tries, named!.attempt);
    // A run for a fire time in the window starts after the window begins.
    if (!named && (execution.startDate?.getTime() ?? 0) >= start.getTime()) described.push(execution);
  }
  const resumes: Array<{ arn: string; origin: string }> = [];
  for (let first = 0; first < described.length; first += LOOKUPS_AT_ONCE) {
    await Promise.all(
      described.slice(first, first + LOOKUPS_AT_ONCE).map(async (execution) => {
        const input = parseInput((await options.sfn.describeExecution(execution.executionArn!))?.input);
        const time =
          typeof input.ScheduledTime === "string" ? parseIsoInstant(input.ScheduledTime) : undefined;
        if (time) fireOf.set(execution.executionArn!, time.toISOString());
        const origin = input.Resume?.Origin;
        if (typeof origin === "string") resumes.push({ arn: execution.executionArn!, origin });
      }),
    );
  }
  // A resumed run stands for its origin's fire time; origins start before their resumes.
  const startOf = new Map(executions.map((e) => [e.executionArn!, e.startDate?.getTime() ?? 0]));
  resumes.sort((a, b) => startOf.get(a.arn)! - startOf.get(b.arn)!);
  for (const { arn, origin } of resumes) {
    const time = /^sfn-[A-Za-z0-9_-]{1,80}$/.test(origin)
      ? fireOf.get(executionArnOf(options.target, origin))
      : undefined;
    if (time) fireOf.set(arn, time);
  }
  for (const execution of executions) {
    const time = fireOf.get(execution.executionArn!);
    const fire = time ? fires.get(time) : undefined;
    if (fire) note(fire, execution);
  }
  return [...fires.values()];
}

function note(fire: FireTime, execution: ExecutionListItem): void {
  const runId = runIdOf(execution.executionArn ?? "");
  if (execution.status === "SUCCEEDED") fire.succeeded ??= runId;
  // A redrive being set up is about to run again: starting another run would be a duplicate.
  if (execution.status === "RUNNING" || execution.status === "PENDING_REDRIVE") fire.running ??= runId;
}

/** The parts of an execution input a backfill reads: a schedule's fire time, a resume's origin. */
function parseInput(input: string | undefined): { ScheduledTime?: unknown; Resume?: { Origin?: unknown } } {
  try {
    const value = JSON.parse(input ?? "{}") as unknown;
    return typeof value === "object" && value !== null ? (value as never) : {};
  } catch {
    return {};
  }
}

/** Starts the execution of a fire time; one already there under its name is followed instead. */
async function startFire(
  options: BackfillOptions,
  fire: FireTime,
): Promise<{ executionArn: string; existed: boolean }> {
  const name = backfillName(fire.time, fire.tries + 1);
  try {
    const { executionArn } = await options.sfn.startExecution({
      stateMachineArn: options.target.aliasArn,
      name,
      input: backfillInput(fire.time),
    });
    return { executionArn, existed: false };
  } catch (error) {
    // Started since the list was read, by a stopped backfill or one running beside this one.
    if (!(error instanceof AwsCallError) || error.awsError !== "ExecutionAlreadyExists") throw error;
    return { executionArn: executionArnOf(options.target, `sfn-${name}`), existed: true };
  }
}

/**
 * Runs the backfill: at most `maxConcurrent` executions at once, each followed to its end, with
 * a line per start and per end. Returns what happened; a dry run starts nothing.
 */
export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const { print, schedule } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const fires = await plannedFireTimes(options);
  const total = fires.length;
  const label = (fire: FireTime) =>
    `[${fires.indexOf(fire) + 1}/${total}] ${formatInZone(fire.time, schedule.timezone)}`;
  const result: BackfillResult = {
    fireTimes: total,
    skipped: 0,
    running: 0,
    started: 0,
    succeeded: 0,
    failed: [],
  };
  const queue: FireTime[] = [];
  const running = new Map<string, FireTime>();
  for (const fire of fires) {
    if (fire.succeeded) {
      result.skipped++;
      print(`${label(fire)} already succeeded: ${fire.succeeded}`);
    } else if (fire.running) {
      result.running++;
      print(`${label(fire)} already running: ${fire.running}${options.dryRun ? "" : ", followed"}`);
      running.set(executionArnOf(options.target, fire.running), fire);
    } else {
      queue.push(fire);
      if (options.dryRun) print(`${label(fire)} would start ${backfillName(fire.time, fire.tries + 1)}`);
    }
  }
  if (options.dryRun) return result;
  const maxConcurrent = options.maxConcurrent ?? 1;
  while (queue.length > 0 || running.size > 0) {
    while (queue.length > 0 && running.size < maxConcurrent) {
      const fire = queue.shift()!;
      const { executionArn, existed } = await startFire(options, fire);
      if (!existed) result.started++;
      running.set(executionArn, fire);
      print(`${label(fire)} ${existed ? "already started, followed:" : "started"} ${runIdOf(executionArn)}`);
    }
    await sleep(options.pollMs ?? 5000);
    for (const [executionArn, fire] of running) {
      const status = (await options.sfn.describeExecution(executionArn))?.status ?? "RUNNING";
      if (status === "RUNNING" || status === "PENDING_REDRIVE") continue;
      running.delete(executionArn);
      print(`${label(fire)} ${status} ${runIdOf(executionArn)}`);
      if (status === "SUCCEEDED") result.succeeded++;
      else result.failed.push(runIdOf(executionArn));
    }
  }
  return result;
}

/** The last line of a backfill: what each fire time came to. */
export function backfillSummary(result: BackfillResult, dryRun: boolean): string {
  const running = result.running > 0 ? `, ${result.running} already running` : "";
  const fireTimes = `${result.fireTimes} fire time${result.fireTimes === 1 ? "" : "s"}`;
  if (dryRun) {
    const pending = result.fireTimes - result.skipped - result.running;
    return `${fireTimes}: ${result.skipped} already succeeded${running}, ${pending} to run.`;
  }
  const failed =
    result.failed.length > 0 ? `, ${result.failed.length} did not: ${result.failed.join(", ")}` : "";
  return `${fireTimes}: ${result.skipped} already succeeded${running}, ${result.started} started, ${result.succeeded} succeeded${failed}.`;
}
