/**
 * Decorators change how a step runs (retries, time limits, resources) or how a flow is deployed
 * (schedules). They are plain data so that the local runtime, the Step Functions compiler and
 * `--with` on the command line all read the same thing.
 */
import { FlowDefinitionError } from "./errors.js";
import { unknownOption } from "./option-keys.js";

export interface RetryOptions {
  /** How many times a failed attempt is retried; 0 means never. @default 3 */
  times?: number;
  /** Minutes to wait before each retry. @default 0 */
  minutesBetweenRetries?: number;
}

export interface CatchOptions {
  /** Artifact that receives the error (`{ type, message, stack }`) when the step fails. */
  var?: string;
  /** Print the caught error to stderr. @default true */
  printException?: boolean;
}

export interface TimeoutOptions {
  seconds?: number;
  minutes?: number;
  hours?: number;
}

export interface ResourcesOptions {
  /** vCPUs. @default 1 */
  cpu?: number;
  /** Memory in MiB. @default 4096 */
  memory?: number;
  /** GPUs. @default 0 */
  gpu?: number;
}

/**
 * Where and how a step runs on AWS Batch during a local run (`run --with batch` or `batch()` on a
 * step). Option names follow Metaflow's `@batch` (`iam_role` is `iamRole`, `execution_role` is
 * `executionRole`; `--with batch:iam_role=…` takes either spelling).
 */
export interface BatchOptions {
  /** vCPUs. @default the step's `resources`, else 1 */
  cpu?: number;
  /** Memory in MiB. @default the step's `resources`, else 4096 */
  memory?: number;
  /** GPUs (EC2 compute only). @default the step's `resources`, else 0 */
  gpu?: number;
  /** Container image with Node.js >= 20. @default the `image` setting, else node:22-slim from ECR Public */
  image?: string;
  /** Job queue, name or ARN. @default the `jobQueue` setting (FLOWSHIP_AWS_JOB_QUEUE) */
  queue?: string;
  /** Role ARN the job's AWS calls use. @default the `batchJobRole` setting */
  iamRole?: string;
  /** Fargate: role ARN ECS pulls the image as. @default the `executionRole` setting */
  executionRole?: string;
}

export interface EnvironmentOptions {
  vars: Record<string, string>;
}

export interface ScheduleOptions {
  hourly?: boolean;
  daily?: boolean;
  weekly?: boolean;
  /** AWS 6-field cron expression, e.g. `0 10 * * ? *`. */
  cron?: string;
  /** IANA time zone the schedule fires in. @default "UTC" */
  timezone?: string;
}

export interface CardOptions {
  /** Title of the task's default card. @default "Task <step>/<task id>", e.g. "Task train/0" */
  title?: string;
}

export type StepDecorator =
  | { kind: "retry"; options: Required<RetryOptions> }
  | { kind: "catch"; options: { var?: string; printException: boolean } }
  | { kind: "timeout"; options: { seconds: number } }
  | { kind: "resources"; options: Required<ResourcesOptions> }
  | { kind: "environment"; options: EnvironmentOptions }
  | { kind: "batch"; options: BatchOptions }
  | { kind: "card"; options: CardOptions };

export interface TriggerOnFinishOptions {
  /** The upstream flow: when its production state machine (named after it) succeeds, this flow starts. */
  flow: string;
}

export interface ProjectOptions {
  /** The project's name: lowercase letters, digits and `_`, starting with a letter, at most 32. */
  name: string;
}

export interface TriggerOptions {
  /** The event's name: the `detail-type` of the EventBridge events that start the flow. */
  event: string;
  /**
   * Parameters taken from the event: parameter name → dotted path in the event's `detail`, e.g.
   * `{ alpha: "payload.alpha" }` (what `flowship event send --payload` puts under `payload`).
   * Parameters not named keep their defaults.
   */
  parameters?: Record<string, string>;
  /** The event bus. @default "default" */
  bus?: string;
}

export type FlowDecorator =
  | { kind: "schedule"; options: ScheduleOptions }
  | { kind: "triggerOnFinish"; options: TriggerOnFinishOptions }
  | { kind: "project"; options: ProjectOptions }
  | { kind: "trigger"; options: Required<TriggerOptions> };

export type StepDecoratorKind = StepDecorator["kind"];

/** Most attempts a task may have; more is almost always a mistake and costs real money on AWS. */
export const MAX_RETRIES = 100;

/**
 * The longest wait a step's timeout or its pause between retries may ask for: 365 days, the longest
 * a Step Functions standard execution runs (a longer one could never end or come). A local run
 * waits at most 24.8 days, its timers' limit (util/timer-delay.ts).
 */
