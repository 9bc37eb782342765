/**
 * One task attempt of a local run as an AWS Batch job: submitted with production's job
 * definition, followed with DescribeJobs, terminated when the run stops, and its output printed
 * with the task's prefix while it runs (live-log-tail.ts). The task in the container records its
 * own start, end and logs in the S3 datastore, exactly as in production; what only Batch knows (a
 * job that never started, a container that died before the task could record anything) is
 * recorded here.
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html
 */
import os from "node:os";
import type { JobDetail, KeyValuePair, ResourceRequirement } from "@aws-sdk/client-batch";
import type { FlowStore } from "../../datastore/flow-store.js";
import type { BatchOptions } from "../../flow/decorators.js";
import { CONTAINER_TIMEOUT_MARGIN_SECONDS } from "../../task/step-timeout.js";
import type { RunningAttempt, TaskAttemptOptions, TaskExit } from "../../task/task-attempt.js";
import type { ComputeKind } from "../compile/compile-options.js";
import { fargateResources } from "../compile/fargate-resources.js";
import { batchJobName } from "../compile/naming.js";
import { MIN_BATCH_TIMEOUT_SECONDS } from "../compile/step-task.js";
import { TASK_ENV } from "../compile/task-environment.js";
import type { BatchDeployClient } from "../deploy/batch-client.js";
import type { JobWatcher } from "./job-watcher.js";
import { LiveLogTail } from "./live-log-tail.js";

/** What every attempt of a run shares. */
export interface BatchRunContext {
  client: BatchDeployClient;
  watcher: JobWatcher;
  store: FlowStore;
  /** Whether a queue's jobs run on Fargate or EC2. */
  computeOf(queue: string): ComputeKind;
  /** The queue of steps whose `batch` names none. */
  defaultQueue: string | undefined;
  /** The job definition ARN for the decorator's image and roles. */
  jobDefinition(batch: BatchOptions): Promise<string>;
  runnableTimeoutSeconds: number;
  /** Seconds between the task's uploads of its new output lines, and between reads of them. */
  liveLogSeconds: number;
}

/** Batch's states before a job has a container. */
const WAITING = new Set(["SUBMITTED", "PENDING", "RUNNABLE"]);

export class BatchJobAttempt implements RunningAttempt {
  readonly exited: Promise<TaskExit>;
  readonly #options: TaskAttemptOptions;
  readonly #batch: BatchOptions;
  readonly #context: BatchRunContext;
  #jobId: string | undefined;
  #cancelled = false;
  #stopping = false;
  #resolve!: (exit: TaskExit) => void;
  readonly #tail: LiveLogTail;

  constructor(options: TaskAttemptOptions, batch: BatchOptions, context: BatchRunContext) {
    this.#options = options;
    this.#batch = batch;
    this.#context = context;
    this.#tail = new LiveLogTail(context.store, options, context.liveLogSeconds);
    this.exited = new Promise((resolve) => {
      this.#resolve = resolve;
    });
    this.#submit().catch((error) => void this.#failWith(`could not submit its Batch job: ${error.message}`));
  }

