/**
 * The AWS settings of step-functions commands: where flows run (region, Batch job queue, image),
 * where their data goes (S3 root) and the IAM roles the services act as. They come from
 * FLOWSHIP_AWS_* variables or the file `flowship configure aws` writes; a variable wins over the
 * file. Credentials are never among them: the AWS SDK finds those itself (environment, profile,
 * SSO, instance or task role).
 */
import fs from "node:fs";
import { awsSettingsFromEnv, configFilePath, sdkRegion } from "../../config.js";
import { FlowshipError, isFlowshipError } from "../../errors.js";
import { writeFileAtomic } from "../../util/atomic-file.js";
import { closestName } from "../../util/did-you-mean.js";
import { explainIoError } from "../../util/io-error.js";
import { ASSIGN_PUBLIC_IP, COMPUTE_KINDS, type ComputeKind } from "../compile/compile-options.js";
import { AwsSettingsError } from "./errors.js";

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

interface SettingRule {
  /** Environment variable that sets it. */
  env: string;
  /** Option of `flowship configure aws`. */
  flag: string;
  /** What it is, for prompts and messages. */
  label: string;
  example: string;
  valid: (value: string) => boolean;
  /** Holds a secret: messages and prompts show it as {@link redactUrl} does. */
  secret?: true;
}

/** Every setting, with its variable, `configure aws` flag and format. */
export const AWS_SETTINGS = {
  region: {
    env: "FLOWSHIP_AWS_REGION",
    flag: "--region",
    label: "AWS region",
    example: "eu-west-1",
    valid: (v) => /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(v),
  },
  jobQueue: {
    env: "FLOWSHIP_AWS_JOB_QUEUE",
    flag: "--job-queue",
    label: "AWS Batch job queue",
    example: "flowship-queue",
    // A name, or the ARN of one (Batch's rule: 1 to 128 letters, digits, '-' and '_').
    valid: (v) =>
      /^(arn:aws[a-z-]*:batch:[a-z0-9-]+:\d{12}:job-queue\/)?[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(v),
  },
  s3Root: {
    env: "FLOWSHIP_AWS_S3_ROOT",
    flag: "--s3-root",
    label: "S3 datastore root",
    example: "s3://my-bucket/flowship",
    valid: (v) => /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[^\s]*)?$/.test(v),
  },
  batchJobRole: {
    env: "FLOWSHIP_AWS_BATCH_JOB_ROLE",
    flag: "--batch-job-role",
    label: "IAM role of Batch jobs",
    example: "arn:aws:iam::123456789012:role/flowship-batch-job",
    valid: (v) => ROLE_ARN.test(v),
  },
  sfnRole: {
    env: "FLOWSHIP_AWS_SFN_ROLE",
    flag: "--sfn-role",
    label: "IAM role of Step Functions",
    example: "arn:aws:iam::123456789012:role/flowship-step-functions",
    valid: (v) => ROLE_ARN.test(v),
  },
  schedulerRole: {
    env: "FLOWSHIP_AWS_SCHEDULER_ROLE",
    flag: "--scheduler-role",
    label: "IAM role of EventBridge Scheduler (scheduled flows)",
    example: "arn:aws:iam::123456789012:role/flowship-scheduler",
    valid: (v) => ROLE_ARN.test(v),
  },
  eventsRole: {
    env: "FLOWSHIP_AWS_EVENTS_ROLE",
    flag: "--events-role",
    label:
      "IAM role of EventBridge rules: triggerOnFinish, event triggers, webhook alerts (--notify-webhook-url)",
    example: "arn:aws:iam::123456789012:role/flowship-events",
    valid: (v) => ROLE_ARN.test(v),
  },
  notifySnsTopic: {
    env: "FLOWSHIP_AWS_NOTIFY_SNS_TOPIC",
    flag: "--notify-sns-topic",
    label:
      "SNS topic that step-functions create --notify-on-error alerts (email, SMS, Chatbot, PagerDuty subscribe to it)",
    example: "arn:aws:sns:eu-west-1:123456789012:flowship-alerts",
    valid: (v) => /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/.test(v),
  },
  notifyWebhookUrl: {
    env: "FLOWSHIP_AWS_NOTIFY_WEBHOOK_URL",
    flag: "--notify-webhook-url",
    label: "HTTPS webhook that step-functions create --notify-on-error alerts (Slack, Teams, incident.io…)",
    example: "https://hooks.slack.com/services/T000/B000/XXXX",
    valid: (v) => webhookUrlProblem(v) === undefined,
    secret: true,
  },
  image: {
    env: "FLOWSHIP_AWS_IMAGE",
    flag: "--image",
    label: "container image of Batch jobs",
    example: "public.ecr.aws/docker/library/node:22-slim",
    valid: (v) => /^\S{1,255}$/.test(v),
  },
  compute: {
    env: "FLOWSHIP_AWS_COMPUTE",
    flag: "--compute",
    label: "compute environments of the job queue: ec2 (EC2 or Spot instances, the default) or fargate",
    example: "fargate",
    valid: (v) => (COMPUTE_KINDS as readonly string[]).includes(v),
  },
  executionRole: {
    env: "FLOWSHIP_AWS_EXECUTION_ROLE",
    flag: "--execution-role",
    label: "IAM execution role of Fargate jobs (pulls the image, writes the logs; compute fargate only)",
    example: "arn:aws:iam::123456789012:role/flowship-execution",
    valid: (v) => ROLE_ARN.test(v),
  },
  assignPublicIp: {
    env: "FLOWSHIP_AWS_ASSIGN_PUBLIC_IP",
    flag: "--assign-public-ip",
    label: "public IP of Fargate jobs, ENABLED (default: subnets without a NAT route need one) or DISABLED",
    example: "DISABLED",
    valid: (v) => (ASSIGN_PUBLIC_IP as readonly string[]).includes(v),
  },
  fargatePlatformVersion: {
    env: "FLOWSHIP_AWS_FARGATE_PLATFORM_VERSION",
    flag: "--fargate-platform-version",
    label: "Fargate platform version of Fargate jobs (default LATEST)",
    example: "1.4.0",
    valid: (v) => /^(LATEST|\d+\.\d+\.\d+)$/.test(v),
  },
} as const satisfies Record<string, SettingRule>;

