/**
 * Applies the account stack through CloudFormation (stack-delete.ts deletes it; the doctor reads
 * the account). A deploy is a change set (CREATE or UPDATE, by whether the stack
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
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  ListChangeSetsCommand,
  type Stack,
  type StackEvent,
} from "@aws-sdk/client-cloudformation";
import { awsCall, awsErrorName } from "../deploy/errors.js";
import { StackDeployError } from "./errors.js";
import type { StackTemplate } from "./stack-template.js";

export interface StackClientOptions {
  /** The stack's name. */
  name: string;
  /** @default the SDK's region (AWS_REGION, profile) */
  region?: string;
  /** A ready SDK client (tests may pass their own). */
  client?: CloudFormationClient;
  /** Milliseconds between polls. @default 5000 */
  pollMs?: number;
  /** How long to follow a change set, a deploy or a delete before giving up. @default 60 minutes */
  timeoutMs?: number;
  /** Where progress lines go. @default stderr */
  log?: (line: string) => void;
  /** Told where the stack stands as it moves (a Ctrl-C handler says it). */
  onProgress?: (progress: StackProgress) => void;
}

/**
 * Where a deploy or delete has got to, for a user who stops flowship: what CloudFormation has
 * been asked to do, which goes on without flowship once asked.
 */
export type StackProgress =
  | { phase: "change-set"; changeSet: string; create: boolean }
  | { phase: "executing"; changeSet: string }
  | { phase: "deleting"; bucket?: string };

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
export const DEFAULT_TIMEOUT_MS = 60 * 60_000;

/** Where a user reads why a stack call failed: its events (console, or the AWS CLI). */
export function stackRemedies(name: string, region?: string) {
  return {
    grantee: "the identity running flowship aws stack (an administrator: the stack makes IAM roles)",
    remedy: `See the stack's events in the CloudFormation console or with \`aws cloudformation describe-stack-events --stack-name ${name}${region ? ` --region ${region}` : ""}\``,
  };
}

/** One stack's calls, polls and deadline. */
export class StackSession {
  readonly client: CloudFormationClient;
  readonly name: string;
  readonly region: string | undefined;
  readonly pollMs: number;
  readonly log: (line: string) => void;
  readonly progress: (progress: StackProgress) => void;
  /** The stack's id once known: every look-up after that is by id, never by name. */
  stackId: string | undefined;
  readonly #timeoutMs: number;
  #deadline = Number.POSITIVE_INFINITY;

  constructor(options: StackClientOptions) {
    this.client =
      options.client ?? new CloudFormationClient(options.region ? { region: options.region } : {});
    this.name = options.name;
    this.region = options.region;
    this.pollMs = options.pollMs ?? 5000;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.progress = options.onProgress ?? (() => {});
  }

