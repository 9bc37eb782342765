/**
 * The local runtime: walks the flow's graph, starts each task attempt (by default a fresh worker
 * thread in a task host process of its own; with `isolation: "process"` its own process, with
 * "thread" a worker thread here; at most `maxWorkers` at once), fans out foreaches, waits for
 * joins, retries failed attempts, and records the run. A failed task stops the run: running tasks
 * are killed, the run is marked failed, and the failing step and its error are shown.
 */

import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { progressIntervalSeconds } from "../config.js";
import { FlowStore } from "../datastore/flow-store.js";
import { openStorage } from "../datastore/open-storage.js";
import type { AttemptEndRecord, ForeachFrame, RunRecord } from "../datastore/records-types.js";
import { UsageError } from "../errors.js";
import type { StepDecorator } from "../flow/decorators.js";
import type { FlowGraph } from "../graph/flow-graph.js";
import { batchOf, prepareBatch } from "../run/batch-launch.js";
import type { BatchLauncher } from "../run/batch-launcher-types.js";
import { resolveParameters } from "../run/resolve-parameters.js";
import { ResumePlan } from "../run/resume-plan.js";
import {
  effectiveDecorators,
  localForeachLimit,
  localLoopLimit,
  type RunOptions,
} from "../run/run-options.js";
import { createLocalRun, localRunStart, storeParameters } from "../run/run-record.js";
import { buildAttemptOptions, buildTaskSpec } from "../task/attempt-builder.js";
import { attemptLogs } from "../task/attempt-logs.js";
import { successorTaskId } from "../task/derive-task.js";
import { type RunningAttempt, recordDeath, type TaskExit } from "../task/task-attempt.js";
import { TASK_EXIT } from "../task/task-exit.js";
import { TaskHostAttempt } from "../task/task-host-attempt.js";
import { formatTaskId, itemContext, parseTaskId } from "../task/task-id.js";
import { TaskProcess } from "../task/task-process.js";
import type { TaskSpec } from "../task/task-spec.js";
import { TaskThread } from "../task/task-thread.js";
import { withIoErrors } from "../util/io-error.js";
import { timerDelay } from "../util/timer-delay.js";
import { takeEarlyHost } from "./early-host.js";
import { RunProgress } from "./run-progress.js";
import { RunReaper } from "./run-reaper.js";
import { TaskHostPool } from "./task-host-pool.js";

export interface RunResult {
  flow: string;
  runId: string;
  status: "succeeded" | "failed";
  /** `step/task: message` of the task that failed the run. */
  failure?: string;
  /** The run was stopped by SIGINT or SIGTERM. */
  interrupted: boolean;
}

interface ReadyTask {
  step: string;
  taskId: string;
  inputs: string[];
  stack: ForeachFrame[];
}

interface JoinWait {
  expected: number;
  inputs: (string | undefined)[];
  stack: ForeachFrame[];
}

/** Above this many inputs a task derives its inputs instead of receiving them. */
const MAX_INPUTS_IN_SPEC = 500;
/** A temporary file this old belongs to no live writer. */
const STALE_TEMPORARY_MS = 3_600_000;
/**
 * The longest failure reason a run keeps: it is the command's last line and part of the run's end
 * record, which every listing of runs reads. A step's message can be any size (the task's log and
 * attempt record keep it whole).
 */
const MAX_REASON_CHARS = 2000;

function briefReason(reason: string): string {
  if (reason.length <= MAX_REASON_CHARS) return reason;
  const cut = reason.slice(0, MAX_REASON_CHARS).replace(/[\uD800-\uDBFF]$/, "");
  return `${cut}… (cut at ${MAX_REASON_CHARS.toLocaleString("en-US")} of ${reason.length.toLocaleString("en-US")} characters; the task's log and its attempt record keep the whole message)`;
}

export class LocalRun {
  readonly #options: RunOptions;
  readonly #graph: FlowGraph;
  #store!: FlowStore;
  readonly #print: NonNullable<RunOptions["print"]>;
  #run!: RunRecord;
  #resume?: ResumePlan;
  readonly #ready: ReadyTask[] = [];
  readonly #running = new Map<string, RunningAttempt | "cloning">();
  #hosts: TaskHostPool | undefined;
  /** Kills what attempts leave behind, even when this runtime is SIGKILLed (Linux). */
  #reaper: RunReaper | undefined;
  #batch: BatchLauncher | undefined;
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly #joins = new Map<string, JoinWait>();
  #progress!: RunProgress;
  #endDone = false;
  #failure?: string;
  #interrupted = false;
  #stopping = false;
  #finished!: (result: RunResult) => void;
  #cancel: ((reason: string) => void) | undefined;
  #cancelReason: string | undefined;
  /** Stopped by its caller (`cancel()`), not by a failure or a signal. */
  #cancelled = false;