export type AwsSettingName = keyof typeof AWS_SETTINGS;

/**
 * What is wrong with a webhook URL, or nothing. EventBridge API destinations call HTTPS
 * endpoints only, and their URL is at most 2,048 characters.
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateApiDestination.html
 */
export function webhookUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "https:") return "EventBridge calls HTTPS endpoints only";
  // The URL parser drops line breaks and tabs and trims spaces, but EventBridge gets the text as
  // given, and refuses it only once the deploy is under way.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\x00-\x20\x7F]/.test(value)) return "it has a space, a line break or another control character";
  if (value.length > 2048) return "longer than 2,048 characters";
  if (url.username || url.password)
    return "credentials in the URL are not sent; use FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH";
  return undefined;
}

/**
 * A URL as messages may show it: scheme and host only, since a webhook's path or query often
 * is its secret (Slack's, Teams'). Anything that is not a URL is hidden whole.
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    // A URL of a scheme without an origin (mailto:, javascript:) has "null" as its origin.
    if (url.origin === "null") return "…";
    return url.pathname === "/" && !url.search ? url.origin : `${url.origin}/…`;
  } catch {
    return "…";
  }
}

/** A setting's value as messages and prompts may show it. */
export function shownSetting(name: AwsSettingName, value: string): string {
  return "secret" in AWS_SETTINGS[name] ? redactUrl(value) : value;
}

/**
 * The compute kind of the configured deployment (settings file, FLOWSHIP_AWS_COMPUTE), for the
 * commands that compile a flow as `create` would without calling AWS: `create --only-json`,
 * `simulate`.
 */
export function configuredCompute(): ComputeKind {
  const { compute } = effectiveSettings();
  if (compute !== undefined) checkSettings({ compute });
  return computeKind({ compute });
}

/** Settings as stored: any of them may be missing. */
export type PartialAwsSettings = Partial<Record<AwsSettingName, string>>;

/** Settings of a command, the ones it requires present. */
export type AwsSettings = PartialAwsSettings & { region: string };

/**
 * What every step-functions command that calls AWS needs. The Step Functions role is needed only
 * by those that create or update a state machine (`create`): the others find the account
 * without it (deploy-account.ts).
 */
export const BASE_SETTINGS: readonly AwsSettingName[] = ["region"];

/**
 * Settings a command's list may name that are needed only in some configurations, with why: a
 * Fargate job definition must name an execution role, an EC2 one has no use for it.
 */
const NEEDED_WHEN: Partial<
  Record<AwsSettingName, { when: (s: PartialAwsSettings) => boolean; why: string }>
> = {
  executionRole: { when: (s) => s.compute === "fargate", why: "compute is fargate" },
};

