/**
 * What flowship remembers about a deployment, kept in the state machine's tags (Step Functions
 * has no annotations, and the definition is the user's flow): the flow, who deployed it, the
 * production token, the flowship version, the parameters, and the namespace and tags its runs
 * get. Tag values allow only letters, digits, spaces and `_ . : / = + - @` and 256 characters, so
 * JSON goes base64url-encoded, in chunks.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_Tag.html
 */
import { randomInt } from "node:crypto";
import type { FlowSpec } from "../../flow/types.js";
import { DeployError } from "./errors.js";

export const TAG_PREFIX = "flowship:";
const TAG = {
  flow: "flowship:flow",
  owner: "flowship:owner",
  token: "flowship:production-token",
  version: "flowship:version",
  namespace: "flowship:namespace",
  parameters: "flowship:parameters",
  runTags: "flowship:run-tags",
  eventBuses: "flowship:event-buses",
} as const;

const MAX_TAG_VALUE = 256;
/** Step Functions allows 50 tags per resource; flowship leaves room for the user's own. */
const MAX_CHUNKS = 16;
const SAFE_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const ENCODED = "b64:";

/** A parameter as the deployment describes it (a function default shows as `deployTime`). */
export interface DeployedParameter {
  name: string;
  type: string;
  required: boolean;
  default?: string | number | boolean;
  deployTime?: true;
  /** A list parameter's separator: a trigger by name may give the list or its text. */
  separator?: string;
  /** An includeFile parameter: a trigger by name sends the file's text, not its path. */
  includeFile?: true;
}

export interface DeploymentMetadata {
  flow: string;
  owner: string;
  /** The production token: runs land in namespace `production:<token>`. */
  token: string;
  flowshipVersion: string;
  parameters: DeployedParameter[];
  /** The Client API namespace of its tasks when `--namespace` changed it. */
  namespace?: string;
  /** Tags every production run gets (`--tag`). */
  runTags: string[];
  /** Event buses other than the default that its `trigger` rules are on, so a redeploy or delete finds them. */
  eventBuses?: string[];
}

export function parameterSchema(flow: FlowSpec): DeployedParameter[] {
  return flow.parameters.map((p) => {
    const base: DeployedParameter = {
      name: p.name,
      type: p.type,
      required: p.required,
      ...(p.separator === undefined ? {} : { separator: p.separator }),
      ...(p.includeFile ? { includeFile: true as const } : {}),
    };
    if (typeof p.default === "function") return { ...base, deployTime: true };
    const d = p.default;
    const small =
      typeof d === "number" || typeof d === "boolean" || (typeof d === "string" && d.length <= 64);
    return p.hasDefault && small ? { ...base, default: d as string | number | boolean } : base;
  });
}

function scalar(text: string, what: string): string {
  if (SAFE_VALUE.test(text) && !text.startsWith(ENCODED) && text.length <= MAX_TAG_VALUE) return text;
  const encoded = `${ENCODED}${Buffer.from(text, "utf8").toString("base64url")}`;
  if (encoded.length > MAX_TAG_VALUE) {
    throw new DeployError(
      "FS_SFN_METADATA_TOO_LARGE",
      `The ${what} is too long for a state machine tag: '${text.slice(0, 40)}…' (${text.length} characters; a tag value holds ${MAX_TAG_VALUE}). Use a shorter ${what}.`,
      { exitCode: 2 },
    );
  }
  return encoded;
}

function unscalar(value: string): string {
  return value.startsWith(ENCODED)
    ? Buffer.from(value.slice(ENCODED.length), "base64url").toString("utf8")
    : value;
}

/** JSON as `<key>:0`, `<key>:1`… tags of base64url text. */
function chunked(key: string, value: unknown): Record<string, string> {
  const text = Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
  const tags: Record<string, string> = {};
  for (let i = 0; i * MAX_TAG_VALUE < text.length || i === 0; i++) {
    tags[`${key}:${i}`] = text.slice(i * MAX_TAG_VALUE, (i + 1) * MAX_TAG_VALUE);
  }
  if (Object.keys(tags).length > MAX_CHUNKS) {
    throw new DeployError(
      "FS_SFN_METADATA_TOO_LARGE",
      `Deployment metadata too large for state machine tags: '${key}' needs ${Object.keys(tags).length} tags, at most ${MAX_CHUNKS} fit. Use fewer or shorter parameters or tags.`,
    );
  }
  return tags;
}

