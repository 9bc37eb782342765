/**
 * The one error base of flowship. Every error a user can cause carries a stable `code`
 * (`FS_<AREA>_<WHAT>`), a one-line message that names what failed and where, and an exit code
 * for the CLI. It is branded with a global symbol because user flows are bundled and may carry
 * their own copy of this module, which would break `instanceof`.
 */
const BRAND = Symbol.for("flowship.error");

export interface FlowshipErrorOptions {
  cause?: unknown;
  /** Exit code the CLI uses for this error. @default 1 */
  exitCode?: number;
}

export class FlowshipError extends Error {
  readonly code: string;
  readonly exitCode: number;
  readonly [BRAND] = true;

  constructor(code: string, message: string, options: FlowshipErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A mistake in how the command line was used: exit code 2. */
export class UsageError extends FlowshipError {
  constructor(message: string, code = "FS_CLI_USAGE") {
    super(code, message, { exitCode: 2 });
  }
}

export function isFlowshipError(value: unknown): value is FlowshipError {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Thrown by user code to say "do not retry this attempt": the task fails at once even when a
 * `retry` decorator would allow more attempts.
 */
export class NonRetryableError extends Error {
  readonly nonRetryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "NonRetryableError";
  }
}

/** What crosses a process boundary when a step fails: plain data, safe to store as JSON. */
export interface StepFailure {
  type: string;
  message: string;
  stack?: string;
  code?: string;
  retryable: boolean;
}

/**
 * What a thrown value is, as a failure. Never throws: a value whose reading throws (a getter on
 * `message`, a Proxy) or holds no string where one belongs is still the step's failure, not a
 * crash of the task that would lose it.
 */
export function toStepFailure(error: unknown): StepFailure {
  try {
    return readFailure(error);
  } catch (reading) {
    let why: string;
    try {
      why = String((reading as Error)?.message ?? reading);
    } catch {
      why = "an unreadable value";
    }
    return {
      type: "unknown",
      message: `a value was thrown that cannot be read (reading it threw: ${why})`,
      retryable: true,
    };
  }
}

function readFailure(error: unknown): StepFailure {
  if (error instanceof Error) {
    const code = isFlowshipError(error) ? error.code : undefined;
    const { name, stack } = error;
    return {
      type: (typeof name === "string" && name) || error.constructor?.name || "Error",
      message: String(error.message),
      ...(typeof stack === "string" ? { stack } : {}),
      ...(code ? { code } : {}),
      retryable: !(error as { nonRetryable?: boolean }).nonRetryable,
    };
  }
  return { type: thrownType(error), message: describeThrown(error), retryable: true };
}

/** What kind of value was thrown, when it is not an Error: `object`, `string`, `undefined`… */
function thrownType(value: unknown): string {
  return value === null ? "null" : typeof value;
}

/**
 * A thrown value that is not an Error, in words: `throw {code: 42}` as its JSON, not
 * "[object Object]"; an object without a prototype (which String() cannot convert) too.
 */
function describeThrown(value: unknown): string {
  if (typeof value !== "object" || value === null) return String(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined)
      return `a non-Error object was thrown: ${json.length > 2000 ? `${json.slice(0, 2000)}…` : json}`;
  } catch {
    // A cycle or a BigInt: fall back to its keys.
  }
  return `a non-Error object was thrown, with keys: ${Object.keys(value).join(", ") || "(none)"}`;
}
