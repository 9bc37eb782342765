/**
 * The only reader of `process.env`. Every FLOWSHIP_* variable is listed here with its default;
 * command-line flags take precedence over them.
 */
import os from "node:os";
import path from "node:path";

export const ENVIRONMENT_VARIABLES = {
  FLOWSHIP_DATASTORE_ROOT: "Root folder of the local datastore. Default: ./.flowship",
  FLOWSHIP_CACHE_DIR:
    "Where compiled flows are cached for commands that do not run them against a local datastore (check, show, step-functions on S3, …). Default: $XDG_CACHE_HOME/flowship, else ~/.cache/flowship",
  "FLOWSHIP_RUN_<NAME>":
    "For each parameter: FLOWSHIP_RUN_<NAME> (upper-cased) is its value for `run` and `step-functions simulate` when the command line does not give one.",
  FLOWSHIP_USER: "User name recorded on runs and used for the default namespace `user:<name>`.",
  FLOWSHIP_PRODUCTION_TOKEN: "When set, runs belong to the namespace `production:<token>`.",
  FLOWSHIP_BRANCH:
    "For a flow with a project: the branch `--branch` names when it is not given (Metaflow's METAFLOW_BRANCH), for `run`, `resume` and the step-functions commands. --production wins over it; flows without a project ignore it.",
  FLOWSHIP_MAX_ARTIFACT_BYTES:
    "Largest artifact (serialized) a step may store; a larger one fails its step when stored, naming it. Default and most: what Node can read back as one value (buffer.constants.MAX_LENGTH, 4 GiB on Node 20)",
  FLOWSHIP_MAX_WORKERS: "Default for `run --max-workers`. Default: 16",
  FLOWSHIP_ISOLATION:
    "Default for `run --isolation`: host (each attempt a fresh worker thread in a reusable task host process that runs one attempt at a time), process (each attempt an OS process) or thread (each attempt a worker thread in the runtime). Default: host",
  FLOWSHIP_TASK_NODE_ARGS:
    "Extra node arguments for task processes, e.g. '--cpu-prof' or '--max-old-space-size=8192'. Task threads take only the flags a worker thread accepts; --max-old-space-size becomes each thread's heap limit.",
  FLOWSHIP_PROGRESS_INTERVAL: "Seconds between progress lines of a running flow, 0.1 to 86400. Default: 10",
  FLOWSHIP_DATASTORE: "Which datastore runs use: local (default) or s3.",
  FLOWSHIP_S3_ROOT: "Root of the S3 datastore: s3://bucket/prefix.",
  FLOWSHIP_S3_ENDPOINT:
    "Endpoint of an S3-compatible store (path-style requests), e.g. http://127.0.0.1:4568.",
  FLOWSHIP_S3_MAX_ATTEMPTS:
    "Attempts per S3 request, the first included, with backoff between them. Default: 10",
  FLOWSHIP_WITH: "Batch tasks: JSON list of --with decorator specs the flow was deployed with.",
  FLOWSHIP_DEBUG: "When 1, errors print their stack traces (like --debug).",
  FLOWSHIP_SECRET_ENV:
    "Comma-separated names of environment variables that hold secrets: their values are masked as *** in task logs and failure records. AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN always are.",
  FLOWSHIP_TASK: "Internal: the JSON task spec of a task process.",
  FLOWSHIP_WATCH_PARENT: "Internal: set by the local runtime so a task stops when the runtime dies.",
  FLOWSHIP_RUN_MARK:
    "Internal: set by the local runtime on every attempt, and passed on to the processes a step starts, so that none outlives its attempt or its run (docs/reliability.md).",
  FLOWSHIP_CONFIG: "The settings file `flowship configure aws` writes. Default: ~/.flowshiprc.json",
  FLOWSHIP_AWS_REGION:
    "AWS region flows are deployed to (step-functions commands). Default: the config file, else AWS_REGION.",
  FLOWSHIP_AWS_JOB_QUEUE: "AWS Batch job queue (name or ARN) the steps of deployed flows run on.",
  FLOWSHIP_AWS_S3_ROOT:
    "S3 datastore of deployed flows, s3://bucket/prefix: code packages and production runs.",
  FLOWSHIP_AWS_BATCH_JOB_ROLE: "IAM role ARN the Batch containers of deployed flows run as.",
  FLOWSHIP_AWS_SFN_ROLE: "IAM role ARN Step Functions runs deployed state machines as.",
  FLOWSHIP_AWS_SCHEDULER_ROLE:
    "IAM role ARN EventBridge Scheduler starts scheduled flows as (flows with a schedule).",
  FLOWSHIP_AWS_EVENTS_ROLE:
    "IAM role ARN EventBridge acts as: starts flows with triggerOnFinish, calls the webhook of --notify-webhook-url.",
  FLOWSHIP_AWS_IMAGE:
    "Container image of the Batch jobs of deployed flows. Default: public.ecr.aws/docker/library/node:22-slim (the official Node.js image on AWS's ECR Public mirror: Docker Hub caps anonymous pulls per IP address)",
  FLOWSHIP_AWS_COMPUTE:
    "What the job queue's compute environments are: ec2 (EC2 or Spot instances; resources pass through) or fargate (Fargate or Fargate Spot; resources round up to a valid Fargate pair). Default: ec2",
  FLOWSHIP_AWS_EXECUTION_ROLE:
    "IAM role ARN ECS pulls the image and writes the logs of Fargate jobs as; required when FLOWSHIP_AWS_COMPUTE is fargate.",
  FLOWSHIP_AWS_ASSIGN_PUBLIC_IP:
    "Fargate jobs: ENABLED or DISABLED, whether a job gets a public IP (without a NAT route, a subnet's jobs need one to pull the image and reach S3). Default: ENABLED",
  FLOWSHIP_AWS_FARGATE_PLATFORM_VERSION:
    "Fargate jobs: the Fargate platform version, e.g. 1.4.0. Default: LATEST",
  FLOWSHIP_AWS_NOTIFY_SNS_TOPIC:
    "SNS topic ARN that `step-functions create --notify-on-error` (and `--notify-on-success`) sends alerts to.",
  FLOWSHIP_AWS_NOTIFY_WEBHOOK_URL:
    "HTTPS webhook (Slack, Teams, incident.io…) that `step-functions create --notify-on-error` alerts through an EventBridge API destination. Keep it here rather than on the command line when its path is its secret.",
  FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH:
    "The header the webhook alert sends, 'Name: value' (e.g. 'Authorization: Bearer …'); EventBridge keeps it in Secrets Manager. Read at `step-functions create` only, never stored by flowship.",
  FLOWSHIP_PROJECT_BRANCH:
    "Batch tasks: the project branch (prod, test.<name>, user.<name>) `step-functions create` deployed a flow with a project to.",
  FLOWSHIP_BATCH_POLL_INTERVAL:
    "`run --with batch`: seconds between DescribeJobs calls that follow a run's Batch jobs, 0.1 to 86400. Default: 5",
  FLOWSHIP_BATCH_RUNNABLE_TIMEOUT:
    "`run --with batch`: seconds a Batch job may wait to start (SUBMITTED, PENDING or RUNNABLE) before it is terminated and its attempt fails, naming the queue and Batch's reason. Default: 1800",
  FLOWSHIP_ORCHESTRATOR:
    "Batch tasks: `local` when a local run (`run --with batch`) orchestrates the task instead of a state machine.",
  FLOWSHIP_DECORATORS:
    "Batch tasks of a local run: JSON list of the step's decorators, as the run computed them.",
  FLOWSHIP_LIVE_LOG_INTERVAL:
    "Batch tasks of a local run: seconds between uploads of the task's new output lines, which the run prints as they come (the run sets its FLOWSHIP_BATCH_POLL_INTERVAL).",
  FLOWSHIP_RUN_TAGS: "Batch tasks: JSON list of the tags `step-functions create --tag` gave production runs.",
  FLOWSHIP_NAMESPACE:
    "Batch tasks: the Client API namespace `step-functions create --namespace` chose instead of production:<token>.",
  FLOWSHIP_OPEN_COMMAND:
    "The command `card view` opens its HTML file with, and `ui --open` its address: a program and its arguments, split into words as a shell splits a simple command line (quotes group words), the file's path added last. Default: the platform's opener (open on macOS, start on Windows, xdg-open elsewhere)",
  FLOWSHIP_ALERT:
    "Batch tasks: JSON the job definition carries when the deployment alerts on errors (`step-functions create --notify-on-error`): a failing step sends its own alert.",
} as const;

