/**
 * A loopback stand-in for the AWS services the CLI calls besides S3, reached through the SDK's
 * AWS_ENDPOINT_URL_<SERVICE> variables: Step Functions and EventBridge (AWS JSON protocols, the
 * operation in X-Amz-Target) and AWS Batch and EventBridge Scheduler (REST-JSON, the operation
 * in the method and path). It answers the operations it is given and refuses every other one as
 * AWS refuses a call the identity may not make, recording each call; what it answers is only
 * what the test decides, so tests check what was sent with AWS's own models
 * (aws-models.ts, {@link asModelRequests}) rather than trust this server.
 *
 * @see https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
 * @see https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { RecordedRequest } from "./aws-models.js";

/** An answer that is an AWS error of this type (HTTP 400, as both protocols send client errors). */
export class AwsError {
  constructor(
    readonly type: string,
    readonly message: string,
  ) {}
}

export type StandInService = "sfn" | "events" | "batch" | "scheduler";

/** A call, as `service:Operation`, e.g. `events:PutRule`. */
export interface StandInCall {
  service: StandInService;
  operation: string;
  body: Record<string, unknown>;
}

export interface AwsStandIn {
  endpoint: string;
  calls: StandInCall[];
  close(): Promise<void>;
}

/** X-Amz-Target prefixes of the JSON-protocol services, with the namespace of their error types. */
const JSON_SERVICES: Record<string, { service: StandInService; namespace: string }> = {
  AWSStepFunctions: { service: "sfn", namespace: "com.amazonaws.states" },
  AWSEvents: { service: "events", namespace: "com.amazonaws.events" },
};

/**
 * REST operations by method and path, from the services' API references.
 * https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/API_GetSchedule.html
 */
const REST_OPERATIONS: [method: string, path: RegExp, service: StandInService, operation: string][] = [
  ["POST", /^\/v1\/registerjobdefinition$/, "batch", "RegisterJobDefinition"],
  ["GET", /^\/schedules\/([^/?]+)/, "scheduler", "GetSchedule"],
  ["POST", /^\/schedules\/([^/?]+)/, "scheduler", "CreateSchedule"],
  ["PUT", /^\/schedules\/([^/?]+)/, "scheduler", "UpdateSchedule"],
  ["DELETE", /^\/schedules\/([^/?]+)/, "scheduler", "DeleteSchedule"],
];

function identify(req: http.IncomingMessage): { service: StandInService; operation: string; name?: string } {
  const target = String(req.headers["x-amz-target"] ?? "");
  if (target) {
    const [prefix = "", operation = ""] = target.split(".");
    const known = JSON_SERVICES[prefix];
    if (known) return { service: known.service, operation };
  }
  for (const [method, pattern, service, operation] of REST_OPERATIONS) {
    const match = req.method === method ? pattern.exec(req.url ?? "") : null;
    if (match) return { service, operation, ...(match[1] ? { name: decodeURIComponent(match[1]) } : {}) };
  }
  return { service: "sfn", operation: `unknown ${req.method} ${req.url}` };
}

/**
 * Starts the stand-in. `answers` maps `service:Operation` to the answer's body (or an
 * {@link AwsError}); a REST path's resource name is passed as the body's `Name`.
 */
export async function startAwsStandIn(
  answers: Record<string, (body: Record<string, unknown>) => unknown>,
): Promise<AwsStandIn> {
  const calls: StandInCall[] = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const { service, operation, name } = identify(req);
      const body = {
        ...(JSON.parse(text || "{}") as Record<string, unknown>),
        ...(name ? { Name: name } : {}),
      };
      calls.push({ service, operation, body });
      const answer = answers[`${service}:${operation}`];
      const result = answer ? answer(body) : new AwsError("AccessDeniedException", "not in the stand-in");
      const json = service === "sfn" || service === "events";
      res.setHeader(
        "content-type",
        json ? `application/x-amz-json-1.${service === "sfn" ? 0 : 1}` : "application/json",
      );
      if (result instanceof AwsError) {
        res.statusCode = 400;
        const namespace = Object.values(JSON_SERVICES).find((s) => s.service === service)?.namespace;
        if (!json) res.setHeader("x-amzn-errortype", result.type);
        res.end(
          JSON.stringify({
            __type: namespace ? `${namespace}#${result.type}` : result.type,
            message: result.message,
          }),
        );
        return;
      }
      res.end(JSON.stringify(result ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The calls as requests botocore's models can check. For both protocols the JSON body is the
 * operation's input, save members the REST path carries (Batch's and Scheduler's bodies here
 * carry everything but the schedule's name, which is put back from the path).
 */
export function asModelRequests(calls: readonly StandInCall[]): RecordedRequest[] {
  return calls.map((call) => ({ service: call.service, operation: call.operation, input: call.body }));
}
