/**
 * Applies the account stack through CloudFormation, and deletes it: the only module of
 * src/aws/account that calls AWS. A deploy is a change set (CREATE or UPDATE, by whether the stack
 * exists) that is executed once CloudFormation has computed it, then followed event by event. A
 * create that fails is left as it failed (rollback disabled) so its resources can be inspected;
 * an update that fails rolls back to the stack that worked.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-updating-stacks-changesets.html
 */
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Stack,
  type StackEvent,
} from "@aws-sdk/client-cloudformation";
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { s3Endpoint } from "../../config.js";
import { awsCall, awsErrorName } from "../deploy/errors.js";
import { StackDeployError } from "./errors.js";
import { BUCKET_ID, type StackTemplate } from "./stack-template.js";

export interface StackClientOptions {
  /** The stack's name. */
  name: string;
  /** @default the SDK's region (AWS_REGION, profile) */
  region?: string;
  /** A ready SDK client (tests may pass their own). */
  client?: CloudFormationClient;
  /** Milliseconds between polls. @default 5000 */
  pollMs?: number;
  /** Where progress lines go. @default stderr */
  log?: (line: string) => void;
}

export interface DeployStackOptions extends StackClientOptions {
  template: StackTemplate;
}

export interface DeployStackResult {
  outcome: "created" | "updated" | "unchanged";
  outputs: Record<string, string>;
}

/** Stack statuses a deploy or delete ends in; anything else is still moving. */
const DONE = /(_COMPLETE|_FAILED)$/;
const SUCCEEDED = new Set(["CREATE_COMPLETE", "UPDATE_COMPLETE", "DELETE_COMPLETE"]);
/** What CloudFormation says when a change set would change nothing. */
const NO_CHANGES = /didn't contain changes|No updates are to be performed/;

class StackSession {
  readonly client: CloudFormationClient;
  readonly name: string;
  readonly pollMs: number;
  readonly log: (line: string) => void;

  constructor(options: StackClientOptions) {
    this.client =
      options.client ?? new CloudFormationClient(options.region ? { region: options.region } : {});
    this.name = options.name;
    this.pollMs = options.pollMs ?? 5000;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  }

  /** The stack, or undefined when there is none (a deleted stack is none). */
  async describe(): Promise<Stack | undefined> {
    try {
      const output = await this.client.send(new DescribeStacksCommand({ StackName: this.name }));
      const stack = output.Stacks?.[0];
      return stack?.StackStatus === "DELETE_COMPLETE" ? undefined : stack;
    } catch (error) {
      // CloudFormation answers a missing stack with a ValidationError "does not exist".
      if (
        awsErrorName(error) === "ValidationError" &&
        /does not exist/.test(String((error as Error).message))
      ) {
        return undefined;
      }
      return awsCall("cloudformation:DescribeStacks", this.name, () => Promise.reject(error));
    }
  }

  sleep(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.pollMs));
  }

  /** Every event of the stack, newest first, down to (not including) the first one in `seen`. */
  async newEvents(seen: Set<string>): Promise<StackEvent[]> {
    const events: StackEvent[] = [];
    let token: string | undefined;
    do {
      const page = await awsCall("cloudformation:DescribeStackEvents", this.name, () =>
        this.client.send(new DescribeStackEventsCommand({ StackName: this.name, NextToken: token })),
      );
      for (const event of page.StackEvents ?? []) {
        if (seen.has(event.EventId ?? "")) return events;
        events.push(event);
      }
      token = page.NextToken;
    } while (token);
    return events;
  }

  /**
   * Follows the stack until it settles, printing each resource as it completes or fails, and
   * returns its last status and the reasons of the resources that failed.
   */
  async follow(seen: Set<string>, stackId: string): Promise<{ status: string; failures: string[] }> {
    const failures: string[] = [];
    for (;;) {
      const events = (await this.newEvents(seen)).reverse();
      for (const event of events) {
        seen.add(event.EventId ?? "");
        const status = event.ResourceStatus ?? "";
        if (event.LogicalResourceId === this.name || event.PhysicalResourceId === stackId) continue;
        if (!/_COMPLETE$|_FAILED$/.test(status)) continue;
        this.log(`  ${status.padEnd(20)} ${event.ResourceType ?? ""} ${event.LogicalResourceId ?? ""}`);
        const reason = event.ResourceStatusReason ?? "";
        // A resource whose creation CloudFormation cancelled because another one failed is not a cause.
        if (status.endsWith("_FAILED") && !/cancelled/i.test(reason)) {
          failures.push(`${event.LogicalResourceId} (${event.ResourceType}): ${oneLine(reason)}`);
        }
      }
      const stack = await this.describe();
      const status = stack?.StackStatus ?? "DELETE_COMPLETE";
      if (DONE.test(status) && !status.endsWith("_IN_PROGRESS")) {
        if (failures.length === 0 && !SUCCEEDED.has(status) && stack?.StackStatusReason) {
          failures.push(`${this.name}: ${oneLine(stack.StackStatusReason)}`);
        }
        return { status, failures };
      }
      await this.sleep();
    }
  }
}

