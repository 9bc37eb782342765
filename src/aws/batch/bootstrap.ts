/**
 * The Batch job's command: everything a task needs before flowship itself is on the machine.
 *
 * A stock `node` image has Node.js and nothing else, so this module may import only `node:`
 * built-ins and package-layout.ts (constants, no imports) — no AWS SDK, no tar library, no other
 * flowship module (the job definition carries it, minified, as `node --input-type=module -e
 * <this>`; see aws/compile/bootstrap-command.ts). It
 *
 * 1. finds credentials the way the AWS SDK would in a container: environment variables, the ECS
 *    container credentials endpoint Batch provides (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` /
 *    `_FULL_URI`), else the instance role (IMDSv2);
 * 2. downloads the code package with one SigV4-signed S3 GET (a local path is read directly: only
 *    `step-functions simulate` on a local datastore uses that);
 * 3. refuses it unless its sha256 is the one the job definition pins (a corrupt download is
 *    fetched again first);
 * 4. extracts it into a fresh private folder and imports the flowship runtime packaged in it,
 *    which runs the step with the flow bundled beside it.
 *
 * Nothing is installed or fetched from a package registry, so the code that runs is the
 * deployer's, byte for byte. Being the one place before config.ts exists, it reads process.env.
 *
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
import { createHash, createHmac } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import zlib from "node:zlib";
import { RUNTIME_ENTRY } from "../package/package-layout.js";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A failure the bootstrap reports in one line and exits with. */
export class BootstrapError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = "BootstrapError";
  }
}

type Env = Record<string, string | undefined>;