function unchunked<T>(tags: Record<string, string>, key: string, fallback: T): T {
  let text = "";
  for (let i = 0; tags[`${key}:${i}`] !== undefined; i++) text += tags[`${key}:${i}`];
  if (text === "") return fallback;
  try {
    return JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as T;
  } catch {
    return fallback;
  }
}

/** The tags that describe a deployment. */
export function metadataTags(metadata: DeploymentMetadata): Record<string, string> {
  return {
    [TAG.flow]: scalar(metadata.flow, "flow name"),
    [TAG.owner]: scalar(metadata.owner, "user name (FLOWSHIP_USER)"),
    [TAG.token]: scalar(metadata.token, "production token"),
    [TAG.version]: scalar(metadata.flowshipVersion, "flowship version"),
    ...(metadata.namespace ? { [TAG.namespace]: scalar(metadata.namespace, "namespace (--namespace)") } : {}),
    ...chunked(TAG.parameters, metadata.parameters),
    ...(metadata.runTags.length > 0 ? chunked(TAG.runTags, metadata.runTags) : {}),
    ...(metadata.eventBuses?.length ? chunked(TAG.eventBuses, metadata.eventBuses) : {}),
  };
}

/** The deployment a state machine's tags describe; undefined when flowship did not deploy it. */
export function readMetadata(tags: Record<string, string>): DeploymentMetadata | undefined {
  if (tags[TAG.flow] === undefined || tags[TAG.token] === undefined) return undefined;
  const namespace = tags[TAG.namespace];
  return {
    flow: unscalar(tags[TAG.flow]),
    owner: unscalar(tags[TAG.owner] ?? ""),
    token: unscalar(tags[TAG.token]),
    flowshipVersion: unscalar(tags[TAG.version] ?? ""),
    parameters: unchunked(tags, TAG.parameters, []),
    ...(namespace ? { namespace: unscalar(namespace) } : {}),
    runTags: unchunked(tags, TAG.runTags, []),
    ...(tags[`${TAG.eventBuses}:0`] !== undefined
      ? { eventBuses: unchunked<string[]>(tags, TAG.eventBuses, []) }
      : {}),
  };
}

/** flowship's tag keys in `old` that `next` no longer has (e.g. a shorter parameter list). */
export function staleTagKeys(old: Record<string, string>, next: Record<string, string>): string[] {
  return Object.keys(old).filter((key) => key.startsWith(TAG_PREFIX) && !(key in next));
}

const TOKEN = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/**
 * A new production token: `<name>-<n>-<4 letters>`, e.g. `parameterflow-0-qzkd`. It names a
 * namespace and guards against accidental redeploys by others; it is not a secret.
 */
export function generateToken(machine: string, previous?: string): string {
  const prefix =
    machine
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "")
      .slice(0, 40) || "flow";
  const match = previous ? /-(\d+)-[a-z]{4}$/.exec(previous) : null;
  const n = match ? Number(match[1]) + 1 : previous ? 1 : 0;
  const letters = Array.from({ length: 4 }, () => String.fromCharCode(97 + randomInt(26))).join("");
  return `${prefix}-${n}-${letters}`;
}

/** A token given on the command line, without a leading `production:`. */
export function normalizeToken(token: string, flag: string): string {
  const bare = token.startsWith("production:") ? token.slice("production:".length) : token;
  if (!TOKEN.test(bare)) {
    throw new DeployError(
      "FS_SFN_BAD_TOKEN",
      `Invalid production token for ${flag}: '${token}'. Use 1 to 100 lowercase letters, digits, '.', '_' or '-'.`,
      { exitCode: 2 },
    );
  }
  return bare;
}