export const MAX_WAIT_SECONDS = 365 * 86_400;

/** A value as a message shows it: JSON, but Infinity and NaN as written (JSON says null). */
function shown(value: unknown): string {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
}

function checkInteger(decorator: string, field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid ${decorator} decorator: '${field}' must be a whole number from ${min} to ${max}, got ${shown(value)}.`,
    );
  }
  return value;
}

function checkNumber(decorator: string, field: string, value: unknown, min: number, max?: number): number {
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < min ||
    (max !== undefined && value > max)
  ) {
    const range = max === undefined ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid ${decorator} decorator: '${field}' must be a number ${range}, got ${shown(value)}.`,
    );
  }
  return value;
}

/** Refuses an option `decorator` does not take (a typo would leave the default in force, silently). */
function checkKnownOptions(decorator: string, options: unknown, known: readonly string[]): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid ${decorator} decorator: give an object of options (${known.join(", ")}), got ${shown(options)}.`,
    );
  }
  const unknown = unknownOption(options, known);
  if (unknown !== undefined) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid ${decorator} decorator: unknown option '${unknown.key}'${unknown.hint}; ${decorator} takes ${known.join(", ")}.`,
    );
  }
}

/** Re-run a failed step: `retry()` retries 3 times, `retry({ times: 0 })` never. */
export function retry(options: RetryOptions = {}): StepDecorator {
  checkKnownOptions("retry", options, OPTION_NAMES.retry!);
  return {
    kind: "retry",
    options: {
      times: checkInteger("retry", "times", options.times ?? 3, 0, MAX_RETRIES),
      minutesBetweenRetries: checkNumber(
        "retry",
        "minutesBetweenRetries",
        options.minutesBetweenRetries ?? 0,
        0,
        MAX_WAIT_SECONDS / 60,
      ),
    },
  };
}

/**
 * Turn a step failure into data: after its retries, a failing step stores the error in the
 * artifact `var` and the flow goes on. (Named `catchError` because `catch` is a reserved word.)
 */
export function catchError(options: CatchOptions = {}): StepDecorator {
  checkKnownOptions("catchError", options, OPTION_NAMES.catchError!);
  if (options.var !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.var)) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid catchError decorator: 'var' must be an identifier, got ${JSON.stringify(options.var)}.`,
    );
  }
  return {
    kind: "catch",
    options: { ...(options.var ? { var: options.var } : {}), printException: options.printException ?? true },
  };
}

/** Kill an attempt that runs longer than the given duration; it counts as a failure. */
export function timeout(options: TimeoutOptions): StepDecorator {
  checkKnownOptions("timeout", options, OPTION_NAMES.timeout!);
  const seconds =
    checkNumber("timeout", "seconds", options.seconds ?? 0, 0) +
    60 * checkNumber("timeout", "minutes", options.minutes ?? 0, 0) +
    3600 * checkNumber("timeout", "hours", options.hours ?? 0, 0);
  if (seconds <= 0) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      "Invalid timeout decorator: the duration must be more than 0; give seconds, minutes or hours.",
    );
  }
  if (seconds > MAX_WAIT_SECONDS) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid timeout decorator: the duration must be at most 365 days (${MAX_WAIT_SECONDS} s), got ${seconds} s.`,
    );
  }
  return { kind: "timeout", options: { seconds } };
}

/** What a step needs on AWS Batch. Locally it is recorded, not enforced. */
export function resources(options: ResourcesOptions = {}): StepDecorator {
  checkKnownOptions("resources", options, OPTION_NAMES.resources!);
  return {
    kind: "resources",
    options: {
      cpu: checkNumber("resources", "cpu", options.cpu ?? 1, 0.25),
      memory: checkInteger("resources", "memory", options.memory ?? 4096, 1, 4_000_000),
      gpu: checkInteger("resources", "gpu", options.gpu ?? 0, 0, 64),
    },
  };
}

/**
 * Run the step on AWS Batch when the flow runs locally: the laptop orchestrates, the step's
 * tasks are Batch jobs with production's job definition and command. Needs the S3 datastore.
 * Deployed flows run every step on Batch anyway, and take its cpu, memory and gpu as `resources`.
 *
 * @example
 * .step("train", fn, { next: "end", decorators: [batch({ cpu: 4, memory: 16384 })] })
 */
