/**
 * A small Step Functions stand-in on loopback, speaking the JSON protocol the SDK uses (reached via
 * AWS_ENDPOINT_URL_SFN): it answers the operations it is given and refuses every other one as
 * AWS refuses a call the identity may not make, recording each call.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

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
      res.setHeader("content-type", "application/x-amz-json-1.0");
      if (!answer) {
        res.statusCode = 400;
        res.end(
          JSON.stringify({
            __type: "com.amazonaws.states#AccessDeniedException",
            message: "not in the stand-in",
          }),
        );
        return;
      }
      res.end(JSON.stringify(answer(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
