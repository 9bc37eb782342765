/**
 * An AWS account in moto (moto.ts) as flowship finds it before a deploy: the S3 bucket of the
 * datastore and the IAM roles the settings name, made through moto's own endpoint (unrecorded),
 * and the environment of a deployer whose SDK reaches that moto. Tests then look at what the CLI
 * left in moto with SDK clients on that same direct endpoint.
 */
import path from "node:path";
import { BatchClient } from "@aws-sdk/client-batch";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { SFNClient } from "@aws-sdk/client-sfn";
import { BatchDeployClient } from "../../src/aws/deploy/batch-client.js";
import type { DeployClients } from "../../src/aws/deploy/deployment.js";
import { EventsDeployClient } from "../../src/aws/deploy/events-client.js";
import { SchedulerDeployClient } from "../../src/aws/deploy/scheduler-client.js";
import { SfnDeployClient } from "../../src/aws/deploy/sfn-client.js";
import { openStorage } from "../../src/datastore/open-storage.js";
import type { Storage } from "../../src/datastore/storage.js";
import { flowshipEnv } from "./cli.js";
import { MOTO_ACCOUNT, type Moto } from "./moto.js";

/** The datastore's bucket; the deployments' S3 root is `s3://BUCKET/flowship`. */
export const BUCKET = "flowship-bucket";
export const S3_ROOT = `s3://${BUCKET}/flowship`;

/** The ARN of one of the account's roles. */
export const roleArn = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`;

/** The roles the deploy settings name (docs/production.md), by setting. */
export const ROLES = {
  sfnRole: "flowship-step-functions",
  batchJobRole: "flowship-batch-job",
  eventsRole: "flowship-events",
  schedulerRole: "flowship-scheduler",
} as const;

/** SDK clients for `endpoint` (moto's own by default: a test's look-ups are not recorded). */
export function sdkClients(moto: Moto, endpoint = moto.directEndpoint) {
  const options = {
    region: moto.region,
    endpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    // A test asserts on what was sent: one attempt, no retries hiding an error.
    maxAttempts: 1,
  };
  return {
    sfn: new SFNClient(options),
    batch: new BatchClient(options),
    events: new EventBridgeClient(options),
    scheduler: new SchedulerClient(options),
    iam: new IAMClient(options),
    s3: new S3Client({ ...options, forcePathStyle: true }),
  };
}

/** flowship's deploy wrappers over SDK clients that reach moto through its recording proxy. */
export function motoDeployClients(moto: Moto): DeployClients {
  const clients = sdkClients(moto, moto.endpoint);
  return {
    sfn: new SfnDeployClient({ client: clients.sfn }),
    batch: new BatchDeployClient({ client: clients.batch }),
    scheduler: new SchedulerDeployClient({ client: clients.scheduler }),
    events: new EventsDeployClient({ client: clients.events }),
  };
}

/**
 * The S3 datastore at `root` in moto's bucket, opened in the test's own process through the
 * recording proxy. moto's fake keys are put in this process's environment, where the SDK's chain
 * (and the credentials endpoint of simulated jobs) finds them, as s3-server.ts does for s3rver.
 */
export function motoStorage(moto: Moto, root = S3_ROOT): Promise<Storage> {
  process.env.AWS_ACCESS_KEY_ID = "testing";
  process.env.AWS_SECRET_ACCESS_KEY = "testing";
  delete process.env.AWS_SESSION_TOKEN;
  return openStorage({ kind: "s3", root, endpoint: moto.endpoint });
}

/** Makes what an account has before its first deploy: the bucket and the roles. */
export async function prepareAccount(moto: Moto): Promise<void> {
  const { s3, iam } = sdkClients(moto);
  await s3.send(
    new CreateBucketCommand({
      Bucket: BUCKET,
      CreateBucketConfiguration: { LocationConstraint: moto.region as "eu-west-1" },
    }),
  );
  const trust = (service: string) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
  const services: Record<keyof typeof ROLES, string> = {
    sfnRole: "states.amazonaws.com",
    batchJobRole: "ecs-tasks.amazonaws.com",
    eventsRole: "events.amazonaws.com",
    schedulerRole: "scheduler.amazonaws.com",
  };
  for (const [setting, name] of Object.entries(ROLES) as [keyof typeof ROLES, string][]) {
    await iam.send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust(services[setting]) }),
    );
  }
}

/**
 * The environment of a deployer whose AWS is `moto`: complete AWS settings (events and
 * scheduler roles included), user alice, the datastore in the bucket, nothing from ~.
 */
export function deployerEnv(
  dir: string,
  moto: Moto,
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  return flowshipEnv(path.join(dir, ".flowship"), {
    ...moto.env,
    FLOWSHIP_CONFIG: path.join(dir, "absent.json"),
    FLOWSHIP_CACHE_DIR: path.join(dir, "cache"),
    FLOWSHIP_USER: "alice",
    FLOWSHIP_AWS_REGION: moto.region,
    FLOWSHIP_AWS_SFN_ROLE: roleArn(ROLES.sfnRole),
    FLOWSHIP_AWS_JOB_QUEUE: "flowship-queue",
    FLOWSHIP_AWS_S3_ROOT: S3_ROOT,
    FLOWSHIP_AWS_BATCH_JOB_ROLE: roleArn(ROLES.batchJobRole),
    FLOWSHIP_AWS_EVENTS_ROLE: roleArn(ROLES.eventsRole),
    FLOWSHIP_AWS_SCHEDULER_ROLE: roleArn(ROLES.schedulerRole),
    ...extra,
  });
}
