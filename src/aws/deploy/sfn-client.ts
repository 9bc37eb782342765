/**
 * The Step Functions calls flowship makes, one method per API call and nothing else: each sends
 * one command, maps "not found" to `undefined` where that is an answer, and wraps any other
 * failure in an AwsCallError. The SDK client is injectable so tests can mock it.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import {
  CreateStateMachineAliasCommand,
  type CreateStateMachineAliasCommandInput,
  CreateStateMachineCommand,
  type CreateStateMachineCommandInput,
  DeleteStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineAliasCommand,
  type DescribeStateMachineAliasCommandOutput,
  DescribeStateMachineCommand,
  type DescribeStateMachineCommandOutput,
  type ExecutionListItem,
  type ExecutionStatus,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
  type StateMachineListItem,
  type StateMachineVersionListItem,
  StopExecutionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateStateMachineAliasCommand,
  type UpdateStateMachineAliasCommandInput,
  UpdateStateMachineCommand,
  type UpdateStateMachineCommandInput,
} from "@aws-sdk/client-sfn";
import { awsCall, awsLookup } from "./errors.js";

export interface SfnDeployClientOptions {
  /** A ready SDK client (tests pass a mocked one). @default a new SFNClient for `region` */
  client?: SFNClient;
  /** Region of the new client; credentials come from the SDK's default provider chain. */
  region?: string;
}

export class SfnDeployClient {
  readonly client: SFNClient;

  constructor(options: SfnDeployClientOptions = {}) {
    this.client = options.client ?? new SFNClient(options.region ? { region: options.region } : {});
  }

  describeStateMachine(arn: string): Promise<DescribeStateMachineCommandOutput | undefined> {
    return awsLookup("states:DescribeStateMachine", arn, () =>
      this.client.send(new DescribeStateMachineCommand({ stateMachineArn: arn })),
    );
  }

  /** Every state machine of the region, all pages. */
  async listStateMachines(): Promise<StateMachineListItem[]> {
    const machines: StateMachineListItem[] = [];
    let nextToken: string | undefined;
    do {
      const output = await awsCall("states:ListStateMachines", "", () =>
        this.client.send(new ListStateMachinesCommand(nextToken ? { nextToken } : {})),
      );
      machines.push(...(output.stateMachines ?? []));
      nextToken = output.nextToken;
    } while (nextToken);
    return machines;
  }

  async listTags(arn: string): Promise<Record<string, string>> {
    const output = await awsCall("states:ListTagsForResource", arn, () =>
      this.client.send(new ListTagsForResourceCommand({ resourceArn: arn })),
    );
    return Object.fromEntries((output.tags ?? []).map((t) => [t.key ?? "", t.value ?? ""]));
  }

  async createStateMachine(
    input: CreateStateMachineCommandInput,
  ): Promise<{ stateMachineArn: string; versionArn: string }> {
    const output = await awsCall("states:CreateStateMachine", input.name ?? "", () =>
      this.client.send(new CreateStateMachineCommand(input)),
    );
    return { stateMachineArn: output.stateMachineArn!, versionArn: output.stateMachineVersionArn! };
  }

  async updateStateMachine(input: UpdateStateMachineCommandInput): Promise<{ versionArn: string }> {
    const output = await awsCall("states:UpdateStateMachine", input.stateMachineArn ?? "", () =>
      this.client.send(new UpdateStateMachineCommand(input)),
    );
    return { versionArn: output.stateMachineVersionArn! };
  }

  async tagResource(arn: string, tags: Record<string, string>): Promise<void> {
    const list = Object.entries(tags).map(([key, value]) => ({ key, value }));
    await awsCall("states:TagResource", arn, () =>
      this.client.send(new TagResourceCommand({ resourceArn: arn, tags: list })),
    );
  }

  async untagResource(arn: string, keys: string[]): Promise<void> {
    await awsCall("states:UntagResource", arn, () =>
      this.client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: keys })),
    );
  }

  describeAlias(aliasArn: string): Promise<DescribeStateMachineAliasCommandOutput | undefined> {
    return awsLookup("states:DescribeStateMachineAlias", aliasArn, () =>
      this.client.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn: aliasArn })),
    );
  }

  async createAlias(input: CreateStateMachineAliasCommandInput): Promise<string> {
    const output = await awsCall("states:CreateStateMachineAlias", input.name ?? "", () =>
      this.client.send(new CreateStateMachineAliasCommand(input)),
    );
    return output.stateMachineAliasArn!;
  }

  async updateAlias(input: UpdateStateMachineAliasCommandInput): Promise<void> {
    await awsCall("states:UpdateStateMachineAlias", input.stateMachineAliasArn ?? "", () =>
      this.client.send(new UpdateStateMachineAliasCommand(input)),
    );
  }

  /** Every published version, all pages. */
  async listVersions(arn: string): Promise<StateMachineVersionListItem[]> {
    const versions: StateMachineVersionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const output = await awsCall("states:ListStateMachineVersions", arn, () =>
        this.client.send(
          new ListStateMachineVersionsCommand({ stateMachineArn: arn, ...(nextToken ? { nextToken } : {}) }),
        ),
      );
      versions.push(...(output.stateMachineVersions ?? []));
      nextToken = output.nextToken;
    } while (nextToken);
    return versions;
  }

  async startExecution(
    input: StartExecutionCommandInput,
  ): Promise<{ executionArn: string; startDate?: Date }> {
    const output = await awsCall("states:StartExecution", input.stateMachineArn ?? "", () =>
      this.client.send(new StartExecutionCommand(input)),
    );
    return {
      executionArn: output.executionArn!,
      ...(output.startDate ? { startDate: output.startDate } : {}),
    };
  }

  /** Executions of a state machine, all pages, optionally of one status. */
  async listExecutions(arn: string, status?: ExecutionStatus): Promise<ExecutionListItem[]> {
    const executions: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const output = await awsCall("states:ListExecutions", arn, () =>
        this.client.send(
          new ListExecutionsCommand({
            stateMachineArn: arn,
            ...(status ? { statusFilter: status } : {}),
            ...(nextToken ? { nextToken } : {}),
          }),
        ),
      );
      executions.push(...(output.executions ?? []));
      nextToken = output.nextToken;
    } while (nextToken);
    return executions;
  }

  describeExecution(executionArn: string): Promise<DescribeExecutionCommandOutput | undefined> {
    return awsLookup("states:DescribeExecution", executionArn, () =>
      this.client.send(new DescribeExecutionCommand({ executionArn })),
    );
  }

  async stopExecution(executionArn: string, cause: string): Promise<Date | undefined> {
    const output = await awsCall("states:StopExecution", executionArn, () =>
      this.client.send(new StopExecutionCommand({ executionArn, cause })),
    );
    return output.stopDate;
  }

  async redriveExecution(executionArn: string): Promise<Date | undefined> {
    const output = await awsCall("states:RedriveExecution", executionArn, () =>
      this.client.send(new RedriveExecutionCommand({ executionArn })),
    );
    return output.redriveDate;
  }

  /** @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_DeleteStateMachineVersion.html */
  async deleteVersion(versionArn: string): Promise<void> {
    await awsCall("states:DeleteStateMachineVersion", versionArn, () =>
      this.client.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: versionArn })),
    );
  }

  async deleteStateMachine(arn: string): Promise<void> {
    await awsCall("states:DeleteStateMachine", arn, () =>
      this.client.send(new DeleteStateMachineCommand({ stateMachineArn: arn })),
    );
  }
}