  get #queue(): string {
    return this.#batch.queue ?? this.#context.defaultQueue ?? "";
  }

  kill(options: { cancelled?: boolean } = {}): void {
    if (options.cancelled) this.#cancelled = true;
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#jobId) void this.#terminate("the flowship run stopped");
  }

  async #submit(): Promise<void> {
    const { spec } = this.#options;
    const jobDefinition = await this.#context.jobDefinition(this.#batch);
    if (this.#stopping) return this.#end({ code: null, neverStarted: true });
    this.#jobId = await this.#context.client.submitJob({
      jobName: batchJobName(spec.flow, spec.step),
      jobQueue: this.#queue,
      jobDefinition,
      containerOverrides: {
        environment: this.#environment(),
        ...(this.#resources() ? { resourceRequirements: this.#resources() } : {}),
      },
      ...(this.#options.timeoutSeconds === undefined
        ? {}
        : {
            timeout: {
              attemptDurationSeconds:
                Math.max(MIN_BATCH_TIMEOUT_SECONDS, Math.ceil(this.#options.timeoutSeconds)) +
                // The task in the container enforces `timeout` itself and records it.
                CONTAINER_TIMEOUT_MARGIN_SECONDS,
            },
          }),
    });
    this.#options.print(
      `${this.#options.prefix} Batch job ${this.#jobId} submitted to queue '${this.#queue}'`,
      "stderr",
    );
    // Stopped while SubmitJob was in flight: the job exists now, so it is terminated too.
    if (this.#stopping) return this.#terminate("the flowship run stopped");
    const submittedAt = Date.now();
    this.#context.watcher.watch(
      this.#jobId,
      (job) => this.#onDescribe(job, submittedAt),
      (error) =>
        void this.#failWith(`could not follow Batch job ${this.#jobId}: ${(error as Error).message}`),
    );
  }

  /** The task's identity; where the code and the datastore are comes from the job definition. */
  #environment(): KeyValuePair[] {
    const { spec } = this.#options;
    return Object.entries({
      [TASK_ENV.runId]: spec.runId,
      [TASK_ENV.step]: spec.step,
      [TASK_ENV.taskId]: spec.taskId,
      // Here the attempt number is the runtime's, which orchestrates; no state counts retries.
      [TASK_ENV.attempt]: String(spec.attempt),
      FLOWSHIP_ORCHESTRATOR: "local",
      FLOWSHIP_DECORATORS: JSON.stringify(spec.decorators.filter((d) => d.kind !== "batch")),
      FLOWSHIP_LIVE_LOG_INTERVAL: String(this.#context.liveLogSeconds),
    }).map(([name, value]) => ({ name, value }));
  }

  /** cpu, memory and gpu as given on EC2; the nearest valid pair at or above them on Fargate. */
  #resources(): ResourceRequirement[] | undefined {
    const { cpu, memory, gpu } = this.#batch;
    if (cpu === undefined && memory === undefined && gpu === undefined) return undefined;
    const wanted = { cpu: cpu ?? 1, memory: memory ?? 4096, gpu: gpu ?? 0 };
    if (this.#context.computeOf(this.#queue) === "fargate") {
      const pair = fargateResources(wanted, { flow: this.#options.spec.flow, step: this.#options.spec.step });
      return [
        { type: "VCPU", value: String(pair.vcpu) },
        { type: "MEMORY", value: String(pair.memory) },
      ];
    }
    return [
      { type: "VCPU", value: String(wanted.cpu) },
      { type: "MEMORY", value: String(wanted.memory) },
      ...(wanted.gpu > 0 ? [{ type: "GPU" as const, value: String(wanted.gpu) }] : []),
    ];
  }

  /** One description of the job; returns true once the attempt is done with it. */
  #onDescribe(job: JobDetail, submittedAt: number): boolean {
    // A cancelled attempt ends when its TerminateJob is sent, not with the job's FAILED.
    if (this.#cancelled) return true;
    if (job.status === "SUCCEEDED" || job.status === "FAILED") {
      void this.#finished(job);
      return true;
    }
    // Its container is up: its output may start coming.
    if (job.status === "STARTING" || job.status === "RUNNING") this.#tail.start();
    const waited = (Date.now() - submittedAt) / 1000;
    if (WAITING.has(job.status ?? "") && waited > this.#context.runnableTimeoutSeconds && !this.#stopping) {
      this.#stopping = true;
      const reason = `Batch job ${job.jobId} waited ${Math.round(waited)} s in ${job.status} on queue '${this.#queue}' and was terminated: ${job.statusReason ?? "Batch gave no reason"}. Check that the queue's compute environment is enabled and can fit the job's cpu and memory (FLOWSHIP_BATCH_RUNNABLE_TIMEOUT sets the limit).`;
      void this.#terminate("waited too long to start").then(() => this.#failWith(reason));
      return true;
    }
    return false;
  }

  async #terminate(reason: string): Promise<void> {
    try {
      await this.#context.client.terminateJob(this.#jobId!, reason);
    } catch (error) {
      this.#options.print(`${this.#options.prefix} ${(error as Error).message}`, "stderr");
    }
    // The run is stopping: it does not wait for the container to go; Batch stops it.
    if (this.#cancelled) {
      this.#context.watcher.unwatch(this.#jobId!);
      await this.#tail.stop();
      await this.#end({ code: null });
    }
  }

  /** The job ended: SUCCEEDED, or FAILED with Batch's reason when the task recorded none. */
  async #finished(job: JobDetail): Promise<void> {
    // The rest of its output reaches the console, its logs the local log files.
    const printed = await this.#tail.finish().catch(() => false);
    if (job.status === "SUCCEEDED") return this.#end({ code: 0 });
    const code = job.container?.exitCode ?? null;
    const why = [job.statusReason, job.container?.reason].filter(Boolean).join("; ");
    const message = `Batch job ${job.jobId} failed${code === null ? "" : ` with exit code ${code}`}: ${why || "Batch gave no reason"}${printed ? "" : " (the task stored no output: see the job's CloudWatch log stream /aws/batch/job)"}`;
    await this.#failWith(message, code);
  }

  /**
   * The attempt failed for a reason only Batch knows: recorded as its end unless the task
   * recorded one (the end record is written once; the task's own word wins).
   */
  async #failWith(message: string, code: number | null = null): Promise<void> {
    const { spec } = this.#options;
    const store = this.#context.store;
    try {
      await this.#ensureStart();
      await store.writeAttemptEnd(spec.runId, spec.step, spec.taskId, {
        attempt: spec.attempt,
        status: "failed",
        endedAt: new Date().toISOString(),
        artifacts: {},
        failure: { type: "BatchJobFailed", message, retryable: true },
        exit: { code, signal: null },
      });
    } catch {
      // Already recorded by the task: its record stands.
    }
    this.#options.print(`${this.#options.prefix} ${message}`, "stderr");
    await this.#end({ code: code ?? 1 });
  }

  /** A job that never ran its task still counts as an attempt (failed, or cancelled). */
  async #ensureStart(): Promise<void> {
    const { spec } = this.#options;
    const attempts = await this.#context.store.readAttempts(spec.runId, spec.step, spec.taskId);
    if (attempts?.starts.has(spec.attempt)) return;
    await this.#context.store.writeAttemptStart(spec.runId, spec.step, spec.taskId, {
      attempt: spec.attempt,
      startedAt: new Date().toISOString(),
      host: `aws-batch:${this.#jobId ?? "not submitted"} (from ${os.hostname()})`,
      inputs: spec.inputs ?? [],
      foreachStack: spec.foreachStack,
    });
  }

  #ended = false;
  async #end(exit: { code: number | null; neverStarted?: boolean }): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    // An attempt that ends without its job's end (Batch could not be followed) reads no more.
    void this.#tail.stop();
    if (this.#cancelled && this.#jobId && !exit.neverStarted) await this.#ensureStart().catch(() => {});
    this.#resolve({
      code: exit.code,
      signal: null,
      timedOut: false,
      cancelled: this.#cancelled,
      outOfMemory: false,
      isolation: "process",
      ...(exit.neverStarted ? { neverStarted: true } : {}),
    });
  }
}
