/**
 * The AWS Batch calls flowship makes: registering a flow's job definition (a deploy, or the first
 * Batch task of `run --with batch`), and, for `run --with batch`, submitting, following and
 * terminating the jobs of a run's tasks. Registering the same name again adds a revision; state
 * machines name the revision, so running executions keep theirs.
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html
 */
import {
  BatchClient,
  DescribeComputeEnvironmentsCommand,
  DescribeJobDefinitionsCommand,
  DescribeJobQueuesCommand,
  DescribeJobsCommand,
  type JobDefinition,
  type JobDetail,
  RegisterJobDefinitionCommand,
  type RegisterJobDefinitionCommandInput,
  SubmitJobCommand,
  type SubmitJobCommandInput,
  TerminateJobCommand,
} from "@aws-sdk/client-batch";
import { awsCall } from "./errors.js";

export interface BatchDeployClientOptions {
  /** A ready SDK client (tests pass a mocked one). @default a new BatchClient for `region` */
  client?: BatchClient;
  region?: string;
}

/** A compute environment of a job queue, as a run's checks need it. */
export interface QueueEnvironment {
  name: string;
  /** `FARGATE`, `FARGATE_SPOT`, `EC2`, `SPOT`, or `UNMANAGED`. */
  type: string;
  /** Its state is not DISABLED: it takes new jobs. */
  enabled: boolean;
  /** A managed environment's cap on the vCPUs it runs at once; none for an unmanaged one. */
  maxvCpus?: number;
}

/** DescribeJobs takes at most 100 job ids per call. */
const DESCRIBE_JOBS_MAX = 100;

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

  /** The ACTIVE revisions of a job definition name (first page: the newest are enough to reuse one). */
  async activeJobDefinitions(name: string): Promise<JobDefinition[]> {
    const output = await awsCall("batch:DescribeJobDefinitions", name, () =>
      this.client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: name, status: "ACTIVE" })),
    );
    return output.jobDefinitions ?? [];
  }

  /**
   * The compute environments behind a job queue: their type (`FARGATE`, `FARGATE_SPOT`, `EC2`,
   * `SPOT`; `UNMANAGED` for one without computeResources), whether they take jobs (`ENABLED`), and
   * the most vCPUs they may run (a managed one's maxvCpus); undefined when there is no such queue.
   */
  async queueEnvironments(queue: string): Promise<QueueEnvironment[] | undefined> {
    const queues = await awsCall("batch:DescribeJobQueues", queue, () =>
      this.client.send(new DescribeJobQueuesCommand({ jobQueues: [queue] })),
    );
    const found = queues.jobQueues?.[0];
    if (!found) return undefined;
    const arns = (found.computeEnvironmentOrder ?? []).map((entry) => entry.computeEnvironment!);
    if (arns.length === 0) return [];
    const environments = await awsCall("batch:DescribeComputeEnvironments", arns.join(", "), () =>
      this.client.send(new DescribeComputeEnvironmentsCommand({ computeEnvironments: arns })),
    );
    return (environments.computeEnvironments ?? []).map((environment) => ({
      name: environment.computeEnvironmentName ?? environment.computeEnvironmentArn ?? "",
      type: environment.computeResources?.type ?? environment.type ?? "UNMANAGED",
      enabled: environment.state !== "DISABLED",
      ...(environment.computeResources?.maxvCpus !== undefined
        ? { maxvCpus: environment.computeResources.maxvCpus }
        : {}),
    }));
  }

  /** Returns the job's id. */
  async submitJob(input: SubmitJobCommandInput): Promise<string> {
    const output = await awsCall("batch:SubmitJob", input.jobName ?? "", () =>
      this.client.send(new SubmitJobCommand(input)),
    );
    return output.jobId!;
  }

  /** The jobs' details, in any order; ids Batch no longer knows are left out. */
  async describeJobs(jobIds: readonly string[]): Promise<JobDetail[]> {
    const details: JobDetail[] = [];
    for (let at = 0; at < jobIds.length; at += DESCRIBE_JOBS_MAX) {
      const jobs = jobIds.slice(at, at + DESCRIBE_JOBS_MAX);
      const output = await awsCall("batch:DescribeJobs", jobs.join(", "), () =>
        this.client.send(new DescribeJobsCommand({ jobs })),
      );
      details.push(...(output.jobs ?? []));
    }
    return details;
  }

  /** Stops a job in any state (TerminateJob also cancels one that has not started). */
  async terminateJob(jobId: string, reason: string): Promise<void> {
    await awsCall("batch:TerminateJob", jobId, () =>
      this.client.send(new TerminateJobCommand({ jobId, reason })),
    );
  }
}
