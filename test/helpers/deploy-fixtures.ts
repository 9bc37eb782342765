/**
 * What deploy tests share: a complete set of AWS settings for a fake account, and flows compiled
 * the way `step-functions create` compiles them.
 */
import type { AwsSettings } from "../../src/aws/deploy/aws-settings.js";
import { type DeployFlowOptions, type DeployResult, deployFlow } from "../../src/aws/deploy/create.js";
import type { DeployClients } from "../../src/aws/deploy/deployment.js";
import { deployTarget } from "../../src/aws/deploy/resource-names.js";
import type { Storage } from "../../src/datastore/storage.js";
import type { FlowSpec } from "../../src/flow/types.js";
import { type CompiledFlow, compileFlow, importCompiledFlow } from "../../src/run/compile-flow.js";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";

/** Compiles a flow file with the S3 backend (as create does) and returns its flow. */
export async function loadDeployable(
  file: string,
  outDir: string,
): Promise<{ flow: FlowSpec; compiled: CompiledFlow }> {
  const compiled = await compileFlow({ file, outDir, withS3: true });
  const module = (await importCompiledFlow(compiled)) as { default?: FlowSpec };
  if (!module.default) throw new Error(`${file} has no default export`);
  return { flow: module.default, compiled };
}

/** Settings of a complete configuration (the S3 root is the test's). */
export function testSettings(s3Root: string): AwsSettings {
  const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
  return {
    region: REGION,
    jobQueue: "flowship-queue",
    s3Root,
    batchJobRole: role("flowship-batch-job"),
    sfnRole: role("flowship-step-functions"),
    schedulerRole: role("flowship-scheduler"),
    eventsRole: role("flowship-events"),
    image: "node:22",
  };
}

export interface TestDeployOptions extends Partial<DeployFlowOptions> {
  s3Root: string;
  storage: Storage;
  /** Where flows are compiled. */
  outDir: string;
  /** The state machine name. @default the flow's name */
  name?: string;
}

/**
 * Deploys a flow file as `alice` (unless told otherwise) at a fixed time, packaging sources
 * relative to the file's folder when it lies outside the repository.
 */
export async function deployFile(
  aws: { clients: DeployClients },
  file: string,
  options: TestDeployOptions,
): Promise<DeployResult & { flow: FlowSpec }> {
  const { s3Root, storage, outDir, name, ...extra } = options;
  const { flow, compiled } = await loadDeployable(file, outDir);
  const settings = testSettings(s3Root);
  const inRepo = !file.startsWith("/") || file.startsWith(process.cwd());
  const result = await deployFlow({
    flow,
    compiled,
    settings,
    target: deployTarget(settings, flow.name, name),
    clients: aws.clients,
    storage,
    user: "alice",
    sourceRoot: inRepo ? process.cwd() : file.slice(0, file.lastIndexOf("/")) || "/",
    now: new Date("2026-03-02T10:30:00Z"),
    ...extra,
  });
  return { ...result, flow };
}
