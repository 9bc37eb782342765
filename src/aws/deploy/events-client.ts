/**
 * The EventBridge calls flowship makes for `triggerOnFinish`: a rule on the default event bus
 * that matches an upstream state machine's succeeded executions, with this flow as its target.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html
 */
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  type PutRuleCommandInput,
  PutTargetsCommand,
  type PutTargetsCommandInput,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { AwsCallError, awsCall, awsLookup } from "./errors.js";

export interface EventsDeployClientOptions {
  /** A ready SDK client (tests pass a mocked one). @default a new EventBridgeClient for `region` */
  client?: EventBridgeClient;
  region?: string;
}

export class EventsDeployClient {
  readonly client: EventBridgeClient;

  constructor(options: EventsDeployClientOptions = {}) {
    this.client = options.client ?? new EventBridgeClient(options.region ? { region: options.region } : {});
  }

  async putRule(input: PutRuleCommandInput): Promise<void> {
    await awsCall("events:PutRule", input.Name ?? "", () => this.client.send(new PutRuleCommand(input)));
  }

  async putTargets(input: PutTargetsCommandInput): Promise<void> {
    const output = await awsCall("events:PutTargets", input.Rule ?? "", () =>
      this.client.send(new PutTargetsCommand(input)),
    );
    // PutTargets reports failed targets in its answer rather than as an error.
    if (output.FailedEntryCount) {
      const entry = output.FailedEntries?.[0];
      throw new AwsCallError({
        operation: "events:PutTargets",
        subject: input.Rule ?? "",
        error: Object.assign(new Error(entry?.ErrorMessage ?? "a target was refused"), {
          name: entry?.ErrorCode ?? "FailedEntry",
        }),
      });
    }
  }

  /** Removes targets of a rule (a rule with targets cannot be deleted); false when there is no rule. */
  async removeTargets(rule: string, ids: string[]): Promise<boolean> {
    const output = await awsLookup("events:RemoveTargets", rule, () =>
      this.client.send(new RemoveTargetsCommand({ Rule: rule, Ids: ids })),
    );
    return output !== undefined;
  }

  /** Deletes a rule; false when there was none. */
  async deleteRule(name: string): Promise<boolean> {
    const output = await awsLookup("events:DeleteRule", name, () =>
      this.client.send(new DeleteRuleCommand({ Name: name })),
    );
    return output !== undefined;
  }
}