async function getJson(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<any> {
  const response = await fetch(url, { method, headers, signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new BootstrapError(`${method} ${url} answered HTTP ${response.status}`, true);
  const text = await response.text();
  return method === "PUT" ? text : JSON.parse(text);
}

/** Where ECS (and so Batch) serves a task's credentials. */
const ECS_CREDENTIALS_HOST = "169.254.170.2";
/** The container credentials hosts besides loopback: ECS, and EKS Pod Identity (IPv4 and IPv6). */
const CONTAINER_CREDENTIALS_HOSTS = new Set([ECS_CREDENTIALS_HOST, "169.254.170.23", "[fd00:ec2::23]"]);

/**
 * The credentials endpoint's URL, if it is one the container itself serves: loopback
 * (127.0.0.0/8, [::1], localhost) or the ECS/EKS link-local addresses — as the AWS SDK checks
 * before it sends the authorization token. An address anywhere else (a job definition, or an
 * image's environment, pointing it at a host of someone's choosing) would receive the token and
 * hand back credentials of its own: refused. Stricter than the SDK in one way: an https URL to
 * any other host is refused too, since no AWS container service serves credentials there.
 */
function containerEndpoint(text: string, variable: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {}
  const host = url?.hostname ?? "";
  const loopback = host === "localhost" || host === "[::1]" || (net.isIPv4(host) && host.startsWith("127."));
  const web = url?.protocol === "http:" || url?.protocol === "https:";
  if (!url || !web || url.username || url.password || !(loopback || CONTAINER_CREDENTIALS_HOSTS.has(host))) {
    throw new BootstrapError(
      `${variable} names '${url ? `${url.protocol}//${url.host}` : "a malformed URL"}', which is not a container credentials endpoint: only loopback (127.0.0.0/8, [::1], localhost) and the ECS/EKS addresses 169.254.170.2, 169.254.170.23 and [fd00:ec2::23] are trusted with the container's credentials token`,
    );
  }
  return url.href;
}

/** The container's credentials, looked up in the order the AWS SDK uses. */
export async function findCredentials(env: Env): Promise<AwsCredentials> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    return {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  let body: { AccessKeyId: string; SecretAccessKey: string; Token?: string } | undefined;
  if (env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) {
    const url = containerEndpoint(
      `http://${ECS_CREDENTIALS_HOST}${env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}`,
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    );
    body = await getJson(url);
  } else if (env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    // Checked before the token is read: it goes nowhere but a container credentials endpoint.
    const url = containerEndpoint(
      env.AWS_CONTAINER_CREDENTIALS_FULL_URI,
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    );
    const token = env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE
      ? fs.readFileSync(env.AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, "utf8").trim()
      : env.AWS_CONTAINER_AUTHORIZATION_TOKEN;
    body = await getJson(url, token ? { Authorization: token } : {});
  } else {
    // No job role: the instance's role, through IMDSv2 (a session token first).
    const imds = "http://169.254.169.254/latest";
    try {
      const token: string = await getJson(
        `${imds}/api/token`,
        { "X-aws-ec2-metadata-token-ttl-seconds": "300" },
        "PUT",
      );
      const auth = { "X-aws-ec2-metadata-token": token };
      const roles = await fetch(`${imds}/meta-data/iam/security-credentials/`, { headers: auth });
      const role = (await roles.text()).split("\n")[0];
      body = await getJson(`${imds}/meta-data/iam/security-credentials/${role}`, auth);
    } catch {
      throw new BootstrapError(
        "no AWS credentials: give the job definition a job role (step-functions create uses batchJobRole) or set AWS_ACCESS_KEY_ID",
      );
    }
  }
  return {
    accessKeyId: body!.AccessKeyId,
    secretAccessKey: body!.SecretAccessKey,
    ...(body!.Token ? { sessionToken: body!.Token } : {}),
  };
}

const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding of one path segment, as SigV4 for S3 wants it. */
function encodeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export interface SignedGet {
  url: string;
  headers: Record<string, string>;
}

/**
 * A SigV4-signed S3 GetObject. Virtual-hosted on AWS unless the bucket name has a dot (TLS names
 * allow no dot in a wildcard); path-style on a custom endpoint.
 */
export function signS3Get(options: {
  bucket: string;
  key: string;
  region: string;
  credentials: AwsCredentials;
  endpoint?: string;
  now?: Date;
}): SignedGet {
  const { bucket, key, region, credentials } = options;
  const keyPath = key.split("/").map(encodeSegment).join("/");
  let base: URL;
  let canonicalPath: string;
  if (options.endpoint) {
    base = new URL(options.endpoint);
    canonicalPath = `${base.pathname.replace(/\/$/, "")}/${bucket}/${keyPath}`;
  } else if (bucket.includes(".")) {
    base = new URL(`https://s3.${region}.amazonaws.com`);
    canonicalPath = `/${bucket}/${keyPath}`;
  } else {
    base = new URL(`https://${bucket}.s3.${region}.amazonaws.com`);
    canonicalPath = `/${keyPath}`;
  }
  const amzDate = (options.now ?? new Date()).toISOString().replace(/[-:]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    host: base.host,
    "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
    "x-amz-date": amzDate,
    ...(credentials.sessionToken ? { "x-amz-security-token": credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const canonical = [
    "GET",
    canonicalPath,
    "",
    ...names.map((n) => `${n}:${headers[n]}`),
    "",
    names.join(";"),
    "UNSIGNED-PAYLOAD",
  ].join("\n");
  const scope = `${day}/${region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonical)].join("\n");
  let signingKey = hmac(`AWS4${credentials.secretAccessKey}`, day);
  for (const part of [region, "s3", "aws4_request"]) signingKey = hmac(signingKey, part);
  const signature = createHmac("sha256", signingKey).update(toSign).digest("hex");
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`;
  const { host: _host, ...sent } = headers;
  return { url: `${base.protocol}//${base.host}${canonicalPath}`, headers: sent };
}

/**
 * How long a download may receive nothing before it is abandoned (and retried). An idle limit,
 * not a total one, so a large package on a slow link finishes however long it takes.
 */
export const DOWNLOAD_IDLE_TIMEOUT_MS = 60_000;

/** A GET whose time limit starts again with every chunk received; the whole body read. */
async function getIdle(
  url: string,
  headers: Record<string, string>,
  idleMs: number,
): Promise<{ response: Response; body: Buffer }> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), idleMs);
  };
  arm();
  try {
    const response = await fetch(url, { headers, signal: controller.signal });
    const chunks: Buffer[] = [];
    if (response.body) {
      for await (const chunk of response.body) {
        arm();
        chunks.push(Buffer.from(chunk));
      }
    }
    return { response, body: Buffer.concat(chunks) };
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    throw new BootstrapError(`GET ${url.replace(/\?.*$/, "")} received nothing for ${idleMs / 1000} s`, true);
  } finally {
    clearTimeout(timer);
  }
}

/** Downloads `s3://bucket/key`, following a bucket that lives in another region once. */
async function s3Get(url: string, env: Env, credentials: AwsCredentials, idleMs: number): Promise<Buffer> {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new BootstrapError(`code package URL '${url}' is not s3://bucket/key`);
  let region = env.AWS_REGION || env.AWS_DEFAULT_REGION || "us-east-1";
  const endpoint = env.FLOWSHIP_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL;
  for (let hop = 0; ; hop++) {
    const signed = signS3Get({
      bucket: match[1]!,
      key: match[2]!,
      region,
      credentials,
      ...(endpoint ? { endpoint } : {}),
    });
    const { response, body } = await getIdle(signed.url, signed.headers, idleMs);
    const moved = response.headers.get("x-amz-bucket-region");
    if (response.status === 301 && moved && moved !== region && hop === 0) {
      region = moved;
      continue;
    }
    if (response.ok) return body;
    const detail = /<Code>([^<]+)<\/Code>/.exec(body.toString("utf8"))?.[1] ?? "no error code";
    // A refused download is the job role's policy (an identity's S3 requests are authorized as
    // s3:GetObject on the object).
    const remedy = response.status === 403 ? ": the job role needs s3:GetObject on it" : "";
    throw new BootstrapError(
      `GET ${url} answered HTTP ${response.status} (${detail})${remedy}`,
      response.status >= 500 || response.status === 429,
    );
  }
}

/** Fetches the package, retrying transient errors and corrupt transfers, until its hash is right. */
export async function fetchVerified(
  env: Env,
  url: string,
  sha: string,
  options: { idleTimeoutMs?: number } = {},
): Promise<Buffer> {
  let credentials: AwsCredentials | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      let bytes: Buffer;
      if (url.startsWith("s3://")) {
        credentials ??= await findCredentials(env);
        bytes = await s3Get(url, env, credentials, options.idleTimeoutMs ?? DOWNLOAD_IDLE_TIMEOUT_MS);
      } else if (path.isAbsolute(url)) {
        bytes = fs.readFileSync(url);
      } else {
        throw new BootstrapError(`code package URL '${url}' is neither s3:// nor an absolute path`);
      }
      const actual = sha256Hex(bytes);
      if (actual === sha) return bytes;
      throw new BootstrapError(
        `code package '${url}' has sha256 ${actual} but the job definition pins ${sha}: refusing to run it (it was changed after deploy, or comes from another deploy)`,
        true,
      );
    } catch (error) {
      const retryable = error instanceof BootstrapError ? error.retryable : true;
      if (!retryable || attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}

/**
 * Extracts the regular files of a gzipped POSIX tar (ustar, with pax `path` records for long
 * names) into `into`. Links, devices and names that leave the folder are refused.
 */
export function extractTgz(archive: Buffer, into: string): string[] {
  const tar = zlib.gunzipSync(archive);
  const text = (start: number, length: number) =>
    tar
      .subarray(start, start + length)
      .toString("utf8")
      .replace(/\0.*$/s, "");
  const written: string[] = [];
  let longName: string | undefined;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = at;
    if (tar[header] === 0) break; // the zero blocks that end an archive
    const size = Number.parseInt(text(header + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(tar[header + 156] || 48);
    const body = tar.subarray(header + 512, header + 512 + size);
    at = header + 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString("utf8"))?.[1];
      continue;
    }
    if (type === "g") continue;
    const prefix = text(header + 345, 155);
    const name = longName ?? (prefix ? `${prefix}/` : "") + text(header, 100);
    longName = undefined;
    if (type === "5") continue;
    const target = path.resolve(into, name);
    if (type !== "0" || !target.startsWith(`${path.resolve(into)}${path.sep}`)) {
      throw new BootstrapError(`code package entry '${name}' is not a plain file inside the package`);
    }
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    fs.writeFileSync(target, body, { mode: 0o600 });
    written.push(name);
  }
  return written;
}

/** The job command's body: fetch, verify, extract, run. Returns nothing; the runtime sets the exit code. */
export async function bootstrap(env: Env = process.env): Promise<void> {
  const url = env.FLOWSHIP_CODE_PACKAGE_URL;
  const sha = env.FLOWSHIP_CODE_PACKAGE_SHA256;
  if (!url || !sha) {
    throw new BootstrapError(
      "FLOWSHIP_CODE_PACKAGE_URL and FLOWSHIP_CODE_PACKAGE_SHA256 must be set: this command runs inside a Batch job of a flowship deployment",
    );
  }
  const bytes = await fetchVerified(env, url, sha);
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), `flowship-${sha.slice(0, 12)}-`));
  const files = extractTgz(bytes, folder);
  if (!files.includes(RUNTIME_ENTRY)) {
    throw new BootstrapError(`code package '${url}' has no ${RUNTIME_ENTRY}: deploy the flow again`);
  }
  await import(pathToFileURL(path.join(folder, RUNTIME_ENTRY)).href);
}

/** Runs the bootstrap as a command: one line on stderr and exit code 1 on failure. */
export function runBootstrapCommand(): void {
  bootstrap().catch((error: Error) => {
    process.stderr.write(`flowship bootstrap: ${error.message}\n`);
    process.exitCode = 1;
  });
}