type EnvName = keyof typeof ENVIRONMENT_VARIABLES;

function env(name: EnvName): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

export function datastoreRoot(flag?: string): string {
  return path.resolve(flag ?? env("FLOWSHIP_DATASTORE_ROOT") ?? ".flowship");
}

/** FLOWSHIP_OPEN_COMMAND: the command line that opens files for the user, when not the platform's own. */
export function openCommand(): string | undefined {
  return env("FLOWSHIP_OPEN_COMMAND");
}

/** The user's cache of compiled flows: FLOWSHIP_CACHE_DIR, else $XDG_CACHE_HOME/flowship, else ~/.cache/flowship. */
export function userCacheRoot(): string {
  const explicit = env("FLOWSHIP_CACHE_DIR");
  if (explicit) return path.resolve(explicit);
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), ".cache"), "flowship");
}

/** The value of a flow parameter set in the environment (FLOWSHIP_RUN_<NAME>), Metaflow's METAFLOW_RUN_<NAME>. */
export function parameterFromEnvironment(name: string): { variable: string; value: string | undefined } {
  const variable = `FLOWSHIP_RUN_${name.toUpperCase()}`;
  return { variable, value: process.env[variable] };
}

export function currentUser(): string {
  const fromEnv = env("FLOWSHIP_USER") ?? process.env.USER ?? process.env.USERNAME;
  if (fromEnv) return fromEnv;
  try {
    return os.userInfo().username;
  } catch {
    return "unknown";
  }
}

