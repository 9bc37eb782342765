/**
 * `TriggeredRun`: one run of a deployed flow on AWS Step Functions (an execution), as `trigger()`
 * started it or `listRuns()` found it. Its status is Step Functions' own; its data, once its start
 * step ran, is the Client API's `Run` in the deployment's S3 datastore.
 */
import type { ExecutionStatus } from "@aws-sdk/client-sfn";
import { datastoreLocation } from "../aws/batch/datastore-location.js";
import { Run } from "../client/run.js";
import { FlowshipError, isFlowshipError } from "../errors.js";
import type { AwsSession } from "./aws-session.js";
import { wholeOption } from "./check-options.js";
import { API_ERROR_CODES } from "./errors.js";
import type { RunArtifacts } from "./parameters.js";

/** How often `waitForCompletion` asks Step Functions by default. */
const POLL_MS = 2_000;

export interface WaitOptions {
  /** Give up after this long with FS_API_WAIT_TIMEOUT (the run goes on). @default no limit */
  timeoutMs?: number;
  /** Time between two DescribeExecution calls. @default 2000 */
  pollMs?: number;
}

export class TriggeredRun<F = unknown> {
  /** The flow's name. */
  readonly flow: string;
  /** `sfn-<execution name>`, the run's id in the datastore and the CLI. */
  readonly runId: string;
  readonly executionArn: string;
  readonly #session: AwsSession;
  readonly #authorize: string | undefined;

  /** @internal Use `DeployedFlow.trigger()` or `listRuns()`. */
  constructor(options: {
    flow: string;
    runId: string;
    executionArn: string;
    session: AwsSession;
    authorize?: string | undefined;
  }) {
    this.flow = options.flow;
    this.runId = options.runId;
    this.executionArn = options.executionArn;
    this.#session = options.session;
    this.#authorize = options.authorize;
  }

  /** `Flow/runId`. */
  get pathspec(): string {
    return `${this.flow}/${this.runId}`;
  }

  /** Step Functions' status of the execution: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE. */
  async status(): Promise<ExecutionStatus> {
    const { findRun } = await import("../aws/deploy/terminate.js");
    const { execution } = await findRun({ ...this.#facts(), runId: this.runId });
    return execution.status ?? "RUNNING";
  }

  /**
   * Waits until the execution is no longer RUNNING and returns its status. A run that is still
   * running after `timeoutMs` fails the wait with FS_API_WAIT_TIMEOUT, and goes on.
   */
  async waitForCompletion(options: WaitOptions = {}): Promise<ExecutionStatus> {
    // NaN, 0 or a negative pollMs would ask Step Functions as fast as it answers.
    const timeoutMs = wholeOption("waitForCompletion()", "timeoutMs", options.timeoutMs, 0);
    const pollMs = wholeOption("waitForCompletion()", "pollMs", options.pollMs, 1) ?? POLL_MS;
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    while (true) {
      const status = await this.status();
      if (status !== "RUNNING") return status;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new FlowshipError(
          API_ERROR_CODES.waitTimeout,
          `Run still running after ${timeoutMs} ms: '${this.pathspec}'. Wait longer, or stop it with terminate().`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, left)));
    }
  }

  /** Stops the execution (it must be running); the deployment's owner or its production token may. */
  async terminate(): Promise<{ stopDate?: Date }> {
    const { terminateRun } = await import("../aws/deploy/terminate.js");
    return terminateRun({
      ...this.#facts(),
      runId: this.runId,
      ...(this.#authorize === undefined ? {} : { authorize: this.#authorize }),
    });
  }

  /**
   * The run through the Client API, read from the deployment's S3 datastore: undefined until its
   * start step has recorded it (or when the execution failed before).
   *
   * @example
   * if ((await triggered.waitForCompletion()) === "SUCCEEDED") console.log(await (await triggered.run)?.data?.score);
   */
  get run(): Promise<Run<RunArtifacts<F>> | undefined> {
    return this.#readRun();
  }

  async #readRun(): Promise<Run<RunArtifacts<F>> | undefined> {
    const s3Root = this.#session.settings.s3Root;
    if (!s3Root) return undefined;
    try {
      return await Run.get<RunArtifacts<F>>(this.pathspec, {
        datastore: datastoreLocation(s3Root),
        namespace: null,
      });
    } catch (error) {
      if (isFlowshipError(error) && error.code === "FS_CLIENT_NOT_FOUND") return undefined;
      throw error;
    }
  }

  #facts() {
    const { clients, target, user } = this.#session;
    return { sfn: clients.sfn, target, user };
  }
}
