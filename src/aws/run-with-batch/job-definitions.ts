/**
 * The job definitions of `run --with batch`: production's (compileJobDefinition, the same
 * self-contained bootstrap command), one per image and role a run's `batch` decorators ask for.
 * Each is registered once per content: a revision whose tag holds the same content hash is reused,
 * so a second run of unchanged code registers nothing (Batch keeps every revision ever registered,
 * and a laptop that registered one per run would fill the list fast).
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html
 */
import { sha256 } from "../../util/hash.js";
import type { AssignPublicIp, ComputeKind } from "../compile/compile-options.js";
import { compileJobDefinition, type JobDefinitionInput } from "../compile/job-definition.js";
import type { BatchDeployClient } from "../deploy/batch-client.js";

/** The tag that names a revision's content; registering again is skipped when it matches. */
export const CONTENT_TAG = "flowship:content-sha256";

export interface JobDefinitionSettings {
  flow: string;
  codePackageUrl: string;
  codePackageSha256: string;
  datastoreRoot: string;
  region: string;
  compute: ComputeKind;
  image?: string;
  jobRoleArn?: string;
  executionRoleArn?: string;
  assignPublicIp?: AssignPublicIp;
  fargatePlatformVersion?: string;
}

/** Production's job definition for these settings, tagged with the hash of its content. */
export function localRunJobDefinition(settings: JobDefinitionSettings): JobDefinitionInput {
  const input = compileJobDefinition(settings);
  // compileJobDefinition builds its object in a fixed order: equal content, equal text.
  const sha = sha256(JSON.stringify(input));
  return { ...input, tags: { ...input.tags, [CONTENT_TAG]: sha } };
}

/** The ARN of an ACTIVE revision with this content, registering one when there is none. */
export async function ensureJobDefinition(
  client: BatchDeployClient,
  input: JobDefinitionInput,
): Promise<{ arn: string; registered: boolean }> {
  const sha = input.tags[CONTENT_TAG];
  const existing = (await client.activeJobDefinitions(input.jobDefinitionName)).find(
    (definition) => definition.tags?.[CONTENT_TAG] === sha && definition.jobDefinitionArn,
  );
  if (existing) return { arn: existing.jobDefinitionArn!, registered: false };
  return { arn: await client.registerJobDefinition(input), registered: true };
}