const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

function outputsOf(stack: Stack | undefined): Record<string, string> {
  return Object.fromEntries(
    (stack?.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]).filter(([k]) => k !== ""),
  );
}

/** The statuses of a stack a change set can be made for: it exists and is at rest. */
const UPDATABLE =
  /^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|IMPORT_COMPLETE|IMPORT_ROLLBACK_COMPLETE)$/;

/** Waits until CloudFormation has computed the change set; false when it would change nothing. */
async function awaitChangeSet(session: StackSession, changeSetId: string): Promise<boolean> {
  for (;;) {
    const set = await awsCall("cloudformation:DescribeChangeSet", session.name, () =>
      session.client.send(
        new DescribeChangeSetCommand({ ChangeSetName: changeSetId, StackName: session.name }),
      ),
    );
    if (set.Status === "CREATE_COMPLETE") return true;
    if (set.Status === "FAILED") {
      if (NO_CHANGES.test(set.StatusReason ?? "")) {
        await awsCall("cloudformation:DeleteChangeSet", session.name, () =>
          session.client.send(
            new DeleteChangeSetCommand({ ChangeSetName: changeSetId, StackName: session.name }),
          ),
        );
        return false;
      }
      throw new StackDeployError(
        `CloudFormation refused the change set of stack '${session.name}': ${oneLine(set.StatusReason ?? "no reason given")}. Fix the options and deploy again.`,
      );
    }
    await session.sleep();
  }
}

/**
 * Creates the stack or updates it to `template`, printing progress; returns its outputs.
 * @example
 * const { outputs } = await deployStack({ name: "flowship", template: stackTemplate() });
 */
export async function deployStack(options: DeployStackOptions): Promise<DeployStackResult> {
  const session = new StackSession(options);
  const existing = await session.describe();
  const status = existing?.StackStatus;
  // A stack that only ever had a change set (REVIEW_IN_PROGRESS) is created by the next one.
  const create = existing === undefined || status === "REVIEW_IN_PROGRESS";
  if (!create && !UPDATABLE.test(status ?? "")) {
    const remedy = /_IN_PROGRESS$/.test(status ?? "")
      ? "Wait until it finishes, then deploy again"
      : `Inspect it in the CloudFormation console, then delete it with 'flowship aws stack delete --name ${session.name}' and deploy again`;
    throw new StackDeployError(`Stack '${session.name}' cannot be updated now: it is ${status}. ${remedy}.`);
  }
  const changeSetName = `flowship-${Date.now()}`;
  const changeSet = await awsCall("cloudformation:CreateChangeSet", session.name, () =>
    session.client.send(
      new CreateChangeSetCommand({
        StackName: session.name,
        ChangeSetName: changeSetName,
        ChangeSetType: create ? "CREATE" : "UPDATE",
        TemplateBody: JSON.stringify(options.template),
        // The roles and the deployer's policy have names (`<stack>-batch-job` …).
        Capabilities: ["CAPABILITY_NAMED_IAM"],
        Description: "flowship aws stack deploy",
      }),
    ),
  );
  const changeSetId = changeSet.Id ?? changeSetName;
  session.log(`${create ? "Creating" : "Updating"} stack ${session.name} (change set ${changeSetName})…`);
  if (!(await awaitChangeSet(session, changeSetId))) {
    return { outcome: "unchanged", outputs: outputsOf(existing) };
  }
  const seen = new Set((await session.newEvents(new Set())).map((e) => e.EventId ?? ""));
  await awsCall("cloudformation:ExecuteChangeSet", session.name, () =>
    session.client.send(
      new ExecuteChangeSetCommand({
        ChangeSetName: changeSetId,
        StackName: session.name,
        // A failed create stays as it failed, for inspection; a failed update rolls back.
        ...(create ? { DisableRollback: true } : {}),
      }),
    ),
  );
  const stackId = changeSet.StackId ?? session.name;
  const { status: final, failures } = await session.follow(seen, stackId);
  if (!SUCCEEDED.has(final)) {
    for (const failure of failures) session.log(`failed: ${failure}`);
    const next = create
      ? `It is left as it failed for inspection; remove it with 'flowship aws stack delete --name ${session.name}'`
      : "CloudFormation rolled it back to the previous template";
    throw new StackDeployError(
      `Deploying stack '${session.name}' failed: it is ${final}${failures[0] ? ` (${failures[0]})` : ""}. ${next}.`,
    );
  }
  return { outcome: create ? "created" : "updated", outputs: outputsOf(await session.describe()) };
}

