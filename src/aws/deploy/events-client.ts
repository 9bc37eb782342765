/**
 * The EventBridge calls flowship makes: rules on the default event bus (`triggerOnFinish`, alerts)
 * and, for webhook alerts, a connection (the webhook's auth header, which EventBridge keeps in
 * Secrets Manager) with an API destination (the webhook's URL).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Operations.html
 */
import {
  type ConnectionState,
  CreateApiDestinationCommand,
  type CreateApiDestinationCommandInput,
  CreateConnectionCommand,
  type CreateConnectionCommandInput,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DeleteRuleCommand,
  DescribeConnectionCommand,
  EventBridgeClient,
  ListRulesCommand,
  PutRuleCommand,
  type PutRuleCommandInput,
  PutTargetsCommand,
  type PutTargetsCommandInput,
  RemoveTargetsCommand,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
} from "@aws-sdk/client-eventbridge";
import { AwsCallError, awsCall, awsLookup } from "./errors.js";

/** Create, or update when it exists: the create call, then the update call on ResourceAlreadyExistsException. */
async function upsert<T>(create: () => Promise<T>, update: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (error instanceof AwsCallError && error.awsError === "ResourceAlreadyExistsException") return update();
    throw error;
  }
}

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
  async removeTargets(rule: string, ids: string[], bus?: string): Promise<boolean> {
    const output = await awsLookup("events:RemoveTargets", rule, () =>
      this.client.send(
        new RemoveTargetsCommand({ Rule: rule, Ids: ids, ...(bus ? { EventBusName: bus } : {}) }),
      ),
    );
    return output !== undefined;
  }

  /** Creates or updates a connection; its ARN. */
  async putConnection(input: CreateConnectionCommandInput): Promise<string> {
    const name = input.Name ?? "";
    const output = await upsert(
      () =>
        awsCall("events:CreateConnection", name, () => this.client.send(new CreateConnectionCommand(input))),
      () =>
        awsCall("events:UpdateConnection", name, () =>
          this.client.send(new UpdateConnectionCommand({ ...input, Name: name })),
        ),
    );
    return output.ConnectionArn ?? "";
  }

  /** A connection's state (AUTHORIZED once usable) and why, when it is not. */
  async connectionState(name: string): Promise<{ state?: ConnectionState; reason?: string }> {
    const output = await awsCall("events:DescribeConnection", name, () =>
      this.client.send(new DescribeConnectionCommand({ Name: name })),
    );
    return {
      ...(output.ConnectionState ? { state: output.ConnectionState } : {}),
      ...(output.StateReason ? { reason: output.StateReason } : {}),
    };
  }

  /** Creates or updates an API destination; its ARN. */
  async putApiDestination(input: CreateApiDestinationCommandInput): Promise<string> {
    const name = input.Name ?? "";
    const output = await upsert(
      () =>
        awsCall("events:CreateApiDestination", name, () =>
          this.client.send(new CreateApiDestinationCommand(input)),
        ),
      () =>
        awsCall("events:UpdateApiDestination", name, () =>
          this.client.send(new UpdateApiDestinationCommand({ ...input, Name: name })),
        ),
    );
    return output.ApiDestinationArn ?? "";
  }

  /** Deletes an API destination; false when there was none. */
  async deleteApiDestination(name: string): Promise<boolean> {
    const output = await awsLookup("events:DeleteApiDestination", name, () =>
      this.client.send(new DeleteApiDestinationCommand({ Name: name })),
    );
    return output !== undefined;
  }

  /** Deletes a connection (and the secret EventBridge kept for it); false when there was none. */
  async deleteConnection(name: string): Promise<boolean> {
    const output = await awsLookup("events:DeleteConnection", name, () =>
      this.client.send(new DeleteConnectionCommand({ Name: name })),
    );
    return output !== undefined;
  }

  /** Deletes a rule; false when there was none. */
  async deleteRule(name: string, bus?: string): Promise<boolean> {
    const output = await awsLookup("events:DeleteRule", name, () =>
      this.client.send(new DeleteRuleCommand({ Name: name, ...(bus ? { EventBusName: bus } : {}) })),
    );
    return output !== undefined;
  }

  /** The rules of a bus whose names start with `prefix`, with their descriptions (every page). */
  async listRules(prefix: string, bus: string): Promise<{ name: string; description: string }[]> {
    const rules: { name: string; description: string }[] = [];
    let token: string | undefined;
    do {
      const output = await awsLookup("events:ListRules", prefix, () =>
        this.client.send(
          new ListRulesCommand({
            NamePrefix: prefix,
            EventBusName: bus,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      // A bus that does not exist holds no rules.
      if (output === undefined) return rules;
      for (const rule of output.Rules ?? [])
        rules.push({ name: rule.Name ?? "", description: rule.Description ?? "" });
      token = output.NextToken;
    } while (token);
    return rules;
  }
}
