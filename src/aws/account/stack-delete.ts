/**
 * Deletes the account stack, and only an account stack: a stack flowship did not make is refused
 * before DeleteStack (a typo must not delete a database's stack), and so is one whose deployer
 * policy is still attached to someone (CloudFormation could not delete the policy). The bucket
 * the stack made outlives it (DeletionPolicy Retain); its name is read before the delete, so the
 * user is always told where it is, or it is emptied and deleted with `--delete-bucket`.
 */
import {
  DeleteStackCommand,
  DescribeStackResourcesCommand,
  ListStacksCommand,
  type Stack,
} from "@aws-sdk/client-cloudformation";
import { IAMClient, ListEntitiesForPolicyCommand } from "@aws-sdk/client-iam";
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { s3Endpoint } from "../../config.js";
import { type AwsCallError, awsCall } from "../deploy/errors.js";
import { StackDeployError } from "./errors.js";
import { isFlowshipStack, outputsOf, type StackClientOptions, StackSession } from "./stack-deploy.js";
import { BUCKET_ID } from "./stack-template.js";

export interface DeleteStackOptions extends StackClientOptions {
  /** IAM, for the check that the deployer policy is attached to no one. */
  iam?: IAMClient;
}

export interface DeleteStackResult {
  /** The bucket the stack made, which outlives it (its DeletionPolicy is Retain). */
  retainedBucket?: string;
  /** False when there was no such stack. */
  deleted: boolean;
}

/** The users, groups and roles the deployer policy is attached to (`user alice`, `role ci`). */
async function policyHolders(iam: IAMClient, policyArn: string): Promise<string[]> {
  const holders: string[] = [];
  let marker: string | undefined;
  do {
    const page = await awsCall(
      "iam:ListEntitiesForPolicy",
      policyArn,
      () => iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: policyArn, Marker: marker })),
      {
        grantee: "the identity running flowship aws stack",
        remedy: `Check who holds it with \`aws iam list-entities-for-policy --policy-arn ${policyArn}\``,
      },
    );
    holders.push(
      ...(page.PolicyUsers ?? []).map((u) => `user ${u.UserName}`),
      ...(page.PolicyGroups ?? []).map((g) => `group ${g.GroupName}`),
      ...(page.PolicyRoles ?? []).map((r) => `role ${r.RoleName}`),
    );
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return holders;
}

/** Refuses, before DeleteStack, what CloudFormation must not (or could not) delete. */
async function checkDeletable(session: StackSession, stack: Stack, iam: IAMClient): Promise<void> {
  if (!(await isFlowshipStack(session, stack))) {
    throw new StackDeployError(
      `Not deleting stack '${session.name}': it is not a flowship account stack (its template's Description is not flowship's, and it has no DeployerPolicy and Compute outputs). Check --name and --region; delete other stacks with the CloudFormation console.`,
    );
  }
  const policy = outputsOf(stack).DeployerPolicy;
  if (!policy) return;
  const holders = await policyHolders(iam, policy);
  if (holders.length > 0) {
    throw new StackDeployError(
      `Not deleting stack '${session.name}': its deployer policy ${policy} is attached to ${holders.join(", ")}. Detach it first (aws iam detach-user-policy|detach-group-policy|detach-role-policy --policy-arn ${policy} …), then delete again.`,
    );
  }
}

/** The bucket of a stack, from its resources (a stack given --bucket has none of its own). */
async function stackBucket(session: StackSession): Promise<string | undefined> {
  const resources = await session.call("DescribeStackResources", () =>
    session.client.send(new DescribeStackResourcesCommand({ StackName: session.ref })),
  );
  return resources.StackResources?.find((r) => r.LogicalResourceId === BUCKET_ID)?.PhysicalResourceId;
}

/**
 * The bucket the newest deleted stack of this name made and kept, for a `--delete-bucket` that
 * comes after the stack is gone. CloudFormation lists deleted stacks, and describes their
 * resources by id, for 90 days.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html
 */
