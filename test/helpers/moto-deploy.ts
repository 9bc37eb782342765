/**
 * Deploy tests against moto (moto.ts), on top of moto-account.ts (its SDK clients and deploy
 * wrappers): an S3 datastore in a bucket of the test's own, moto emptied between tests,
 * deployments made earlier (as a previous `create` left them), and the requests sent, by
 * operation, with their JSON bodies.
 */
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  UpdateStateMachineCommand,
} from "@aws-sdk/client-sfn";
import { metadataTags } from "../../src/aws/deploy/deployment-metadata.js";
import { S3Storage } from "../../src/datastore/backends/s3.js";
import type { Storage } from "../../src/datastore/storage.js";
import { callName, type Moto, type MotoRequest } from "./moto.js";
import { motoDeployClients, roleArn, sdkClients } from "./moto-account.js";

/** SDK clients straight to moto, for a test's own set-up and look-ups (not recorded). */
export const motoDirect = (moto: Moto) => sdkClients(moto);

export { motoDeployClients, roleArn };

async function createBucket(moto: Moto, bucket: string): Promise<void> {
  await sdkClients(moto).s3.send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: moto.region as never },
    }),
  );
}

/**
 * The S3 datastore at `s3://<bucket>/flowship` in moto's S3 (through the proxy, path-style), its
 * bucket created first.
 */
export async function motoBucketStorage(
  moto: Moto,
  bucket: string,
): Promise<{ storage: Storage; s3Root: string }> {
  await createBucket(moto, bucket);
  const s3Root = `s3://${bucket}/flowship`;
  const client = sdkClients(moto, moto.endpoint).s3;
  return { storage: new S3Storage({ root: s3Root, client }), s3Root };
}

/**
 * Empties moto (every service, moto's own reset API), so the next test starts from an account
 * with nothing deployed; the datastore's bucket, when given, is made again. The recorded requests
 * stay.
 */
export async function resetMoto(moto: Moto, bucket?: string): Promise<void> {
  const answer = await fetch(`${moto.directEndpoint}/moto-api/reset`, { method: "POST" });
  if (!answer.ok) throw new Error(`moto's reset answered ${answer.status}`);
  if (bucket) await createBucket(moto, bucket);
}

/** A definition that ends at once, different for each `value` (so each publish is a new version). */
export function passDefinition(value: unknown = 0): string {
  return JSON.stringify({
    StartAt: "Done",
    States: { Done: { Type: "Pass", Result: { value }, End: true } },
  });
}

/**
 * A deployment as an earlier `step-functions create` by `owner` left it: a state machine tagged
 * with flowship's metadata, `versions` published versions and the production alias on the last.
 * Made straight in moto (unrecorded). Returns the state machine's ARN.
 */
export async function seedDeployment(
  moto: Moto,
  options: {
    name: string;
    owner: string;
    token: string;
    versions?: number;
    /** The definition of version `i` (1-based). @default a Pass state */
    definition?: (i: number) => string;
    /** Other tags instead of flowship's. */
    tags?: Record<string, string>;
  },
): Promise<string> {
  const { sfn } = motoDirect(moto);
  const definition = options.definition ?? passDefinition;
  const tags =
    options.tags ??
    metadataTags({
      flow: options.name,
      owner: options.owner,
      token: options.token,
      flowshipVersion: "0.1.0",
      parameters: [],
      runTags: [],
    });
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: options.name,
      roleArn: roleArn("flowship-step-functions"),
      definition: definition(1),
      publish: true,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    }),
  );
  let version = created.stateMachineVersionArn!;
  for (let i = 2; i <= (options.versions ?? 1); i++) {
    const updated = await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: created.stateMachineArn,
        definition: definition(i),
        publish: true,
      }),
    );
    version = updated.stateMachineVersionArn!;
  }
  await sfn.send(
    new CreateStateMachineAliasCommand({
      name: "production",
      routingConfiguration: [{ stateMachineVersionArn: version, weight: 100 }],
    }),
  );
  return created.stateMachineArn!;
}

/**
 * `service:Operation` of a request. JSON and query protocols name it; for the REST-JSON services
 * flowship calls (Batch, EventBridge Scheduler) it is read from the method and path as their API
 * models route them.
 */
export function operationOf(request: MotoRequest): string {
  if (request.operation) return `${request.service}:${request.operation}`;
  const path = request.url.split("?")[0]!;
  if (request.service === "batch") {
    const BATCH: Record<string, string> = {
      "/v1/registerjobdefinition": "RegisterJobDefinition",
      "/v1/describejobdefinitions": "DescribeJobDefinitions",
      "/v1/deregisterjobdefinition": "DeregisterJobDefinition",
    };
    if (BATCH[path]) return `batch:${BATCH[path]}`;
  }
  if (request.service === "scheduler" && path.startsWith("/schedules/")) {
    const verb = { GET: "Get", POST: "Create", PUT: "Update", DELETE: "Delete" }[request.method];
    if (verb) return `scheduler:${verb}Schedule`;
  }
  return callName(request);
}

/** Every request sent, as `service:Operation`, in order (S3's left out unless asked for). */
export function operations(moto: Moto, options: { s3?: boolean; from?: number } = {}): string[] {
  // `from` indexes moto.requests, S3's included: slice before S3's requests are left out.
  return moto.requests
    .slice(options.from ?? 0)
    .filter((r) => options.s3 || r.service !== "s3")
    .map(operationOf);
}

/** The JSON bodies of the requests of one operation (`states:CreateStateMachine`), in order. */
export function sent(moto: Moto, operation: string, from = 0): any[] {
  return moto.requests
    .slice(from)
    .filter((r) => operationOf(r) === operation)
    .map((r) => (r.body ? JSON.parse(r.body) : {}));
}

/** A schedule's name from its request path (`/schedules/<Name>`). */
export function scheduleNameOf(request: MotoRequest): string {
  return decodeURIComponent(request.url.split("?")[0]!.slice("/schedules/".length));
}
