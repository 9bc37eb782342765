/**
 * The AWS Batch call flowship makes: registering a flow's job definition. Registering the same
 * name again adds a revision; state machines name the revision, so running executions keep theirs.
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html
 */
import {
  BatchClient,
  RegisterJobDefinitionCommand,
  type RegisterJobDefinitionCommandInput,
} from "@aws-sdk/client-batch";
import { awsCall } from "./errors.js";

export interface BatchDeployClientOptions {
  /** A ready SDK client (tests pass a mocked one). @default a new BatchClient for `region` */
  client?: BatchClient;
  region?: string;
}

export class BatchDeployClient {
  readonly client: BatchClient;

  constructor(options: BatchDeployClientOptions = {}) {
    this.client = options.client ?? new BatchClient(options.region ? { region: options.region } : {});
  }

  /** Returns the ARN of the new revision, `...:job-definition/<name>:<revision>`. */
  async registerJobDefinition(input: RegisterJobDefinitionCommandInput): Promise<string> {
    const output = await awsCall("batch:RegisterJobDefinition", input.jobDefinitionName ?? "", () =>
      this.client.send(new RegisterJobDefinitionCommand(input)),
    );
    return output.jobDefinitionArn!;
  }
}