export async function deletedStackBucket(options: StackClientOptions): Promise<string | undefined> {
  const session = new StackSession(options);
  let newest: { id: string; at: number } | undefined;
  let token: string | undefined;
  do {
    const page = await session.call("ListStacks", () =>
      session.client.send(
        new ListStacksCommand({ StackStatusFilter: ["DELETE_COMPLETE"], NextToken: token }),
      ),
    );
    for (const summary of page.StackSummaries ?? []) {
      const at = (summary.DeletionTime ?? summary.CreationTime)?.getTime() ?? 0;
      if (summary.StackName === session.name && summary.StackId && (!newest || at > newest.at)) {
        newest = { id: summary.StackId, at };
      }
    }
    token = page.NextToken;
  } while (token);
  if (!newest) return undefined;
  session.stackId = newest.id;
  return stackBucket(session);
}

/** Deletes the stack and waits until it is gone; the bucket it made stays (DeletionPolicy Retain). */
export async function deleteStack(options: DeleteStackOptions): Promise<DeleteStackResult> {
  const session = new StackSession(options);
  const stack = await session.describe();
  if (!stack) return { deleted: false };
  // Once deleted, the stack is found by its id only; and a stack of the same name made meanwhile
  // is not this one.
  session.stackId = stack.StackId;
  const iam = options.iam ?? new IAMClient(options.region ? { region: options.region } : {});
  await checkDeletable(session, stack, iam);
  const bucket = await stackBucket(session);
  const kept = bucket ? ` Its bucket ${bucket} is kept.` : "";
  const seen = new Set((await session.newEvents(new Set())).map((e) => e.EventId ?? ""));
  // Said before the call: once sent, CloudFormation may be deleting whether or not flowship hears back.
  session.progress({ phase: "deleting", ...(bucket ? { bucket } : {}) });
  await session
    .call("DeleteStack", () => session.client.send(new DeleteStackCommand({ StackName: session.ref })))
    .catch((error: AwsCallError) => {
      throw new StackDeployError(`${error.message}${kept}`, { cause: error });
    });
  session.startClock();
  session.log(`Deleting stack ${session.name}…`);
  const { status, failures } = await session.follow(seen);
  if (status !== "DELETE_COMPLETE") {
    for (const failure of failures) session.log(`failed: ${failure}`);
    throw new StackDeployError(
      `Deleting stack '${session.name}' failed: it is ${status}${failures[0] ? ` (${failures[0]})` : ""}. Remove what holds the resource (e.g. jobs still running, another stack's use), then delete again.${kept}`,
    );
  }
  return { deleted: true, ...(bucket ? { retainedBucket: bucket } : {}) };
}

/**
 * Empties a bucket (every object version and delete marker) and deletes it: what
 * `aws stack delete --delete-bucket` does after the stack is gone, since the stack itself always
 * retains its bucket. Returns the number of objects deleted.
 */
export async function deleteBucket(options: {
  bucket: string;
  region?: string;
  client?: S3Client;
}): Promise<number> {
  // An S3-compatible endpoint (FLOWSHIP_S3_ENDPOINT) is addressed by path, as the datastore does.
  const endpoint = s3Endpoint();
  const client =
    options.client ??
    new S3Client({
      ...(options.region ? { region: options.region } : {}),
      ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    });
  const { bucket } = options;
  const remedies = {
    grantee: "the identity running flowship aws stack",
    remedy: `The stack is deleted, its bucket is not: empty and delete it with \`aws s3 rb --force s3://${bucket}\``,
  };
  let deleted = 0;
  for (;;) {
    // Deleting as we go: each listing starts again from what is left.
    const page = await awsCall(
      "s3:ListBucketVersions",
      bucket,
      () => client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 })),
      remedies,
    );
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key ?? "",
      ...(v.VersionId ? { VersionId: v.VersionId } : {}),
    }));
    if (objects.length === 0) break;
    const result = await awsCall(
      "s3:DeleteObject",
      bucket,
      () =>
        client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } })),
      remedies,
    );
    if (result.Errors?.length) {
      const first = result.Errors[0]!;
      throw new StackDeployError(
        `Could not empty bucket '${bucket}': ${first.Key}: ${[first.Code, first.Message].filter(Boolean).join(" ").replace(/\.+$/, "")}. Empty it yourself (aws s3 rm --recursive), then delete it.`,
      );
    }
    deleted += objects.length;
  }
  await awsCall(
    "s3:DeleteBucket",
    bucket,
    () => client.send(new DeleteBucketCommand({ Bucket: bucket })),
    remedies,
  );
  return deleted;
}
