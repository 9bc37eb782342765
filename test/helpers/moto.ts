/**
 * AWS for the tests: moto's server (an AWS implementation nobody here wrote), started from the
 * venv scripts/test-setup.sh makes, on a loopback port, with the few gaps flowship meets filled
 * in test/helpers/moto/patches.py. In front of it sits a thin recording proxy: every request is
 * kept (so a test can check what was sent with botocore's models, see {@link Moto.validate}) and
 * a test may inject faults there (throttling, AccessDenied, a refused call) without a second
 * model of AWS. The CLI reaches it through the SDK's own AWS_ENDPOINT_URL variable.
 */
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { REPO, runCommand } from "./cli.js";

/** The venv scripts/test-setup.sh makes; moto, cfn-lint and botocore are pinned there. */
export const TEST_VENV = path.join(REPO, "node_modules/.cache/flowship-test-venv");
export const VENV_PYTHON = path.join(TEST_VENV, "bin/python");

export const MOTO_ACCOUNT = "123456789012";

export interface MotoOptions {
  /** Merged into moto's configuration, e.g. `{ stepfunctions: { execute_state_machine: true } }`. */
  config?: Record<string, Record<string, unknown>>;
  /**
   * Turn IAM enforcement on after this many requests (moto's INITIAL_NO_AUTH_ACTION_COUNT):
   * from then on a request is allowed only if the policies of the access key's user allow it.
   */
  enforceIamAfter?: number;
  /**
   * Batch jobs run their job definition's command in the sandbox `step-functions simulate` uses,
   * and end SUCCEEDED or FAILED by its exit code (test/helpers/moto/batch_sandbox.py; needs
   * `npm run build`). Without it moto's Batch runs nothing. @default false
   */
  batchSandbox?: boolean;
  /** More environment for moto's process. */
  env?: Record<string, string>;
  /** @default "eu-west-1" */
  region?: string;
}

/** One request as it went through the proxy. */
export interface MotoRequest {
  method: string;
  /** Path and query string. */
  url: string;
  /** The service's signing name from the request's SigV4 scope (`states`, `batch`, `s3` …). */
  service: string;
  /** The operation where the request names it (X-Amz-Target or the query protocol's Action). */
  operation?: string;
  headers: Record<string, string>;
  body: string;
  /** The HTTP status the test saw: moto's, or the injected fault's. */
  status?: number;
  /** The AWS error code of an error answer (`AccessDeniedException`, `NoSuchKey` …): moto's, or the injected fault's. */
  error?: string;
}

/** An answer the proxy gives instead of moto's. */
export interface Fault {
  /** Which requests it answers. */
  match: (request: MotoRequest) => boolean;
  /** AWS's error code, e.g. `ThrottlingException`, `AccessDeniedException`. */
  code: string;
  message?: string;
  /** @default 400 */
  status?: number;
  /** How many matching requests it answers; then it is spent. @default every one */
  times?: number;
}

export interface ModelReport {
  findings: string[];
  /** Patterns botocore's model has that Python's re cannot read (reported, never silently passed). */
  skipped: string[];
  /** Requests checked against a model. */
  checked: number;
  /** Requests of protocols the checker does not read (S3's REST-XML), by service:method. */
  unchecked: string[];
}

export interface Moto {
  /** The proxy in front of moto: what the code under test is pointed at. */
  endpoint: string;
  /** moto itself, for a test's own set-up and look-ups (not recorded, never faulted). */
  directEndpoint: string;
  region: string;
  /** Environment for a CLI child process: endpoint, region and moto's fake credentials. */
  env: Record<string, string>;
  /** Every request through the proxy, in order. */
  requests: MotoRequest[];
  /** Answers matching requests with an AWS error instead of passing them to moto. */
  inject(fault: Fault): void;
  /**
   * Holds matching requests before passing them to moto (a slow AWS, for what the code under
   * test does while it waits, e.g. on Ctrl-C); a held request is in {@link requests} at once.
   */
  delay(delay: Delay): void;
  /** Checks the recorded requests (or those given) against botocore's API models. */
  validate(requests?: readonly MotoRequest[]): Promise<ModelReport>;
  close(): Promise<void>;
}

/** `service:Operation` of a request, e.g. `states:StartExecution`, when the request names it. */
export function callName(request: MotoRequest): string {
  return `${request.service}:${request.operation ?? `${request.method} ${request.url.split("?")[0]}`}`;
}

/** A matcher for {@link Fault.match}: requests of these `service:Operation` names. */
export function calls(...names: string[]): (request: MotoRequest) => boolean {
  return (request) => names.includes(callName(request));
}

const JSON_ERROR_NAMESPACE: Record<string, string> = {
  states: "com.amazonaws.states",
  events: "com.amazonaws.events",
};

function identify(method: string, headers: http.IncomingHttpHeaders, body: string) {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(headers.authorization ?? ""));
  const service = scope?.[1] ?? "unknown";
  const target = String(headers["x-amz-target"] ?? "");
  if (target) return { service, operation: target.split(".").pop() };
  const type = String(headers["content-type"] ?? "");
  if (method === "POST" && type.startsWith("application/x-www-form-urlencoded")) {
    const action = new URLSearchParams(body).get("Action");
    if (action) return { service, operation: action };
  }
  return { service, operation: undefined };
}

/** The error code of an AWS error body: JSON's `__type` (after any `#`) or `code`, XML's `<Code>`. */
function errorCode(body: string): string | undefined {
  try {
    const json = JSON.parse(body) as { __type?: string; code?: string };
    return (json.__type ?? json.code)?.split("#").pop();
  } catch {
    return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
  }
}