export function batch(options: BatchOptions = {}): StepDecorator {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid batch decorator: give an object of options such as { cpu: 4, memory: 16384 }, got ${shown(options)}.`,
    );
  }
  // Metaflow's options not supported yet are named as such; a misspelt option (memroy) would
  // otherwise be dropped without a word and the job run with the default.
  const camelOf = (key: string) => key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  for (const key of Object.keys(options)) {
    if (UNSUPPORTED_BATCH_OPTIONS.has(camelOf(key))) {
      throw new FlowDefinitionError("FS_FLOW_BAD_DECORATOR", unsupportedBatchOption(key, "batch()").message);
    }
  }
  const unknown = Object.keys(options).filter((key) => !OPTION_NAMES.batch!.includes(key));
  if (unknown.length > 0) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid batch decorator: unknown option '${unknown[0]}'; batch takes ${OPTION_NAMES.batch!.join(", ")}.`,
    );
  }
  const checked: BatchOptions = {};
  if (options.cpu !== undefined) checked.cpu = checkNumber("batch", "cpu", options.cpu, 0.25);
  if (options.memory !== undefined)
    checked.memory = checkInteger("batch", "memory", options.memory, 1, 4_000_000);
  if (options.gpu !== undefined) checked.gpu = checkInteger("batch", "gpu", options.gpu, 0, 64);
  for (const field of ["image", "queue", "iamRole", "executionRole"] as const) {
    const value = options[field];
    if (value === undefined) continue;
    if (typeof value !== "string" || value.trim() === "") {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_DECORATOR",
        `Invalid batch decorator: '${field}' must be a non-empty string, got ${JSON.stringify(value)}.`,
      );
    }
    checked[field] = value;
  }
  return { kind: "batch", options: checked };
}

/**
 * Give the step's tasks a default card: their parameters, where the step sits in the graph and
 * (once the task ended) its artifacts, followed by what the step appends with `current.card`.
 * `run --with card` gives every step one. See docs/cards.md.
 *
 * @example
 * .step("train", fn, { next: "end", decorators: [card({ title: "Training" })] })
 */
export function card(options: CardOptions = {}): StepDecorator {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid card decorator: card() takes options such as { title: "Report" }, got ${JSON.stringify(options)}.`,
    );
  }
  // Metaflow's @card(id=…, type=…) have no counterpart here: refused by name, not ignored.
  const unknown = Object.keys(options).find((key) => key !== "title");
  if (unknown !== undefined) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid card decorator: unknown option '${unknown}'; card takes title${unknown === "id" ? " (a card of another id needs no decorator: current.card.get(id))" : ""}.`,
    );
  }
  if (options.title !== undefined && (typeof options.title !== "string" || options.title.trim() === "")) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid card decorator: 'title' must be a non-empty string, got ${JSON.stringify(options.title)}.`,
    );
  }
  return { kind: "card", options: options.title !== undefined ? { title: options.title } : {} };
}

/** Environment variables set for the step's process. */
export function environment(options: EnvironmentOptions): StepDecorator {
  checkKnownOptions("environment", options, ["vars"]);
  const vars = options?.vars;
  if (typeof vars !== "object" || vars === null) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      "Invalid environment decorator: 'vars' must be an object.",
    );
  }
  for (const [name, value] of Object.entries(vars)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || typeof value !== "string") {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_DECORATOR",
        `Invalid environment decorator: variable '${name}' must have an identifier name and a string value.`,
      );
    }
  }
  return { kind: "environment", options: { vars: { ...vars } } };
}

/** When the deployed flow runs by itself. Inert in local runs. */
export function schedule(options: ScheduleOptions): FlowDecorator {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid schedule decorator: give an object such as { daily: true } or { cron: "0 10 * * ? *" }, got ${shown(options)}.`,
    );
  }
  checkKnownOptions("schedule", options, ["hourly", "daily", "weekly", "cron", "timezone"]);
  // Flows in plain JavaScript get no type check: a number as cron would reach the cron parser.
  for (const field of ["cron", "timezone"] as const) {
    if (options[field] !== undefined && typeof options[field] !== "string") {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_DECORATOR",
        `Invalid schedule decorator: '${field}' must be a string, got ${shown(options[field])}.`,
      );
    }
  }
  const chosen = (["hourly", "daily", "weekly", "cron"] as const).filter((key) => options[key]);
  if (chosen.length !== 1) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      "Invalid schedule decorator: give exactly one of hourly, daily, weekly or cron.",
    );
  }
  return { kind: "schedule", options: { ...options } };
}

/**
 * Start the deployed flow whenever a run of another deployed flow succeeds (an EventBridge rule on
 * the upstream state machine's executions). Several of them start it after any one. Inert in
 * local runs; the flow runs with its parameters' defaults.
 *
 * @example
 * flow("ReportFlow").decorator(triggerOnFinish({ flow: "TrainFlow" }))
 */