  /** Runs one CloudFormation call, a failure naming the stack and where to read why. */
  call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return awsCall(`cloudformation:${operation}`, this.name, send, stackRemedies(this.name, this.region));
  }

  /** The name or id to address the stack by: its id once known (a name may be reused). */
  get ref(): string {
    return this.stackId ?? this.name;
  }

  /** The stack, or undefined when there is none (a deleted stack is none). */
  async describe(): Promise<Stack | undefined> {
    try {
      const output = await this.client.send(new DescribeStacksCommand({ StackName: this.ref }));
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
      return this.call("DescribeStacks", () => Promise.reject(error));
    }
  }

  /** Starts the clock of what follows: a wait past {@link StackClientOptions.timeoutMs} fails. */
  startClock(): void {
    this.#deadline = Date.now() + this.#timeoutMs;
  }

  /** Waits a poll; past the deadline, fails saying the stack is still `status` in CloudFormation. */
  async sleep(status: string): Promise<void> {
    if (Date.now() + this.pollMs > this.#deadline) {
      const minutes = Math.round((this.#timeoutMs / 60_000) * 100) / 100;
      throw new StackDeployError(
        `Stack '${this.name}' is still ${status} after ${minutes} minute${minutes === 1 ? "" : "s"}: flowship stopped waiting, CloudFormation goes on. Check it with \`aws cloudformation describe-stacks --stack-name ${this.name}${this.region ? ` --region ${this.region}` : ""}\` (or give --timeout-minutes more).`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, this.pollMs));
  }

  /** Every event of the stack, newest first, down to (not including) the first one in `seen`. */
  async newEvents(seen: Set<string>): Promise<StackEvent[]> {
    const events: StackEvent[] = [];
    let token: string | undefined;
    do {
      const page = await this.call("DescribeStackEvents", () =>
        this.client.send(new DescribeStackEventsCommand({ StackName: this.ref, NextToken: token })),
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
  async follow(seen: Set<string>): Promise<{ status: string; failures: string[] }> {
    const failures: string[] = [];
    for (;;) {
      const events = (await this.newEvents(seen)).reverse();
      for (const event of events) {
        seen.add(event.EventId ?? "");
        const status = event.ResourceStatus ?? "";
        if (event.LogicalResourceId === this.name || event.PhysicalResourceId === this.stackId) continue;
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
      await this.sleep(status);
    }
  }
}

export const oneLine = (text: string) => text.replace(/\s+/g, " ").trim();

export function outputsOf(stack: Stack | undefined): Record<string, string> {
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
    const set = await session.call("DescribeChangeSet", () =>
      session.client.send(
        new DescribeChangeSetCommand({ ChangeSetName: changeSetId, StackName: session.ref }),
      ),
    );
    if (set.Status === "CREATE_COMPLETE") return true;
    if (set.Status === "FAILED") {
      if (NO_CHANGES.test(set.StatusReason ?? "")) {
        await session.call("DeleteChangeSet", () =>
          session.client.send(
            new DeleteChangeSetCommand({ ChangeSetName: changeSetId, StackName: session.ref }),
          ),
        );
        return false;
      }
      throw new StackDeployError(
        `CloudFormation refused the change set of stack '${session.name}': ${oneLine(set.StatusReason ?? "no reason given").replace(/\.+$/, "")}. Fix the options and deploy again.`,
      );
    }
    await session.sleep(`computing change set ${changeSetId} (${set.Status ?? "status unknown"})`);
  }
}

/** What a change set's Description says: how `aws stack delete` knows a stack that was never executed. */
export const CHANGE_SET_DESCRIPTION = "flowship aws stack deploy";

/**
 * Whether `stack` is one `flowship aws stack deploy` made. Its template's Description is the
 * mark: stackTemplate() writes `flowship: … (flowship aws stack)`, and CloudFormation keeps it in
 * every status, a failed create's too. A stack whose template has not run yet
 * (REVIEW_IN_PROGRESS) has no Description; it is flowship's when one of its change sets is
 * (deployStack describes each as {@link CHANGE_SET_DESCRIPTION}). The outputs DeployerPolicy and
 * Compute, which only the account stack has, mark one whose Description was edited by hand.
 */
export async function isFlowshipStack(session: StackSession, stack: Stack): Promise<boolean> {
  if (/^flowship: .*\(flowship aws stack\)$/s.test(stack.Description ?? "")) return true;
  const outputs = outputsOf(stack);
  if (outputs.DeployerPolicy !== undefined && outputs.Compute !== undefined) return true;
  if (stack.StackStatus !== "REVIEW_IN_PROGRESS") return false;
  const sets = await session.call("ListChangeSets", () =>
    session.client.send(new ListChangeSetsCommand({ StackName: session.ref })),
  );
  return (sets.Summaries ?? []).some((s) => s.Description === CHANGE_SET_DESCRIPTION);
}

/** What to do with a stack whose update could not be rolled back (UPDATE_ROLLBACK_FAILED). */
const continueRollback = (session: StackSession) =>
  `fix what its events say, then \`aws cloudformation continue-update-rollback --stack-name ${session.name}${session.region ? ` --region ${session.region}` : ""}\`, and deploy again`;

/**
 * Refuses, before any change set, a stack of this name that must not or cannot be deployed to.
 * @returns whether the deploy creates the stack (else it updates it)
 */
async function checkDeployable(session: StackSession, existing: Stack | undefined): Promise<boolean> {
  const status = existing?.StackStatus;
  // An update replaces the whole template: another team's stack of this name would lose every
  // resource it has, so only a stack flowship made is touched (as `aws stack delete` does).
  if (existing !== undefined && !(await isFlowshipStack(session, existing))) {
    throw new StackDeployError(
      `Not deploying to stack '${session.name}': it is a stack flowship did not make (its template's Description is not flowship's, and it has no DeployerPolicy and Compute outputs), and deploying would replace all of its resources. Choose another --name, or check --region.`,
    );
  }
  // A stack that only ever had a change set (REVIEW_IN_PROGRESS) is created by the next one.
  const create = existing === undefined || status === "REVIEW_IN_PROGRESS";
  if (!create && !UPDATABLE.test(status ?? "")) {
    const remedy = /_IN_PROGRESS$/.test(status ?? "")
      ? "Wait until it finishes, then deploy again"
      : status === "UPDATE_ROLLBACK_FAILED"
        ? `CloudFormation could not roll back its last update: ${continueRollback(session)}`
        : `Inspect it in the CloudFormation console, then delete it with 'flowship aws stack delete --name ${session.name}' and deploy again`;
    throw new StackDeployError(`Stack '${session.name}' cannot be updated now: it is ${status}. ${remedy}.`);
  }
  return create;
}

/**
 * Creates the stack or updates it to `template`, printing progress; returns its outputs.
 * @example
 * const { outputs } = await deployStack({ name: "flowship", template: stackTemplate() });
 */
export async function deployStack(options: DeployStackOptions): Promise<DeployStackResult> {
  const session = new StackSession(options);
  const existing = await session.describe();
  const create = await checkDeployable(session, existing);
  const changeSetName = `flowship-${Date.now()}`;
  const changeSet = await session.call("CreateChangeSet", () =>
    session.client.send(
      new CreateChangeSetCommand({
        StackName: session.name,
        ChangeSetName: changeSetName,
        ChangeSetType: create ? "CREATE" : "UPDATE",
        TemplateBody: JSON.stringify(options.template),
        // The roles and the deployer's policy have names (`<stack>-batch-job` …).
        Capabilities: ["CAPABILITY_NAMED_IAM"],
        Description: CHANGE_SET_DESCRIPTION,
      }),
    ),
  );
  // From here on the stack is this one, by id: another of the same name is not followed.
  session.stackId = changeSet.StackId ?? existing?.StackId;
  session.progress({ phase: "change-set", changeSet: changeSetName, create });
  session.startClock();
  const changeSetId = changeSet.Id ?? changeSetName;
  session.log(`${create ? "Creating" : "Updating"} stack ${session.name} (change set ${changeSetName})…`);
  if (!(await awaitChangeSet(session, changeSetId))) {
    return { outcome: "unchanged", outputs: outputsOf(existing) };
  }
  const seen = new Set((await session.newEvents(new Set())).map((e) => e.EventId ?? ""));
  // Said before the call: once sent, CloudFormation may be deploying whether or not flowship hears back.
  session.progress({ phase: "executing", changeSet: changeSetName });
  await session.call("ExecuteChangeSet", () =>
    session.client.send(
      new ExecuteChangeSetCommand({
        ChangeSetName: changeSetId,
        StackName: session.ref,
        // A failed create stays as it failed, for inspection; a failed update rolls back.
        ...(create ? { DisableRollback: true } : {}),
      }),
    ),
  );
  session.startClock();
  const { status: final, failures } = await session.follow(seen);
  if (final.startsWith("DELETE_")) {
    // Someone deleted the stack while it deployed (CloudFormation lets a create be cancelled so).
    throw new StackDeployError(
      `Stack '${session.name}' was deleted while it was being deployed (it is ${final}): something else deleted it. Deploy it again once nothing else deletes it.`,
    );
  }
  if (!SUCCEEDED.has(final)) {
    for (const failure of failures) session.log(`failed: ${failure}`);
    const next = create
      ? `It is left as it failed for inspection; remove it with 'flowship aws stack delete --name ${session.name}'`
      : final === "UPDATE_ROLLBACK_FAILED"
        ? `CloudFormation could not roll it back either: ${continueRollback(session)}`
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