/** The outputs of a deployed stack. */
export async function stackOutputs(
  options: Pick<StackClientOptions, "name" | "region" | "client">,
): Promise<Record<string, string>> {
  const stack = await new StackSession(options).describe();
  if (!stack) {
    throw new StackDeployError(
      `No stack named '${options.name}'${options.region ? ` in ${options.region}` : ""}. Deploy it with 'flowship aws stack deploy --name ${options.name}', or check the region.`,
    );
  }
  return outputsOf(stack);
}

export interface DeleteStackResult {
  /** The bucket the stack made, which outlives it (its DeletionPolicy is Retain). */
  retainedBucket?: string;
  /** False when there was no such stack. */
  deleted: boolean;
}

/** Deletes the stack and waits until it is gone; the bucket it made stays (DeletionPolicy Retain). */
export async function deleteStack(options: StackClientOptions): Promise<DeleteStackResult> {
  const session = new StackSession(options);
  const stack = await session.describe();
  if (!stack) return { deleted: false };
  const resources = await awsCall("cloudformation:DescribeStackResources", session.name, () =>
    session.client.send(new DescribeStackResourcesCommand({ StackName: session.name })),
  );
  const bucket = resources.StackResources?.find((r) => r.LogicalResourceId === BUCKET_ID)?.PhysicalResourceId;
  const seen = new Set((await session.newEvents(new Set())).map((e) => e.EventId ?? ""));
  await awsCall("cloudformation:DeleteStack", session.name, () =>
    session.client.send(new DeleteStackCommand({ StackName: stack.StackId ?? session.name })),
  );
  session.log(`Deleting stack ${session.name}…`);
  // Follow by id: once deleted, the stack is found by its id only.
  const byId = new StackSession({
    ...options,
    name: stack.StackId ?? session.name,
    client: session.client,
    log: session.log,
  });
  const { status, failures } = await byId.follow(seen, stack.StackId ?? "");
  if (status !== "DELETE_COMPLETE") {
    for (const failure of failures) session.log(`failed: ${failure}`);
    throw new StackDeployError(
      `Deleting stack '${session.name}' failed: it is ${status}${failures[0] ? ` (${failures[0]})` : ""}. Remove what holds the resource (e.g. jobs still running, another stack's use), then delete again.`,
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
  let deleted = 0;
  for (;;) {
    // Deleting as we go: each listing starts again from what is left.
    const page = await awsCall("s3:ListBucketVersions", bucket, () =>
      client.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 })),
    );
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key ?? "",
      ...(v.VersionId ? { VersionId: v.VersionId } : {}),
    }));
    if (objects.length === 0) break;
    const result = await awsCall("s3:DeleteObject", bucket, () =>
      client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } })),
    );
    if (result.Errors?.length) {
      const first = result.Errors[0]!;
      throw new StackDeployError(
        `Could not empty bucket '${bucket}': ${first.Key}: ${first.Code} ${first.Message ?? ""}. Empty it yourself (aws s3 rm --recursive), then delete it.`,
      );
    }
    deleted += objects.length;
  }
  await awsCall("s3:DeleteBucket", bucket, () => client.send(new DeleteBucketCommand({ Bucket: bucket })));
  return deleted;
}
