/**
 * The errors only the programmatic API raises. Everything else it throws is the CLI's own
 * FlowshipError with the same FS_* code (`FS_PARAM_VALUE`, `FS_FLOW_NOT_FOUND`, `FS_SFN_NOT_DEPLOYED`
 * …): a test asserts on `error.code` whichever way the flow was started.
 */
import { FlowshipError } from "../errors.js";

/** Codes of the API's own errors. */
export const API_ERROR_CODES = {
  /** A local run ended failed: a task failed, or its end could not be recorded. */
  runFailed: "FS_RUN_FAILED",
  /** A local run was stopped through its AbortSignal (or `cancel()`). */
  runCancelled: "FS_RUN_CANCELLED",
  /** A flow object whose file flowship cannot tell (it compiles that file for the tasks). */
  flowFileUnknown: "FS_API_FLOW_FILE_UNKNOWN",
  /** `waitForCompletion` ran out of time; the run goes on. */
  waitTimeout: "FS_API_WAIT_TIMEOUT",
  /** A simulated execution (`Deployer.simulate`) ended failed. */
  simulateFailed: "FS_SIMULATE_FAILED",
} as const;

/**
 * A run that did not succeed. `run` is the Client API's view of it (its failed step, its logs),
 * undefined only when the run never got a record.
 */
export class RunFailedError<R = unknown> extends FlowshipError {
  /** `Flow/runId`. */
  readonly pathspec: string;
  readonly run: R | undefined;

  constructor(options: {
    pathspec: string;
    reason: string;
    /** Stopped by its caller: FS_RUN_CANCELLED. */
    cancelled?: boolean;
    /** A simulated execution: FS_SIMULATE_FAILED, as `step-functions simulate` says. */
    simulated?: boolean;
    run?: R;
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