export function productionToken(): string | undefined {
  return env("FLOWSHIP_PRODUCTION_TOKEN");
}

/** FLOWSHIP_BRANCH, the environment's `--branch`, as given (resolveBranch checks it). */
export function branchFromEnvironment(): string | undefined {
  return env("FLOWSHIP_BRANCH");
}

/**
 * FLOWSHIP_MAX_ARTIFACT_BYTES as given: undefined when unset, NaN when not a number (the
 * serializer says so when a step stores an artifact).
 */
export function maxArtifactBytesSetting(): number | undefined {
  const text = env("FLOWSHIP_MAX_ARTIFACT_BYTES");
  return text === undefined ? undefined : /^[0-9]+$/.test(text.trim()) ? Number(text) : Number.NaN;
}

/** The raw FLOWSHIP_MAX_WORKERS value ("16" unset); the CLI and the Runner check it like the option it stands for. */
export function defaultMaxWorkers(): string {
  return env("FLOWSHIP_MAX_WORKERS") ?? "16";
}

/** The raw FLOWSHIP_ISOLATION value; the CLI checks it like the flag it stands for. */
export function defaultIsolation(): string {
  return env("FLOWSHIP_ISOLATION") ?? "host";
}

export function progressIntervalSeconds(): number {
  return intervalSeconds("FLOWSHIP_PROGRESS_INTERVAL", 10);
}

