/**
 * The errors only the programmatic API raises. Everything else it throws is the CLI's own
 * FlowshipError with the same FS_* code (`FS_PARAM_VALUE`, `FS_FLOW_NOT_FOUND`, `FS_SFN_NOT_DEPLOYED`
 * …): a test asserts on `error.code` whichever way the flow was started.
 */
import type { AnyArtifacts } from "../client/data-artifact.js";
import type { Run } from "../client/run.js";
import { FlowshipError } from "../errors.js";

/** Codes of the API's own errors. */
export const API_ERROR_CODES = {
  /** A local run ended failed: a task failed, or its end could not be recorded. */
  runFailed: "FS_RUN_FAILED",
  /** A local run was stopped through its AbortSignal (or `cancel()`). */
  runCancelled: "FS_RUN_CANCELLED",
  /** A flow object whose file flowship cannot tell (it compiles that file for the tasks). */
  flowFileUnknown: "FS_API_FLOW_FILE_UNKNOWN",
  /** A flow declared in (or a flow file that is) the program calling the API: its top level would run again in every task. */
  flowInProgram: "FS_API_FLOW_IN_PROGRAM",
  /** `waitForCompletion` ran out of time; the run goes on. */
  waitTimeout: "FS_API_WAIT_TIMEOUT",
  /** A simulated execution (`Deployer.simulate`) ended failed. */
  simulateFailed: "FS_SIMULATE_FAILED",
  /** An option of a call that is not one it takes: a number out of range, an unknown choice. */
  badOption: "FS_API_OPTION",
} as const;

/**
 * A run that did not succeed. `run` is the Client API's view of it (its failed step, its logs,
 * `failureReason`), undefined only when the run never got a record.
 *
 * @example
 * catch (error) {
 *   if (error instanceof RunFailedError) console.error(error.run?.failureReason);
 * }
 */
export class RunFailedError<A extends object = AnyArtifacts> extends FlowshipError {
  /** `Flow/runId`. */
  readonly pathspec: string;
  /** The run as the Client API reads it; undefined when it was never recorded. */
  readonly run: Run<A> | undefined;

  constructor(options: {
    pathspec: string;
    reason: string;
    /** Stopped by its caller: FS_RUN_CANCELLED. */
    cancelled?: boolean;
    /** A simulated execution: FS_SIMULATE_FAILED, as `step-functions simulate` says. */
    simulated?: boolean;
    run?: Run<A>;
  }) {
    super(
      options.simulated
        ? API_ERROR_CODES.simulateFailed
        : options.cancelled
          ? API_ERROR_CODES.runCancelled
          : API_ERROR_CODES.runFailed,
      `${options.simulated ? "Simulated execution failed" : options.cancelled ? "Run cancelled" : "Run failed"}: '${options.pathspec}' (${options.reason.replace(/\.$/, "")}).`,
    );
    this.pathspec = options.pathspec;
    this.run = options.run;
  }
}

/** A mistake in how the API was called that the CLI cannot make. */
export class ApiUsageError extends FlowshipError {
  constructor(code: string, message: string) {
    super(code, message, { exitCode: 2 });
  }
}