export function triggerOnFinish(options: TriggerOnFinishOptions): FlowDecorator {
  checkKnownOptions("triggerOnFinish", options, ["flow"]);
  const upstream = options?.flow;
  if (typeof upstream !== "string" || !/^[A-Za-z0-9_-]{1,80}$/.test(upstream)) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid triggerOnFinish decorator: 'flow' must be the name of a flow (1 to 80 letters, digits, '-' or '_'), got ${JSON.stringify(upstream)}.`,
    );
  }
  return { kind: "triggerOnFinish", options: { flow: upstream } };
}

/**
 * Start the deployed flow whenever an EventBridge event with this name (`detail-type`) arrives on
 * the bus, with parameters taken from the event. Inert in local runs. Send one with
 * `npx flowship event send data_ready --payload '{"alpha": 0.5}'`, or from any AWS service or SDK.
 *
 * @example
 * flow("ScoringFlow").decorator(trigger({ event: "data_ready", parameters: { alpha: "payload.alpha" } }))
 */
export function trigger(options: TriggerOptions): FlowDecorator {
  const bad = (what: string) =>
    new FlowDefinitionError("FS_FLOW_BAD_DECORATOR", `Invalid trigger decorator: ${what}.`);
  checkKnownOptions("trigger", options, ["event", "parameters", "bus"]);
  const event = options?.event;
  if (typeof event !== "string" || !/^[A-Za-z0-9._:/-]{1,128}$/.test(event)) {
    throw bad(`'event' must be 1 to 128 letters, digits or . _ : / -, got ${JSON.stringify(event)}`);
  }
  const bus = options.bus ?? "default";
  if (typeof bus !== "string" || !/^[A-Za-z0-9._/-]{1,256}$/.test(bus)) {
    throw bad(`'bus' must be an event bus name, got ${JSON.stringify(bus)}`);
  }
  const parameters = options.parameters ?? {};
  for (const [name, path] of Object.entries(parameters)) {
    if (typeof path !== "string" || !/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(path)) {
      throw bad(
        `parameter '${name}' must map to a dotted path in the event's detail such as "payload.${name}", got ${JSON.stringify(path)}`,
      );
    }
  }
  return { kind: "trigger", options: { event, parameters: { ...parameters }, bus } };
}

/**
 * Make the flow part of a project: each deployment is one branch of it — the deployer's own
 * (`user.<name>`, the default), a named test branch (`--branch`) or production (`--production`) —
 * with its own state machine, schedule, triggers and namespace, and `triggerOnFinish` stays within
 * the branch. Runs are tagged `project:<name>` and `project_branch:<branch>`; see `current.project`.
 *
 * @example
 * flow("FraudFlow").decorator(project({ name: "fraud" }))
 */
