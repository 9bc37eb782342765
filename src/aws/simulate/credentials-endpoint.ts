/**
 * The container credentials endpoint, on loopback: what Batch (through the ECS agent) serves a
 * job at `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`. Simulated jobs get the same JSON at
 * `AWS_CONTAINER_CREDENTIALS_FULL_URI` with an authorization token — the form the AWS SDKs accept
 * for loopback addresses — so the job's bootstrap and its S3 client find credentials exactly as in
 * a container, and no credential is ever put in the job's environment.
 *
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 * @see https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface CredentialsEndpoint {
  /** What a job's environment gets: the URI and the token. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The credentials of whoever runs the simulation, found by the AWS SDK's default chain. */
async function sdkCredentials() {
  const { S3Client } = await import("@aws-sdk/client-s3");
  const client = new S3Client({});
  try {
    return await client.config.credentials();
  } finally {
    client.destroy();
  }
}

/** Starts the endpoint on 127.0.0.1; credentials are looked up when a job first asks. */
export async function startCredentialsEndpoint(
  lookup: typeof sdkCredentials = sdkCredentials,
): Promise<CredentialsEndpoint> {
  const token = randomBytes(24).toString("hex");
  const route = `/v2/credentials/${randomBytes(8).toString("hex")}`;
  let found: ReturnType<typeof sdkCredentials> | undefined;
  const server = http.createServer((request, response) => {
    if (request.url !== route || request.headers.authorization !== token) {
      response.writeHead(403).end();
      return;
    }
    found ??= lookup();
    found.then(
      (c) => {
        const expiration = c.expiration ?? new Date(Date.now() + 3600_000);
        response.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            AccessKeyId: c.accessKeyId,
            SecretAccessKey: c.secretAccessKey,
            // ECS always serves temporary credentials; a user's long-term keys have no session
            // token, and an empty one is what the SDKs then sign without.
            Token: c.sessionToken ?? "",
            Expiration: expiration.toISOString(),
          }),
        );
      },
      (error: Error) => response.writeHead(500).end(`no credentials: ${error.message}`),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${port}${route}`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: token,
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