  constructor(options: RunOptions, graph: FlowGraph) {
    // A scheduler allowed no task at a time would wait forever.
    for (const [name, value] of [
      ["maxWorkers", options.maxWorkers],
      ["maxForeachWidth", options.maxForeachWidth ?? 1],
      ["maxLoopIterations", options.maxLoopIterations ?? 1],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new UsageError(
          `Invalid ${name} ${value} for flow '${options.flow.name}': give a whole number of 1 or more.`,
        );
      }
    }
    this.#options = options;
    this.#graph = graph;

    this.#print =
      options.print ??
      ((line, stream) => (stream === "stdout" ? process.stdout : process.stderr).write(`${line}\n`));
  }

  get runId(): string {
    return this.#run.runId;
  }

  /**
   * Stops the run as SIGINT would: running tasks are killed, nothing new starts, and the run is
   * recorded as failed with `reason` (and `interrupted`). Before the run has started it stops it
   * as soon as it does; after the end it does nothing.
   */
  cancel(reason: string): void {
    if (this.#cancel) this.#cancel(reason);
    else this.#cancelReason ??= reason;
  }

  /** Runs the flow to its end (or its first unrecoverable failure). */
  async execute(): Promise<RunResult> {
    const options = this.#options;
    await this.#createRun(options);
    this.#progress = new RunProgress({ graph: this.#graph, print: (line) => this.#print(line, "stderr") });
    this.#announce(options);

    const done = new Promise<RunResult>((resolve) => {
      this.#finished = resolve;
    });
    const interrupt = (signal: NodeJS.Signals) => {
      this.#interrupted = true;
      this.#fail(`interrupted by ${signal}`);
    };
    const signals = options.handleSignals ?? true;
    if (signals) {
      process.on("SIGINT", interrupt);
      process.on("SIGTERM", interrupt);
    }
    this.#cancel = (reason) => {
      // A run already stopping (a task failed) ends failed, whatever comes after.
      if (!this.#stopping) this.#cancelled = true;
      this.#interrupted = true;
      this.#fail(reason);
    };
    const ticker = setInterval(() => this.#progress.printProgress(), progressIntervalSeconds() * 1000);
    ticker.unref();
    try {
      this.#enqueue({ step: "start", taskId: "0", inputs: [], stack: [] });
      if (this.#cancelReason !== undefined) this.#cancel(this.#cancelReason);
      this.#pump();
      return await done;
    } finally {
      clearInterval(ticker);
      this.#cancel = undefined;
      if (signals) {
        process.off("SIGINT", interrupt);
        process.off("SIGTERM", interrupt);
      }
    }
  }

  /**
   * The resume plan or the parameters, and the Batch launcher, come before the run's record: a run
   * refused there is never recorded. Then the run is recorded and its id given out.
   */
  async #createRun(options: RunOptions): Promise<void> {
    this.#store = new FlowStore({ storage: await openStorage(options.datastore), flow: options.flow.name });
    let parameterValues: Record<string, unknown>;
    if (options.resume) {
      this.#resume = await ResumePlan.load({ store: this.#store, graph: this.#graph, ...options.resume });
      parameterValues = {};
    } else {
      parameterValues = await resolveParameters(
        options.flow,
        {
          text: options.parameterText,
          ...(options.parameterSources ? { sources: options.parameterSources } : {}),
          ...(options.parameterValues ? { json: options.parameterValues } : {}),
          includeBase: path.dirname(path.resolve(options.compiled.source)),
        },
        localRunStart(options),
      );
    }
    this.#batch = await prepareBatch(options, this.#graph, this.#print);
    const parameters = {
      ...this.#resume?.parameters,
      ...(await storeParameters(this.#store, parameterValues)),
    };
    // A resumed run stands for the same fire time as its origin.
    const scheduledTime = this.#resume ? this.#resume.scheduledTime : options.scheduledTime;
    // The run's watcher starts before anything of the run can: no process is ever unwatched. The
    // CLI may have started it already, with the run's first host (early-host.ts).
    const early = takeEarlyHost();
    this.#reaper = early ? early.reaper : RunReaper.start();
    try {
      await this.#recordRun(options, parameters, scheduledTime, early?.host);
    } catch (error) {
      early?.host.kill("SIGKILL");
      await this.#hosts?.close();
      await this.#reaper?.close();
      // Recorded, then refused (its run id file cannot be written): it failed, and says why,
      // rather than reading as a run whose runtime was killed.
      const recorded = this.#run as RunRecord | undefined;
      if (recorded) {
        const reason = error instanceof Error ? error.message : String(error);
        await this.#store
          .writeRunEnd(recorded.runId, { status: "failed", endedAt: new Date().toISOString(), reason })
          .catch(() => {});
      }
      throw error;
    }
  }

  /** Claims the run id and records the run, starting the first task host meanwhile. */
  async #recordRun(
    options: RunOptions,
    parameters: Parameters<typeof createLocalRun>[2],
    scheduledTime: Parameters<typeof createLocalRun>[3],
    earlyHost: ChildProcess | undefined,
  ): Promise<void> {
    this.#run = await createLocalRun(options, this.#store, parameters, scheduledTime);
    let adopted = false;
    if ((options.isolation ?? "host") === "host") {
      this.#hosts = await TaskHostPool.create(
        path.dirname(options.compiled.bundle),
        `${options.flow.name}/${this.#run.runId}`,
        this.#reaper?.hostMark,
      );
      // The first task's host starts now (a Node process, ~50 ms) while the run is recorded
      // below, unless the first task may not need one (a resumed run may clone it, Batch may run it)
      // or the CLI started it already.
      adopted = earlyHost !== undefined && this.#hosts.adopt(earlyHost);
      if (!adopted && !this.#resume && !batchOf(this.#decorators("start"))) this.#hosts.prestart();
    }
    // Not taken: another isolation asked for in code, or the host exited before it was needed.
    if (!adopted) earlyHost?.kill("SIGKILL");
    if (!options.resume) await this.#store.writeLatestRun(this.#run.runId);
    await this.#store.updateLatest("started", this.#run.namespace, this.#run.runId, this.#run.startedAt);
    const { runIdFile } = options;
    if (runIdFile)
      withIoErrors("write the run id to", runIdFile, () => fs.writeFileSync(runIdFile, this.#run.runId));
    options.onStart?.(this.#run.runId);
    // What writers killed half-way left (large blobs are written unnamed into data/): swept once
    // they are an hour old, so a live writer's file is never touched.
    await this.#store.storage
      .sweepTemporaries?.(`${options.flow.name}/data`, STALE_TEMPORARY_MS)
      .catch(() => 0);
  }

  /** The run's first line on stderr, and what a resume will not run again. */
  #announce(options: RunOptions): void {
    this.#print(
      `Running ${options.flow.name}/${this.#run.runId} as ${this.#run.namespace}${
        this.#resume ? `, resuming run ${this.#resume.originRunId}` : ""
      } (max ${options.maxWorkers} tasks at once${
        options.isolation === "thread"
          ? ", in worker threads of this process"
          : options.isolation === "process"
            ? ", a process each"
            : ""
      }${this.#batch ? `; Batch steps ${this.#batch.description}` : ""})`,
      "stderr",
    );
    const missing = this.#resume?.missingArtifacts ?? [];
    // Legal (a copy under a new id), but rarely what was meant: say how to run something.
    if (this.#resume && this.#resume.rerunFrom === undefined && missing.length === 0) {
      this.#print(
        `Every task of run ${this.#resume.originRunId} succeeded: all are cloned and nothing runs again; give a STEP to run again from it, or another --origin-run-id`,
        "stderr",
      );
    }
    if (missing.length > 0) {
      this.#print(
        `${missing.length} task${missing.length > 1 ? "s" : ""} of run ${this.#resume!.originRunId} run again: an artifact ${missing.length > 1 ? "they reference is" : "it references is"} missing from the datastore (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""})`,
        "stderr",
      );
    }
  }

  #enqueue(task: ReadyTask): void {
    this.#progress.queued(task.step);
    this.#ready.push(task);
  }

  #pump(): void {
    while (!this.#stopping && this.#running.size < this.#options.maxWorkers && this.#ready.length > 0) {
      const task = this.#ready.shift()!;
      const origin = this.#resume?.cloneSource(task.step, task.taskId);
      if (origin) {
        this.#clone(task, origin);
      } else {
        this.#launch(task, 0);
      }
    }
    if (
      this.#running.size === 0 &&
      this.#retryTimers.size === 0 &&
      (this.#stopping || this.#ready.length === 0)
    ) {
      void this.#finish();
    }
  }

  #key(task: ReadyTask): string {
    return `${task.step}/${task.taskId}`;
  }

  #clone(task: ReadyTask, origin: AttemptEndRecord): void {
    this.#running.set(this.#key(task), "cloning");
    this.#progress.started(task.step);
    const originPath = `${this.#options.flow.name}/${this.#resume!.originRunId}/${task.step}/${task.taskId}`;
    (async () => {
      await this.#store.writeAttemptStart(this.runId, task.step, task.taskId, {
        attempt: 0,
        startedAt: new Date().toISOString(),
        host: os.hostname(),
        inputs: task.inputs,
        foreachStack: task.stack,
        origin: originPath,
      });
      const end: AttemptEndRecord = {
        ...origin,
        attempt: 0,
        endedAt: new Date().toISOString(),
        origin: originPath,
      };
      await this.#store.writeAttemptEnd(this.runId, task.step, task.taskId, end);
      this.#print(`[${this.runId}/${task.step}/${task.taskId}] cloned from ${originPath}`, "stderr");
      this.#running.delete(this.#key(task));
      this.#onSuccess(task, end);
    })().catch((error) => {
      this.#running.delete(this.#key(task));
      this.#fail(`${task.step}/${task.taskId}: cloning failed: ${(error as Error).message}`);
    });
  }

  #decorators(step: string): StepDecorator[] {
    return effectiveDecorators(this.#graph.nodes.get(step)!.spec, this.#options.withDecorators);
  }

  #launch(task: ReadyTask, attempt: number, fallbackReason?: string): void {
    const decorators = this.#decorators(task.step);
    const spec = buildTaskSpec({
      flow: this.#options.flow.name,
      runId: this.runId,
      step: task.step,
      taskId: task.taskId,
      attempt,
      decorators,
      // Thousands of input paths would not fit in the task's environment (E2BIG): the task
      // derives them itself.
      ...(task.inputs.length <= MAX_INPUTS_IN_SPEC ? { inputs: task.inputs } : {}),
      foreachStack: task.stack,
      datastore: this.#options.datastore,
      run: this.#run,
      ...(this.#graph.nodes.get(task.step)!.type === "foreach"
        ? { foreachLimit: localForeachLimit(this.#options.maxForeachWidth) }
        : {}),
      ...(fallbackReason ? { fallbackReason } : {}),
    });
    const logs = attemptLogs(this.#store, spec);
    const attemptOptions = buildAttemptOptions({
      bundle: this.#options.compiled.bundle,
      spec,
      ...(this.#options.taskEnv ? { env: this.#options.taskEnv } : {}),
      logFiles: logs.files,
      print: this.#print,
      ...(this.#reaper ? { mark: this.#reaper.nextAttemptMark() } : {}),
    });
    // A fallback attempt only records the failure, without running the step: it stays local.
    const batch = fallbackReason ? undefined : batchOf(decorators);
    const running = batch
      ? this.#batch!.start(attemptOptions, batch)
      : this.#hosts
        ? new TaskHostAttempt(attemptOptions, this.#hosts.acquire())
        : this.#options.isolation === "thread"
          ? new TaskThread(attemptOptions)
          : new TaskProcess(attemptOptions);
    this.#running.set(this.#key(task), running);
    this.#progress.started(task.step);
    running.exited
      .then(async (exit) => {
        // An attempt that failed, was killed or died (a timeout, a stopped run, a crashed host):
        // what it started may have lost its parent and stayed, so it goes now. (After a success,
        // at the end of the run: a sweep per task would cost a scan of /proc each.)
        if (attemptOptions.mark && !exit.neverStarted && (exit.code !== TASK_EXIT.ok || exit.signal)) {
          this.#reaper?.reap(attemptOptions.mark);
        }
        await logs.persist();
        await this.#onExit(task, spec, exit);
      })
      // A failure to keep the logs (a full disk) fails the run with its one-line reason.
      .catch((error) => {
        this.#running.delete(this.#key(task));
        this.#fail(`${task.step}/${task.taskId}: ${(error as Error).message}`);
      });
  }

  async #onExit(task: ReadyTask, spec: TaskSpec, exit: TaskExit): Promise<void> {
    try {
      // Stopped before it recorded its start (still waiting for a task host, or still loading):
      // it never ran, so nothing is recorded and it is no task, as the Client API sees it too.
      if (exit.cancelled && (exit.neverStarted || !(await this.#hasStarted(task, spec)))) {
        this.#running.delete(this.#key(task));
        this.#progress.withdrawn(task.step);
        this.#pump();
        return;
      }
      let end = await this.#store.readAttemptEnd(this.runId, task.step, task.taskId, spec.attempt);
      if (end?.status === "succeeded") {
        // The end record is the task's own word, written once; what happens to the process after
        // it (a late rejection, an exit listener, a timeout firing) cannot unsay it.
        if (exit.code !== TASK_EXIT.ok) {
          const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
          this.#print(
            `[${this.runId}/${task.step}/${task.taskId}] ${how} after recording its success; the recorded result stands`,
            "stderr",
          );
        }
        this.#running.delete(this.#key(task));
        this.#onSuccess(task, end);
        return;
      }
      if (!end) {
        end = await recordDeath(this.#store, spec, exit);
        if (!exit.cancelled)
          this.#print(`[${this.runId}/${task.step}/${task.taskId}] ${end.failure?.message}`, "stderr");
      }
      this.#running.delete(this.#key(task));
      if (exit.cancelled) {
        this.#progress.attemptFailed(task.step, "cancelled");
        this.#pump();
        return;
      }
      const retryable = exit.code !== TASK_EXIT.noRetry && end.failure?.retryable !== false;
      const pathspec = `${task.step}/${task.taskId}`;
      if (retryable && spec.attempt + 1 < spec.maxAttempts && !this.#stopping) {
        this.#progress.attemptFailed(task.step, "retried");
        this.#scheduleRetry(task, spec);
      } else if (end.exit && !spec.fallbackReason && spec.decorators.some((d) => d.kind === "catch")) {
        // The process died (or was killed past its timeout) before it could hand its failure to
        // catchError: a fallback attempt records that failure without running the step again. It
        // is no retry, and the summary counts the task once, as caught.
        this.#progress.handedToFallback(task.step);
        this.#launch(task, spec.attempt + 1, end.failure?.message ?? "the task process died");
      } else {
        this.#progress.attemptFailed(task.step, "failed");
        this.#fail(`${pathspec}: ${end.failure ? `${end.failure.type}: ${end.failure.message}` : "failed"}`);
      }
    } catch (error) {
      this.#running.delete(this.#key(task));
      this.#fail(`${task.step}/${task.taskId}: ${(error as Error).message}`);
    }
  }

  async #hasStarted(task: ReadyTask, spec: TaskSpec): Promise<boolean> {
    const attempts = await this.#store.readAttempts(this.runId, task.step, task.taskId);
    return attempts?.starts.has(spec.attempt) === true;
  }

  #scheduleRetry(task: ReadyTask, spec: TaskSpec): void {
    const retry = spec.decorators.find((d) => d.kind === "retry");
    const minutes = retry?.kind === "retry" ? retry.options.minutesBetweenRetries : 0;
    const next = spec.attempt + 1;
    this.#print(
      `[${this.runId}/${task.step}/${task.taskId}] attempt ${next}/${spec.maxAttempts} failed; retrying${
        minutes > 0 ? ` in ${Math.round(minutes * 60)} s` : ""
      }`,
      "stderr",
    );
    const timer = setTimeout(
      () => {
        this.#retryTimers.delete(timer);
        if (this.#stopping) return this.#pump();
        this.#launch(task, next);
      },
      timerDelay(minutes * 60_000),
    );
    this.#retryTimers.add(timer);
  }

  #onSuccess(task: ReadyTask, end: AttemptEndRecord): void {
    this.#progress.succeeded(task.step, end.caught === true);
    const node = this.#graph.nodes.get(task.step)!;
    const path = `${this.runId}/${task.step}/${task.taskId}`;
    if (node.type === "end") this.#endDone = true;
    if (node.type === "foreach") {
      const count = end.foreach!.numSplits;
      const items = end.artifacts[end.foreach!.var];
      const body = this.#graph.nodes.get(node.next[0]!)!;
      for (let index = 0; index < count; index++) {
        const stack: ForeachFrame[] = [
          ...task.stack,
          { step: task.step, var: end.foreach!.var, index, numSplits: count, ...(items ? { items } : {}) },
        ];
        // The body's first step, on a loop inside the body, begins at its first iteration.
        const taskId = formatTaskId(
          itemContext(task.taskId, index, node.foreachDepth),
          body.loops.map(() => 0),
        );
        this.#enqueue({ step: body.name, taskId, inputs: [path], stack });
      }
    } else if (node.type === "switch") {
      if (end.switch) this.#forward(task, end.switch.next, path);
      else this.#fail(`${task.step}/${task.taskId}: the switch recorded no case`);
    } else {
      for (const target of node.next) this.#forward(task, target, path);
    }
    this.#pump();
  }

  #forward(task: ReadyTask, target: string, path: string): void {
    const next = this.#graph.nodes.get(target)!;
    const taskId = successorTaskId(this.#graph, task.step, task.taskId, target);
    if (next.loops.includes(target) && this.#loopExhausted(target, next.foreachDepth, taskId)) return;
    if (!next.spec.join) {
      this.#enqueue({ step: target, taskId, inputs: [path], stack: task.stack });
      return;
    }
    const split = this.#graph.nodes.get(next.joins!)!;
    const closesForeach = split.type === "foreach";
    const stack = closesForeach ? task.stack.slice(0, -1) : task.stack;
    const frame = task.stack.at(-1);
    // After a switch inside a branch, the branch's input comes from whichever case ran.
    const slot = closesForeach ? frame!.index : next.inputBranches![task.step]!;
    const expected = closesForeach ? frame!.numSplits : split.next.length;
    const key = `${target}@${taskId}`;
    const wait = this.#joins.get(key) ?? { expected, inputs: new Array(expected).fill(undefined), stack };
    wait.inputs[slot] = path;
    this.#joins.set(key, wait);
    if (wait.inputs.every((input) => input !== undefined)) {
      this.#joins.delete(key);
      this.#enqueue({ step: target, taskId, inputs: wait.inputs as string[], stack });
    }
  }

  /**
   * Whether `taskId` of loop header `header` would be one iteration more than the loop may run (a
   * loop whose cases never lead out would otherwise run until the disk is full); if so the run
   * fails, naming the loop and the bound.
   */
  #loopExhausted(header: string, foreachDepth: number, taskId: string): boolean {
    const loops = this.#graph.nodes.get(header)!.loops;
    const iteration = parseTaskId(taskId, foreachDepth, loops.length).iterations[loops.indexOf(header)]!;
    const limit = localLoopLimit(this.#options, header);
    if (iteration < limit.max) return false;
    this.#fail(
      `The loop at step '${header}' ran ${limit.max.toLocaleString("en-US")} iterations without leaving, ${limit.why}. Check the switch that should end it; a loop meant to run longer belongs in a foreach item of its own, or raise the bound with --max-loop-iterations.`,
    );
    return true;
  }

  #fail(reason: string): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#failure = briefReason(reason);
    for (const timer of this.#retryTimers) clearTimeout(timer);
    this.#retryTimers.clear();
    for (const attempt of this.#running.values())
      if (attempt !== "cloning") attempt.kill({ cancelled: true });
    this.#pump();
  }

  #finishing = false;
  async #finish(): Promise<void> {
    if (this.#finishing) return;
    this.#finishing = true;
    let status: "succeeded" | "failed" = this.#endDone && !this.#failure ? "succeeded" : "failed";
    let reason = this.#failure ?? (status === "failed" ? "the end step did not run" : undefined);
    const cancelled = status === "failed" && this.#cancelled;
    try {
      await this.#store.writeRunEnd(this.runId, {
        status,
        endedAt: new Date().toISOString(),
        ...(reason ? { reason } : {}),
        ...(cancelled ? { cancelled: true } : {}),
      });
      if (status === "succeeded") {
        await this.#store.updateLatest("succeeded", this.#run.namespace, this.runId, this.#run.startedAt);
      }
    } catch (error) {
      // The run's end could not be recorded (a full disk): it reads as killed, and resume picks it up.
      status = "failed";
      reason = `${reason ? `${reason.replace(/\.$/, "")}; ` : ""}its end could not be recorded: ${(error as Error).message}`;
    }
    await this.#hosts?.close();
    // Whatever a step left running (a thread's subprocess, one that left its process group) ends
    // with the run.
    await this.#reaper?.close();
    this.#progress.printSummary(`${this.#options.flow.name}/${this.runId}`, cancelled ? "cancelled" : status);
    this.#finished({
      flow: this.#options.flow.name,
      runId: this.runId,
      status,
      ...(reason ? { failure: reason } : {}),
      interrupted: this.#interrupted,
    });
  }
}