/** The error body of a fault, in the protocol the service speaks. */
function faultResponse(request: MotoRequest, fault: Fault): { type: string; body: string } {
  const message = fault.message ?? `${fault.code} (injected by the test)`;
  if (request.headers["x-amz-target"]) {
    const namespace = JSON_ERROR_NAMESPACE[request.service];
    return {
      type: "application/x-amz-json-1.1",
      body: JSON.stringify({ __type: namespace ? `${namespace}#${fault.code}` : fault.code, message }),
    };
  }
  if (request.operation) {
    // The query protocol (IAM, STS, CloudFormation, SNS, EC2).
    return {
      type: "text/xml",
      body: `<ErrorResponse><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${message}</Message></Error><RequestId>fault</RequestId></ErrorResponse>`,
    };
  }
  if (request.service === "s3") {
    return {
      type: "application/xml",
      body: `<Error><Code>${fault.code}</Code><Message>${message}</Message></Error>`,
    };
  }
  return { type: "application/json", body: JSON.stringify({ __type: fault.code, message }) };
}

/** A slow AWS: matching requests wait at the proxy before they go on to moto. */
export interface Delay {
  /** Which requests it holds. */
  match: (request: MotoRequest) => boolean;
  /** How long each waits, in milliseconds. */
  ms: number;
  /** How many matching requests it holds; then it is spent. @default every one */
  times?: number;
}

/** moto's configuration, plus the section serve.py reads for the helpers' own additions. */
function serveConfig(options: MotoOptions): Record<string, Record<string, unknown>> {
  if (!options.batchSandbox) return options.config ?? {};
  return {
    ...options.config,
    // moto's batch_simple backend, whose SubmitJob batch_sandbox.py makes run the job.
    batch: { ...options.config?.batch, use_docker: false },
    flowship: { batch_sandbox: { node: process.execPath } },
  };
}

async function startMotoProcess(options: MotoOptions): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(
    VENV_PYTHON,
    [path.join(REPO, "test/helpers/moto/serve.py"), JSON.stringify(serveConfig(options))],
    {
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        ...(options.enforceIamAfter === undefined
          ? {}
          : { INITIAL_NO_AUTH_ACTION_COUNT: String(options.enforceIamAfter) }),
        ...options.env,
      },
    },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    // Keep the end only: moto logs every request.
    stderr = (stderr + chunk).slice(-20_000);
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", resolve);
    child.once("exit", (code) =>
      reject(
        new Error(`moto's server ended (${code}) before it listened; is the test venv made?\n${stderr}`),
      ),
    );
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

export async function startMoto(options: MotoOptions = {}): Promise<Moto> {
  const region = options.region ?? "eu-west-1";
  const { child, port } = await startMotoProcess(options);
  const directEndpoint = `http://127.0.0.1:${port}`;
  const requests: MotoRequest[] = [];
  const faults: (Fault & { used: number })[] = [];
  const delays: (Delay & { used: number })[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const body = raw.toString("utf8");
      const method = req.method ?? "GET";
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v ?? "")]),
      );
      const request: MotoRequest = {
        method,
        url: req.url ?? "/",
        headers,
        body,
        ...identify(method, req.headers, body),
      };
      requests.push(request);
      const fault = faults.find((f) => (f.times === undefined || f.used < f.times) && f.match(request));
      if (fault) {
        fault.used++;
        request.error = fault.code;
        const answer = faultResponse(request, fault);
        request.status = fault.status ?? 400;
        res.writeHead(request.status, { "content-type": answer.type, "x-amzn-errortype": fault.code });
        res.end(answer.body);
        return;
      }
      const delay = delays.find((d) => (d.times === undefined || d.used < d.times) && d.match(request));
      if (delay) delay.used++;
      const forward = () => {
        const upstream = http.request(
          { host: "127.0.0.1", port, method, path: req.url, headers: req.headers },
          (answer) => {
            request.status = answer.statusCode;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            if ((answer.statusCode ?? 0) >= 400) {
              // Read beside the pipe; set before the answer's end reaches the client.
              const chunks: Buffer[] = [];
              answer.on("data", (chunk: Buffer) => chunks.push(chunk));
              answer.on("end", () => {
                request.error = errorCode(Buffer.concat(chunks).toString("utf8"));
              });
            }
            answer.pipe(res);
          },
        );
        upstream.on("error", (error) => {
          res.writeHead(502);
          res.end(String(error));
        });
        upstream.end(raw);
      };
      if (!delay) return forward();
      const timer = setTimeout(() => {
        timers.delete(timer);
        forward();
      }, delay.ms);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  return {
    endpoint,
    directEndpoint,
    region,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      // flowship's S3 client addresses buckets by path only when given an endpoint of its own.
      FLOWSHIP_S3_ENDPOINT: endpoint,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      // moto's well-known fake keys; no real credential ever reaches a test.
      AWS_ACCESS_KEY_ID: "testing",
      AWS_SECRET_ACCESS_KEY: "testing",
      AWS_SESSION_TOKEN: "",
      AWS_PROFILE: "",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_EC2_METADATA_DISABLED: "true",
    },
    requests,
    inject: (fault) => faults.push({ ...fault, used: 0 }),
    delay: (delay) => delays.push({ ...delay, used: 0 }),
    validate: (subset) => validateRequests(subset ?? requests),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      proxy.closeAllConnections();
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.stdin!.end();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

/** Checks HTTP requests against botocore's models (test/helpers/moto/validate_http.py). */
export async function validateRequests(requests: readonly MotoRequest[]): Promise<ModelReport> {
  const result = await runCommand(VENV_PYTHON, [path.join(REPO, "test/helpers/moto/validate_http.py")], {
    input: JSON.stringify(requests.map(({ method, url, headers, body }) => ({ method, url, headers, body }))),
  });
  if (result.code !== 0) throw new Error(`validator failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as ModelReport;
}
