/**
 * Whether a queue's jobs run on Fargate or EC2, read from Batch before a run with Batch steps
 * submits anything: a Fargate job definition cannot run on an EC2 queue nor the reverse, and one
 * run may use both kinds of queue.
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_DescribeJobQueues.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_DescribeComputeEnvironments.html
 */
import { UsageError } from "../../errors.js";
import type { BatchLauncherSetup } from "../../run/batch-launcher-types.js";
import type { ComputeKind } from "../compile/compile-options.js";
import type { BatchDeployClient, QueueEnvironment } from "../deploy/batch-client.js";
import { AwsCallError } from "../deploy/errors.js";

/** The SDK's and AWS's names for credentials that are missing, expired or not accepted. */
const BAD_CREDENTIALS =
  /CredentialsProviderError|InvalidClientTokenId|ExpiredToken|UnrecognizedClient|InvalidSignature|SignatureDoesNotMatch/;

/** What a run knows of a job queue before it submits to it. */
export interface QueueFacts {
  kind: ComputeKind;
  /** Its compute environments; undefined where the queue could not be read. */
  environments?: QueueEnvironment[];
}

/**
 * The queue's kind: `fargate` when its compute environments are FARGATE or FARGATE_SPOT (a queue
 * holds one kind only), else `ec2`; where the queue cannot be read (credentials that do not work
 * aside), or has no compute environment, the `compute` setting says. A queue that does not exist
 * is refused.
 */
export async function queueCompute(
  client: BatchDeployClient,
  queue: string,
  setting: ComputeKind,
  print: BatchLauncherSetup["print"],
): Promise<QueueFacts> {
  let environments: QueueEnvironment[] | undefined;
  try {
    environments = await client.queueEnvironments(queue);
  } catch (error) {
    // Credentials that do not work fail every call after this one too: the run stops here, on
    // that error, rather than after a fallback's warning. Anything else (a denial, AWS out of
    // reach) falls back, so the sizes are still checked against the setting before any upload.
    if (error instanceof AwsCallError && BAD_CREDENTIALS.test(error.awsError)) throw error;
    print(
      `Could not read Batch job queue '${queue}' (${(error as Error).message}): its jobs are made for the compute setting '${setting}'`,
      "stderr",
    );
    return { kind: setting };
  }
  if (environments === undefined) {
    throw new UsageError(
      `Batch job queue '${queue}' does not exist in this account and region: name an existing queue where it is given: the jobQueue setting (--job-queue / FLOWSHIP_AWS_JOB_QUEUE), queue=… in --with batch, or batch({ queue }).`,
      "FS_RUN_BATCH_QUEUE",
    );
  }
  const kind = environments.some((e) => e.type.startsWith("FARGATE"))
    ? "fargate"
    : environments.length > 0
      ? "ec2"
      : setting;
  return { kind, environments };
}