export function project(options: ProjectOptions): FlowDecorator {
  checkKnownOptions("project", options, ["name"]);
  const name = options?.name;
  if (typeof name !== "string" || !/^[a-z][a-z0-9_]{0,31}$/.test(name)) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid project decorator: 'name' must be 1 to 32 lowercase letters, digits or '_', starting with a letter, got ${JSON.stringify(name)}.`,
    );
  }
  return { kind: "project", options: { name } };
}

/** A bad `--with` is a bad command-line flag: exit code 2, like other usage errors. */
const USAGE = { exitCode: 2 } as const;

/**
 * Parses a `--with` spec such as `retry`, `retry:times=2` or `resources:memory=8192,cpu=2`.
 * Values are numbers when they look like numbers, otherwise strings.
 */
/** The options each decorator takes in `--with` (environment takes any variable name). */
const OPTION_NAMES: Record<string, readonly string[]> = {
  retry: ["times", "minutesBetweenRetries"],
  catch: ["var", "printException"],
  catchError: ["var", "printException"],
  timeout: ["seconds", "minutes", "hours"],
  resources: ["cpu", "memory", "gpu"],
  batch: ["cpu", "memory", "gpu", "image", "queue", "iamRole", "executionRole"],
  card: ["title"],
};

/**
 * Metaflow's `@batch` options flowship does not pass to Batch yet (camelCase). They are refused by
 * name, as not supported, rather than as unknown or silently dropped: a run without them behaves
 * differently on Batch (no /dev/shm size, no swap, no tags…), which the user should decide.
 */
const UNSUPPORTED_BATCH_OPTIONS = new Set([
  "sharedMemory",
  "maxSwap",
  "swappiness",
  "useTmpfs",
  "tmpfsSize",
  "tmpfsTempdir",
  "tmpfsPath",
  "hostVolumes",
  "efsVolumes",
  "ephemeralStorage",
  "logDriver",
  "logOptions",
  "privileged",
  "efa",
  "inferentia",
  "trainium",
  "awsBatchTags",
]);

function unsupportedBatchOption(key: string, where: string): FlowDefinitionError {
  return new FlowDefinitionError(
    "FS_FLOW_BAD_WITH",
    `Option '${key}' of ${where} is one of Metaflow's @batch options flowship does not support yet: remove it (the job then gets Batch's default for it).`,
    USAGE,
  );
}

/** A decorator from its `--with` text, `NAME` or `NAME:key=value,key=value` (`retry:times=2`). */
export function parseDecoratorSpec(spec: string): StepDecorator {
  return decoratorFromText(spec, "--with");
}

/**
 * A decorator from its text form, as {@link parseDecoratorSpec}.
 * @param where where the text was given, for messages: `--with` on the command line, `option 'with'` in code
 */
export function decoratorFromText(spec: string, where: string): StepDecorator {
  const [name, rest] = spec.split(/:(.*)/s, 2) as [string, string | undefined];
  const options = optionsFromText(spec, name, rest, where);
  const factories: Record<string, (o: any) => StepDecorator> = {
    retry,
    catch: catchError,
    catchError,
    timeout,
    resources,
    batch,
    card,
    environment: (o) => environment({ vars: o as Record<string, string> }),
  };
  const factory = factories[name.trim()];
  camelCaseOptions(options, spec, name, where);
  if (!factory) {
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_WITH",
      `Unknown decorator in ${where}: '${name}'. Known: retry, catchError, timeout, resources, environment, batch, card.`,
      USAGE,
    );
  }
  try {
    return factory(options);
  } catch (error) {
    if (error instanceof FlowDefinitionError) {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_WITH",
        `${error.message.replace(/\.$/, "")} (from ${where} ${spec}).`,
        { ...USAGE, cause: error },
      );
    }
    throw error;
  }
}

/**
 * The `key=value` pairs after a decorator's name in its text form, each value read as a number, a
 * boolean or text.
 */
function optionsFromText(
  spec: string,
  name: string,
  rest: string | undefined,
  where: string,
): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const pair of rest ? rest.split(",") : []) {
    // Split at the first "=" only: a value may hold more (OPTS=--level=3, base64 padding).
    const at = pair.indexOf("=");
    const key = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? undefined : pair.slice(at + 1);
    if (!key || value === undefined) {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_WITH",
        `Invalid ${where} value: '${spec}'. Use NAME or NAME:key=value,key=value (e.g. retry:times=2).`,
        USAGE,
      );
    }
    // Given twice, which value wins is a guess; Metaflow's snake_case and flowship's camelCase
    // name one option (not so for environment, whose keys are variable names).
    const canonical = (k: string) =>
      OPTION_NAMES[name.trim()] ? k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) : k;
    if (Object.keys(options).some((k) => canonical(k) === canonical(key.trim()))) {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_WITH",
        `Invalid ${where} value: '${spec}' gives the option '${key.trim()}' twice; give it once.`,
        USAGE,
      );
    }
    // An environment variable's value is text, whatever it looks like (FOO=1, DEBUG=true).
    options[key.trim()] =
      name.trim() === "environment"
        ? value
        : value.trim() !== "" && !Number.isNaN(Number(value))
          ? Number(value)
          : value === "true"
            ? true
            : value === "false"
              ? false
              : value;
  }
  return options;
}

/**
 * Renames Metaflow's spelling of each option (minutes_between_retries) to flowship's, in place, and
 * refuses an option the decorator does not take. A decorator without a list (environment) is left as is.
 */
function camelCaseOptions(options: Record<string, unknown>, spec: string, name: string, where: string): void {
  const known = OPTION_NAMES[name.trim()];
  if (!known) return;
  for (const key of Object.keys(options)) {
    const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    if (camel !== key) {
      options[camel] = options[key];
      delete options[key];
    }
    if (name.trim() === "batch" && UNSUPPORTED_BATCH_OPTIONS.has(camel)) {
      throw unsupportedBatchOption(key, `batch in ${where} ${spec}`);
    }
    if (!known.includes(camel)) {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_WITH",
        `Unknown option '${key}' of ${name.trim()} in ${where} ${spec}: ${name.trim()} takes ${known.join(", ")}.`,
        USAGE,
      );
    }
  }
}