/** The compute kind the settings choose: `ec2` unless `compute` says `fargate`. */
export function computeKind(settings: PartialAwsSettings): ComputeKind {
  return settings.compute === "fargate" ? "fargate" : "ec2";
}

/**
 * Where the settings a stack provides came from: `configure aws --from-stack` records it beside
 * the settings (the file's `awsStack`), so that the doctor can name the stack's DeployerPolicy.
 */
export interface SettingsStack {
  name: string;
  region: string;
  /** The ARN of the stack's DeployerPolicy output. */
  deployerPolicy?: string;
}

/** The settings file as JSON: an object, or an empty one when there is no file. */
function readSettingsDocument(file: string): Record<string, unknown> {
  let text: string;
  try {
    const stat = fs.statSync(file);
    // A device (/dev/full, /dev/zero) or a FIFO would be read forever, a folder not at all.
    if (!stat.isFile()) {
      throw new AwsSettingsError(
        `The settings file is not a regular file: '${file}' (${fileKind(stat)}). Point FLOWSHIP_CONFIG at a JSON file, or unset it to use ~/.flowshiprc.json.`,
      );
    }
    if (stat.size > MAX_SETTINGS_BYTES) {
      throw new AwsSettingsError(
        `The settings file is too large: '${file}' (${stat.size} bytes, at most ${MAX_SETTINGS_BYTES}). Point FLOWSHIP_CONFIG at flowship's settings file.`,
      );
    }
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw settingsFileError(error, "read", file);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new AwsSettingsError(
      // Newer Node.js quotes the text around the error (cut short with "…" on either side), which
      // may span lines or hold a secret: FLOWSHIP_CONFIG may point at a credentials file.
      `Unreadable settings file: '${file}' (${(error as Error).message.replace(/, (\.\.\.)?"[\s\S]*"(\.\.\.)? is not valid JSON$/, " (not valid JSON)")}). Fix it, or remove it and run 'flowship configure aws' again.`,
    );
  }
  if (!isObject(parsed)) {
    throw new AwsSettingsError(
      `Invalid settings file: '${file}' holds ${jsonType(parsed)}, expected a JSON object such as {"aws": {"region": "eu-west-1"}}. Fix that file, or remove it and run 'flowship configure aws' again.`,
    );
  }
  return parsed;
}

/** The `aws` section of the settings file, or nothing when there is no file. */
export function readSettingsFile(file: string = configFilePath()): PartialAwsSettings {
  const aws = readSettingsDocument(file).aws;
  if (aws === undefined) return {};
  if (!isObject(aws)) {
    throw new AwsSettingsError(
      `Invalid setting 'aws' in '${file}': ${jsonType(aws)}, expected an object of settings such as {"region": "eu-west-1"}. Fix it in that file, or remove it and run 'flowship configure aws' again.`,
    );
  }
  // A misspelt name would be ignored without a word (and dropped by the next configure aws).
  const unknown = Object.keys(aws).find((key) => !Object.hasOwn(AWS_SETTINGS, key));
  if (unknown !== undefined) {
    const close = closestName(unknown, Object.keys(AWS_SETTINGS));
    throw new AwsSettingsError(
      `Unknown setting 'aws.${unknown}' in '${file}'${close ? ` (did you mean '${close}'?)` : ""}: flowship would ignore it. Fix it in that file, or remove it; the settings are ${Object.keys(AWS_SETTINGS).join(", ")}.`,
    );
  }
  const settings: PartialAwsSettings = {};
  for (const name of Object.keys(AWS_SETTINGS) as AwsSettingName[]) {
    const value = aws[name];
    if (value === undefined) continue;
    if (typeof value !== "string") {
      throw new AwsSettingsError(
        `Invalid setting 'aws.${name}' in '${file}': ${jsonType(value)}, expected a string (e.g. "${AWS_SETTINGS[name].example}"). Fix it in that file, or remove it and run flowship configure aws ${AWS_SETTINGS[name].flag} VALUE.`,
      );
    }
    if (value !== "") settings[name] = value;
  }
  return settings;
}

/** The stack the settings file's stack settings came from, if `configure aws --from-stack` wrote them. */
export function readSettingsStack(file: string = configFilePath()): SettingsStack | undefined {
  const stack = readSettingsDocument(file).awsStack;
  if (!isObject(stack) || typeof stack.name !== "string" || typeof stack.region !== "string")
    return undefined;
  return {
    name: stack.name,
    region: stack.region,
    ...(typeof stack.deployerPolicy === "string" ? { deployerPolicy: stack.deployerPolicy } : {}),
  };
}

