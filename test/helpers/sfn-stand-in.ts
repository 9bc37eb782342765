/**
 * A small Step Functions stand-in on loopback, speaking the JSON protocol the SDK uses (reached via
 * AWS_ENDPOINT_URL_SFN): it answers the operations it is given and refuses every other one as
 * AWS refuses a call the identity may not make, recording each call.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

/** An answer that is an AWS error of this type (HTTP 400, as the JSON protocol sends errors). */
export class SfnError {
  constructor(
    readonly type: string,
    readonly message: string,
  ) {}
}

export interface SfnStandIn {
  endpoint: string;
  calls: { operation: string; body: Record<string, unknown> }[];
  close(): Promise<void>;
}

export async function startSfnStandIn(
  answers: Record<string, (body: Record<string, unknown>) => unknown>,
): Promise<SfnStandIn> {
  const calls: SfnStandIn["calls"] = [];
  const server = http.createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => {
      text += chunk;
    });
    req.on("end", () => {
      const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
      const body = JSON.parse(text || "{}") as Record<string, unknown>;
      calls.push({ operation, body });
      const answer = answers[operation];
      const result = answer ? answer(body) : new SfnError("AccessDeniedException", "not in the stand-in");
      res.setHeader("content-type", "application/x-amz-json-1.0");
      if (result instanceof SfnError) {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: `com.amazonaws.states#${result.type}`, message: result.message }));
        return;
      }
      res.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