function positiveSeconds(name: EnvName, fallback: number): number {
  const value = Number(env(name) ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Seconds between repeated actions (timers), from 0.1 to a day, else `fallback`: a timer over
 * 2^31 ms (1e20 s) fires after 1 ms instead, and one under 0.1 s is no better, so either would
 * print progress or call AWS as fast as the process can.
 */
function intervalSeconds(name: EnvName, fallback: number): number {
  const value = positiveSeconds(name, fallback);
  return value >= 0.1 && value <= 86_400 ? value : fallback;
}

/** `run --with batch`: seconds between the DescribeJobs calls that follow a run's jobs. */
export function batchPollIntervalSeconds(): number {
  return intervalSeconds("FLOWSHIP_BATCH_POLL_INTERVAL", 5);
}

/** `run --with batch`: seconds a job may wait to start before its attempt fails. */
export function batchRunnableTimeoutSeconds(): number {
  return positiveSeconds("FLOWSHIP_BATCH_RUNNABLE_TIMEOUT", 1800);
}

/**
 * flowship runs on Node.js 20 on purpose (the machines it targets have it); the AWS SDK's notice
 * that its 2027 releases will need Node.js 22 would otherwise be printed by every command and task
 * that touches AWS. Respects a value the user set.
 */
export function quietAwsSdkNodeNotice(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
}

let debugFlag = false;

/** `--debug` was given: errors print their stacks (as FLOWSHIP_DEBUG=1 does). */
export function enableDebug(): void {
  debugFlag = true;
}

export function debugEnabled(): boolean {
  return debugFlag || env("FLOWSHIP_DEBUG") === "1";
}

/** Variables whose values are secrets whether or not FLOWSHIP_SECRET_ENV names them. */
export const ALWAYS_SECRET_ENV = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] as const;

/**
 * The values of the secret variables (see FLOWSHIP_SECRET_ENV), longest first. Values shorter
 * than 4 characters are left out: masking them would garble ordinary output.
 */
export function secretValues(): string[] {
  const named = (env("FLOWSHIP_SECRET_ENV") ?? "").split(",").map((name) => name.trim());
  const values = [...ALWAYS_SECRET_ENV, ...named]
    .filter((name) => name !== "")
    .map((name) => process.env[name] ?? "")
    // Output is masked line by line, so a multi-line secret (a PEM key) is masked by its lines too.
    .flatMap((value) =>
      value.includes("\n") ? [value, ...value.split(/\r?\n/).map((line) => line.trim())] : [value],
    )
    .filter((value) => value.length >= 4);
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/** The task spec a task process was started with (set by the runtime or the Batch command). */
export function taskSpecText(): string | undefined {
  return env("FLOWSHIP_TASK");
}

/** True in task processes started by the local runtime, which watch their stdin for its death. */
export function parentWatchEnabled(): boolean {
  return env("FLOWSHIP_WATCH_PARENT") === "1";
}

/** The variable that marks the processes of a local run's attempts (runtime/run-reaper.ts). */
export const RUN_MARK_VARIABLE = "FLOWSHIP_RUN_MARK" satisfies EnvName;

/** The mark of the attempt this process or thread runs, if a local runtime started it. */
export function runMark(): string | undefined {
  return env(RUN_MARK_VARIABLE);
}

/** FLOWSHIP_DATASTORE as given (checked by resolveDatastore), or undefined. */
export function datastoreKind(): string | undefined {
  return env("FLOWSHIP_DATASTORE");
}

export function s3Root(): string | undefined {
  return env("FLOWSHIP_S3_ROOT");
}

export function s3Endpoint(): string | undefined {
  return env("FLOWSHIP_S3_ENDPOINT");
}

export function s3MaxAttempts(): number {
  const value = Number(env("FLOWSHIP_S3_MAX_ATTEMPTS") ?? 10);
  return Number.isInteger(value) && value > 0 ? value : 10;
}

export function taskNodeArgs(): string[] {
  return (env("FLOWSHIP_TASK_NODE_ARGS") ?? "").split(/\s+/).filter(Boolean);
}

/**
 * The variables that point a task's Client API (Flow.get, Run.get…) at the datastore its run
 * uses, whatever folder the task runs in; see client/client-context.ts.
 */
export function datastoreEnv(location: {
  kind: "local" | "s3";
  root: string;
  endpoint?: string;
}): Record<string, string> {
  if (location.kind === "local")
    return { FLOWSHIP_DATASTORE: "local", FLOWSHIP_DATASTORE_ROOT: location.root };
  return {
    FLOWSHIP_DATASTORE: "s3",
    FLOWSHIP_S3_ROOT: location.root,
    ...(location.endpoint ? { FLOWSHIP_S3_ENDPOINT: location.endpoint } : {}),
  };
}

/** The environment a Batch task reads its FLOWSHIP_* settings from (see aws/batch). */
export function batchTaskEnvironment(): Record<string, string | undefined> {
  return { ...process.env };
}

/** Decorator specs given with --with when the flow was deployed (Batch tasks). */
export function deployedWithSpecs(): string[] {
  const text = env("FLOWSHIP_WITH");
  if (!text) return [];
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? value.map(String) : [];
}

/** Where `flowship configure aws` writes its settings and step-functions commands read them. */
export function configFilePath(): string {
  return path.resolve(env("FLOWSHIP_CONFIG") ?? path.join(os.homedir(), ".flowshiprc.json"));
}

/** The AWS deployment settings given by FLOWSHIP_AWS_* variables; they win over the config file. */
export function awsSettingsFromEnv(): Record<string, string | undefined> {
  return {
    region: env("FLOWSHIP_AWS_REGION"),
    jobQueue: env("FLOWSHIP_AWS_JOB_QUEUE"),
    s3Root: env("FLOWSHIP_AWS_S3_ROOT"),
    batchJobRole: env("FLOWSHIP_AWS_BATCH_JOB_ROLE"),
    sfnRole: env("FLOWSHIP_AWS_SFN_ROLE"),
    schedulerRole: env("FLOWSHIP_AWS_SCHEDULER_ROLE"),
    eventsRole: env("FLOWSHIP_AWS_EVENTS_ROLE"),
    image: env("FLOWSHIP_AWS_IMAGE"),
    compute: env("FLOWSHIP_AWS_COMPUTE"),
    executionRole: env("FLOWSHIP_AWS_EXECUTION_ROLE"),
    assignPublicIp: env("FLOWSHIP_AWS_ASSIGN_PUBLIC_IP"),
    fargatePlatformVersion: env("FLOWSHIP_AWS_FARGATE_PLATFORM_VERSION"),
    notifySnsTopic: env("FLOWSHIP_AWS_NOTIFY_SNS_TOPIC"),
    notifyWebhookUrl: env("FLOWSHIP_AWS_NOTIFY_WEBHOOK_URL"),
  };
}

/**
 * The header a webhook alert authenticates with, "Name: value" (e.g. "Authorization: Bearer …").
 * Only ever from the environment, so the token is in no settings file, flag or shell history.
 */
export function webhookAuthFromEnv(): string | undefined {
  return env("FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH");
}

/** The AWS SDK's own region variable, the last resort for the deploy region. */
export function sdkRegion(): string | undefined {
  const value = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  return value === "" ? undefined : value;
}

/** Tags of production runs chosen at deploy time (`step-functions create --tag`). */
export function deployedRunTags(): string[] {
  const text = env("FLOWSHIP_RUN_TAGS");
  if (!text) return [];
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? value.map(String) : [];
}

/** The project branch a flow with a project was deployed to. */
export function deployedProjectBranch(): string | undefined {
  return env("FLOWSHIP_PROJECT_BRANCH");
}

/** The Client API namespace chosen at deploy time (`step-functions create --namespace`). */
export function deployedNamespace(): string | undefined {
  return env("FLOWSHIP_NAMESPACE");
}