/**
 * Writes the `aws` section of the settings file, keeping whatever else the file holds, at once:
 * a temporary file in the same folder renamed over it, readable by its owner only (it may hold a
 * webhook URL, whose path is often its secret). A missing folder is made. `stack` records where
 * the stack settings came from; `null` forgets it.
 */
export function writeSettingsFile(
  settings: PartialAwsSettings,
  file: string = configFilePath(),
  stack?: SettingsStack | null,
): void {
  const document: Record<string, unknown> = { ...readSettingsDocument(file), aws: settings };
  if (stack === null) delete document.awsStack;
  else if (stack !== undefined) document.awsStack = stack;
  // Through a link to the file it names: the link stays a link.
  let target = file;
  try {
    target = fs.realpathSync(file);
  } catch {
    // No file yet (or a dangling link): the path itself is written.
  }
  try {
    writeFileAtomic(target, [`${JSON.stringify(document, null, 2)}\n`], { mode: 0o600 });
  } catch (error) {
    throw settingsFileError(error, "write", file);
  }
}

/** Larger than any settings file flowship writes by far; a bound on what is read. */
const MAX_SETTINGS_BYTES = 1024 * 1024;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON value's type in words: `an array`, `a number 5`, `null`. */
function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `a string '${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  return `a ${typeof value} ${JSON.stringify(value)}`;
}

function fileKind(stat: fs.Stats): string {
  if (stat.isDirectory()) return "a folder";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  if (stat.isFIFO()) return "a pipe";
  if (stat.isSocket()) return "a socket";
  return "not a regular file";
}

/** A file-system error of reading or writing the settings file as one line naming it and the OS's reason. */
function settingsFileError(error: unknown, action: "read" | "write", file: string): unknown {
  if (isFlowshipError(error)) return error;
  const { code, message } = error as NodeJS.ErrnoException;
  // mkdir -p over a file fails with EEXIST: a part of the path is a file.
  const reason = code === "EEXIST" ? "ENOTDIR" : code;
  const explained = explainIoError(
    Object.assign(new Error(message), { code: reason }),
    `${action} the settings file`,
    file,
  );
  if (isFlowshipError(explained)) {
    return new FlowshipError(
      "FS_AWS_SETTINGS_FILE",
      `${explained.message.replace(/\.$/, "")}. Fix it, or point FLOWSHIP_CONFIG at a file you can ${action}.`,
      {
        cause: error,
      },
    );
  }
  return new FlowshipError(
    "FS_AWS_SETTINGS_FILE",
    `Cannot ${action} the settings file '${file}': ${code ?? "error"} (${String(message).split("\n")[0]}). Fix it, or point FLOWSHIP_CONFIG at a file you can ${action}.`,
    { cause: error },
  );
}

/**
 * Checks the format of each given setting; every bad one is reported at once.
 * @param given where the caller's own settings came from: command-line flags, or the API's `aws` option
 */
export function checkSettings(settings: PartialAwsSettings, given: "flags" | "option" = "flags"): void {
  const bad = invalidSettings(settings);
  if (bad.length > 0) {
    const details = bad
      .map((n) => `${n} '${shownSetting(n, settings[n]!)}' (e.g. ${AWS_SETTINGS[n].example})`)
      .join(", ");
    const configure = `flowship configure aws ${bad.map((n) => AWS_SETTINGS[n].flag).join(", ")}`;
    const vars = bad.map((n) => AWS_SETTINGS[n].env).join(", ");
    throw new AwsSettingsError(
      `Invalid AWS setting${bad.length > 1 ? "s" : ""}: ${details}. ${
        given === "flags"
          ? `Give valid values with ${configure} (or ${vars}).`
          : `Give valid values in the aws option, with ${configure}, or in ${vars}.`
      }`,
    );
  }
}

/** The settings whose values are not well formed: what {@link checkSettings} refuses. */
export function invalidSettings(settings: PartialAwsSettings): AwsSettingName[] {
  return (Object.keys(settings) as AwsSettingName[]).filter(
    (name) =>
      name in AWS_SETTINGS && settings[name] !== undefined && !AWS_SETTINGS[name].valid(settings[name]!),
  );
}

/**
 * The settings of `required` (and {@link BASE_SETTINGS}) the settings lack, a setting only some
 * configurations use (`executionRole`, for compute `fargate`) only in those; with why.
 */
export function missingSettings(
  settings: PartialAwsSettings,
  required: readonly AwsSettingName[],
): { missing: AwsSettingName[]; why: string[] } {
  const missing = [...new Set([...BASE_SETTINGS, ...required])].filter(
    (name) => !settings[name] && (NEEDED_WHEN[name]?.when(settings) ?? true),
  );
  return { missing, why: missing.flatMap((name) => NEEDED_WHEN[name]?.why ?? []) };
}

/** The file's settings overlaid with the environment's, the S3 root without a trailing slash. */
export function effectiveSettings(file: string = configFilePath()): PartialAwsSettings {
  const merged: PartialAwsSettings = { ...readSettingsFile(file) };
  for (const [name, value] of Object.entries(awsSettingsFromEnv())) {
    if (value !== undefined) merged[name as AwsSettingName] = value;
  }
  merged.region ??= sdkRegion();
  if (merged.region === undefined) delete merged.region;
  if (merged.s3Root) merged.s3Root = merged.s3Root.replace(/\/+$/, "");
  return merged;
}

/**
 * Who asks for the settings, for the messages: a `step-functions` command (its verb: "create"),
 * whose overrides are command-line flags, or a call of the programmatic API
 * (`{ apiCall: "DeployedFlow.fromDeployment()" }`), whose overrides are its `aws` option.
 */
export type SettingsCaller = string | { apiCall: string };

/**
 * Loads the settings and checks that `required` are all there (and every value is well formed),
 * reporting everything missing in one error, before any AWS call. A required setting that only
 * some configurations use (`executionRole`, for compute `fargate`) is required only in those. `overrides` (command-line
 * flags, or the API's `aws` option) win over everything else.
 *
 * @example
 * const settings = loadAwsSettings(["region", "sfnRole", "jobQueue", "s3Root", "batchJobRole"], "create");
 */
export function loadAwsSettings(
  required: readonly AwsSettingName[],
  caller: SettingsCaller,
  overrides: PartialAwsSettings = {},
): AwsSettings {
  const file = configFilePath();
  const settings = { ...effectiveSettings(file), ...overrides };
  if (settings.s3Root) settings.s3Root = settings.s3Root.replace(/\/+$/, "");
  const { missing, why } = missingSettings(settings, required);
  if (missing.length > 0) {
    const vars = missing.map((n) => AWS_SETTINGS[n].env).join(", ");
    const flags = missing.map((n) => `${AWS_SETTINGS[n].flag} / ${AWS_SETTINGS[n].env}`).join(", ");
    const what = `Missing AWS setting${missing.length > 1 ? "s" : ""} for ${typeof caller === "string" ? `step-functions ${caller}` : caller.apiCall}: '${missing.join(", ")}'${why.length > 0 ? ` (${why.join(", ")})` : ""}.`;
    throw new AwsSettingsError(
      typeof caller === "string"
        ? `${what} Give ${missing.length > 1 ? "them" : "it"} with 'flowship configure aws' (writes ${file}) or in the environment (configure aws flag / variable): ${flags}.`
        : `${what} Give ${missing.length > 1 ? "them" : "it"} in the aws option ({ aws: { ${missing.map((n) => `${n}: …`).join(", ")} } }), with 'flowship configure aws' (writes ${file}), or in ${vars}.`,
    );
  }
  checkSettings(settings, typeof caller === "string" ? "flags" : "option");
  if (required.includes("jobQueue")) checkQueueRegion(settings);
  return settings as AwsSettings;
}

/**
 * The region of a job queue given by ARN when it is not the deploy region, else nothing. Step
 * Functions submits each job in its own region, so a state machine naming another region's queue
 * deploys and then fails every run.
 */
export function foreignQueueRegion(settings: PartialAwsSettings): string | undefined {
  const queueRegion = /^arn:aws[a-z-]*:batch:([a-z0-9-]+):/.exec(settings.jobQueue ?? "")?.[1];
  return queueRegion !== undefined && settings.region !== undefined && queueRegion !== settings.region
    ? queueRegion
    : undefined;
}

/** Refuses a job queue of another region than the deploy's (see {@link foreignQueueRegion}). */
function checkQueueRegion(settings: PartialAwsSettings): void {
  const queueRegion = foreignQueueRegion(settings);
  if (queueRegion === undefined) return;
  const { jobQueue, region } = AWS_SETTINGS;
  throw new AwsSettingsError(
    `AWS setting jobQueue is in another region: '${settings.jobQueue}' is a queue of ${queueRegion}, and flows deploy to region ${settings.region}. Give a queue of ${settings.region} with flowship configure aws ${jobQueue.flag} (or ${jobQueue.env}), or deploy to ${queueRegion} with flowship configure aws ${region.flag} (or ${region.env}).`,
  );
}
