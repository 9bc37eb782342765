/**
 * Every IAM policy flowship's AWS setup needs, from one place: the permission policies and trust
 * policies of the deployer, the Step Functions role, the Batch job role, the Scheduler role, the
 * events role and the Fargate execution role. Pure: values go in as strings, so the same
 * generator writes docs/production.md's policies (REGION, ACCOUNT, BUCKET) and the account
 * stack's (CloudFormation `${AWS::Region}`-style references, see stack-template.ts).
 *
 * Least privilege: no action is a wildcard; a resource is `*` only where the action supports no
 * resource-level permission (batch:RegisterJobDefinition, batch:DescribeJobs, events:ListRules,
 * ecr:GetAuthorizationToken). test/integration/iam-policies.test.ts checks the actions against
 * what the code sends.
 */

/** An IAM policy document. @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html */
export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow";
  Principal?: { Service: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

/** The roles a deployment uses, by their key in {@link PolicyScope.roles}. */
export const ROLE_KINDS = ["stepFunctions", "batchJob", "scheduler", "events", "execution"] as const;
export type RoleKind = (typeof ROLE_KINDS)[number];

/** The service each role is assumed by. */
export const ROLE_SERVICES: Record<RoleKind, string> = {
  stepFunctions: "states.amazonaws.com",
  batchJob: "ecs-tasks.amazonaws.com",
  scheduler: "scheduler.amazonaws.com",
  events: "events.amazonaws.com",
  execution: "ecs-tasks.amazonaws.com",
};

/** The name suffix of each role: `<prefix>-<suffix>`, e.g. `flowship-batch-job`. */
export const ROLE_NAME_SUFFIXES: Record<RoleKind, string> = {
  stepFunctions: "step-functions",
  batchJob: "batch-job",
  scheduler: "scheduler",
  events: "events",
  execution: "execution",
};

/** Where the policies apply. Every value is inserted as given (a literal or a reference). */
export interface PolicyScope {
  /** @default "aws" */
  partition?: string;
  region: string;
  account: string;
  /** The S3 bucket of the datastore. */
  bucket: string;
  /**
   * The datastore's key prefix in the bucket, without leading or trailing slashes; "" when the
   * datastore is the whole bucket (`s3://bucket`). @default "flowship"
   */
  prefix?: string;
  /**
   * The roles' ARNs the deployer may pass. The execution role only where jobs run on Fargate.
   * @default `arn:<partition>:iam::<account>:role/flowship-<suffix>` for all but the execution role
   */
  roles?: Partial<Record<RoleKind, string>>;
}

/** The prefix of every schedule, rule, connection and API destination flowship names. */
const NAME_PREFIX = "flowship-";

/** The log group AWS Batch jobs write to by default. @see https://docs.aws.amazon.com/batch/latest/userguide/using_awslogs.html */
const BATCH_LOG_GROUP = "/aws/batch/job";

function resolve(scope: PolicyScope) {
  const partition = scope.partition ?? "aws";
  const prefix = scope.prefix ?? "flowship";
  const { region, account, bucket } = scope;
  // The keys the datastore writes: everything below the prefix, or the whole bucket without one.
  const keys = prefix === "" ? `${bucket}/` : `${bucket}/${prefix}/`;
  const defaults: Partial<Record<RoleKind, string>> = {
    stepFunctions: `arn:${partition}:iam::${account}:role/flowship-${ROLE_NAME_SUFFIXES.stepFunctions}`,
    batchJob: `arn:${partition}:iam::${account}:role/flowship-${ROLE_NAME_SUFFIXES.batchJob}`,
    scheduler: `arn:${partition}:iam::${account}:role/flowship-${ROLE_NAME_SUFFIXES.scheduler}`,
    events: `arn:${partition}:iam::${account}:role/flowship-${ROLE_NAME_SUFFIXES.events}`,
  };
  return {
    partition,
    region,
    account,
    roles: { ...defaults, ...scope.roles },
    bucketArn: `arn:${partition}:s3:::${bucket}`,
    objects: `arn:${partition}:s3:::${keys}*`,
    deploymentNotes: `arn:${partition}:s3:::${keys}*/deployments/*`,
    liveOutput: `arn:${partition}:s3:::${keys}*.live/*`,
    stateMachines: `arn:${partition}:states:${region}:${account}:stateMachine:*`,
  };
}

const document = (statements: PolicyStatement[]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: statements,
});

/** The resolved scope the statements of a policy are written for. */
type Resolved = ReturnType<typeof resolve>;

/**
 * The deployer: a person or CI role running the `step-functions` commands (create, trigger,
 * list-runs, rollback, delete …).
 */
export function deployerPolicy(scope: PolicyScope): PolicyDocument {
  const s = resolve(scope);
  return document([
    ...deployerStateMachineStatements(s),
    ...deployerBatchStatements(s),
    ...deployerEventStatements(s),
    ...deployerStorageStatements(s),
  ]);
}

/** The deployer's state machines, their versions and aliases, and their executions. */
function deployerStateMachineStatements(s: Resolved): PolicyStatement[] {
  return [
    {
      Sid: "StateMachines",
      Effect: "Allow",
      Action: [
        "states:CreateStateMachine",
        "states:UpdateStateMachine",
        "states:PublishStateMachineVersion",
        "states:DeleteStateMachineVersion",
        "states:DescribeStateMachine",
        "states:DeleteStateMachine",
        "states:ListStateMachineVersions",
        "states:CreateStateMachineAlias",
        "states:UpdateStateMachineAlias",
        "states:DescribeStateMachineAlias",
        "states:TagResource",
        "states:UntagResource",
        "states:ListTagsForResource",
        "states:StartExecution",
        "states:ListExecutions",
      ],
      Resource: s.stateMachines,
    },
    // The programmatic API's DeployedFlow.listDeployed(): listing takes no resource.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsstepfunctions.html
    { Sid: "ListStateMachines", Effect: "Allow", Action: "states:ListStateMachines", Resource: "*" },
    {
      Sid: "Executions",
      Effect: "Allow",
      Action: ["states:DescribeExecution", "states:StopExecution", "states:RedriveExecution"],
      Resource: `arn:${s.partition}:states:${s.region}:${s.account}:execution:*:*`,
    },
  ];
}

/** The deployer's job definitions, and the Batch jobs of local runs with Batch steps. */
function deployerBatchStatements(s: Resolved): PolicyStatement[] {
  return [
    // RegisterJobDefinition supports no resource-level permission: its resource must be `*`.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbatch.html
    {
      Sid: "JobDefinitions",
      Effect: "Allow",
      Action: ["batch:RegisterJobDefinition", "batch:TagResource"],
      Resource: "*",
    },
    // `run --with batch` and batch() steps: the laptop submits, follows and stops the jobs of its
    // run itself. Describe calls take no resource; SubmitJob names a job definition and a queue.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsbatch.html
    {
      Sid: "BatchStepsOfLocalRuns",
      Effect: "Allow",
      Action: "batch:SubmitJob",
      Resource: [
        `arn:${s.partition}:batch:${s.region}:${s.account}:job-definition/flowship-*`,
        `arn:${s.partition}:batch:${s.region}:${s.account}:job-queue/*`,
      ],
    },
    {
      Sid: "FollowBatchJobsOfLocalRuns",
      Effect: "Allow",
      // The queue and its compute environments say whether a step's jobs run on Fargate or EC2.
      Action: [
        "batch:DescribeJobs",
        "batch:DescribeJobDefinitions",
        "batch:DescribeJobQueues",
        "batch:DescribeComputeEnvironments",
      ],
      Resource: "*",
    },
    {
      Sid: "StopBatchJobsOfLocalRuns",
      Effect: "Allow",
      Action: "batch:TerminateJob",
      Resource: `arn:${s.partition}:batch:${s.region}:${s.account}:job/*`,
    },
  ];
}

/** The deployer's schedules, event rules and webhook alerts. */
function deployerEventStatements(s: Resolved): PolicyStatement[] {
  const events = (resource: string) => `arn:${s.partition}:events:${s.region}:${s.account}:${resource}`;
  return [
    {
      Sid: "Schedules",
      Effect: "Allow",
      Action: [
        "scheduler:GetSchedule",
        "scheduler:CreateSchedule",
        "scheduler:UpdateSchedule",
        "scheduler:DeleteSchedule",
      ],
      Resource: `arn:${s.partition}:scheduler:${s.region}:${s.account}:schedule/default/${NAME_PREFIX}*`,
    },
    {
      Sid: "Rules",
      Effect: "Allow",
      Action: ["events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DeleteRule"],
      Resource: [events(`rule/${NAME_PREFIX}*`), events(`rule/*/${NAME_PREFIX}*`)],
    },
    // ListRules supports no resource-level permission.
    { Sid: "FindEventRules", Effect: "Allow", Action: "events:ListRules", Resource: "*" },
    {
      Sid: "WebhookAlerts",
      Effect: "Allow",
      Action: [
        "events:CreateConnection",
        "events:UpdateConnection",
        "events:DescribeConnection",
        "events:DeleteConnection",
        "events:CreateApiDestination",
        "events:UpdateApiDestination",
        "events:DeleteApiDestination",
      ],
      Resource: [events(`connection/${NAME_PREFIX}*`), events(`api-destination/${NAME_PREFIX}*`)],
    },
    {
      Sid: "ApiDestinationsServiceRole",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: `arn:${s.partition}:iam::*:role/aws-service-role/apidestinations.events.amazonaws.com/AWSServiceRoleForAmazonEventBridgeApiDestinations`,
      Condition: { StringEquals: { "iam:AWSServiceName": "apidestinations.events.amazonaws.com" } },
    },
  ];
}

/** The deployer's code packages and deployment notes in the datastore, and the roles it passes. */
function deployerStorageStatements(s: Resolved): PolicyStatement[] {
  return [
    {
      Sid: "CodePackages",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
      Resource: s.objects,
    },
    { Sid: "DeploymentNotes", Effect: "Allow", Action: "s3:DeleteObject", Resource: s.deploymentNotes },
    { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: s.bucketArn },
    {
      Sid: "PassTheRoles",
      Effect: "Allow",
      Action: "iam:PassRole",
      // The execution role is passed in a Fargate job definition (executionRoleArn).
      Resource: ROLE_KINDS.map((kind) => s.roles[kind]).filter((arn): arn is string => arn !== undefined),
    },
  ];
}

/**
 * The Step Functions role: submits and waits for Batch jobs (the `.sync` integration's managed
 * EventBridge rule), reads foreach items, runs a Distributed Map's child executions and writes
 * their results.
 */
export function stepFunctionsPolicy(scope: PolicyScope): PolicyDocument {
  const s = resolve(scope);
  return document([
    // SubmitJob is authorized on the job queue and definition, DescribeJobs on nothing: the
    // `.sync` integration's documented policy grants them on `*`.
    // https://docs.aws.amazon.com/step-functions/latest/dg/batch-iam.html
    {
      Sid: "BatchJobs",
      Effect: "Allow",
      Action: ["batch:SubmitJob", "batch:DescribeJobs", "batch:TerminateJob"],
      Resource: "*",
    },
    {
      Sid: "BatchJobEvents",
      Effect: "Allow",
      Action: ["events:PutTargets", "events:PutRule", "events:DescribeRule"],
      Resource: `arn:${s.partition}:events:${s.region}:${s.account}:rule/StepFunctionsGetEventsForBatchJobsRule`,
    },
    {
      Sid: "Datastore",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:ListMultipartUploadParts", "s3:AbortMultipartUpload"],
      Resource: s.objects,
    },
    { Sid: "DistributedMap", Effect: "Allow", Action: "states:StartExecution", Resource: s.stateMachines },
    {
      Sid: "DistributedMapRuns",
      Effect: "Allow",
      Action: ["states:DescribeExecution", "states:StopExecution"],
      Resource: `arn:${s.partition}:states:${s.region}:${s.account}:execution:*/*`,
    },
  ]);
}

/** The Batch job role: what tasks do with the datastore, and a failing step's alert. Users add what their steps call. */
export function batchJobPolicy(scope: PolicyScope): PolicyDocument {
  const s = resolve(scope);
  return document([
    {
      Sid: "Datastore",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload"],
      Resource: s.objects,
    },
    { Sid: "ListBucket", Effect: "Allow", Action: "s3:ListBucket", Resource: s.bucketArn },
    // A task of `run --with batch` uploads its output in chunks while it runs (for the laptop to
    // print), and removes them once its whole log is stored: deleting is allowed on those only.
    { Sid: "LiveOutputChunks", Effect: "Allow", Action: "s3:DeleteObject", Resource: s.liveOutput },
    // With --notify-on-error a failing step puts its own alert on the default bus.
    {
      Sid: "StepAlerts",
      Effect: "Allow",
      Action: "events:PutEvents",
      Resource: `arn:${s.partition}:events:${s.region}:${s.account}:event-bus/default`,
    },
  ]);
}

/**
 * Starting production versions only: Step Functions authorizes an alias ARN as its state
 * machine's ARN qualified by the alias name.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/auth-version-alias.html
 */
function startProduction(stateMachines: string): PolicyStatement {
  return {
    Sid: "StartProductionVersions",
    Effect: "Allow",
    Action: "states:StartExecution",
    Resource: stateMachines,
    Condition: { StringEquals: { "states:StateMachineQualifier": "production" } },
  };
}

/** The Scheduler role: starts scheduled flows' production versions, nothing else. */
export function schedulerPolicy(scope: PolicyScope): PolicyDocument {
  return document([startProduction(resolve(scope).stateMachines)]);
}

/** The events role: starts triggerOnFinish flows' production versions and calls alert webhooks. */
export function eventsPolicy(scope: PolicyScope): PolicyDocument {
  const s = resolve(scope);
  return document([
    startProduction(s.stateMachines),
    {
      Sid: "AlertWebhooks",
      Effect: "Allow",
      Action: "events:InvokeApiDestination",
      Resource: `arn:${s.partition}:events:${s.region}:${s.account}:api-destination/${NAME_PREFIX}*`,
    },
  ]);
}

/**
 * The Fargate execution role: ECS pulls the job's image and writes its log as this role (the
 * actions of AWS's AmazonECSTaskExecutionRolePolicy, with resources narrowed to this account's
 * repositories and Batch's log group). An image on ECR Public (the default) needs none of the ECR
 * actions; a private ECR image does.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/execution-IAM-role.html
 */
export function executionPolicy(scope: PolicyScope): PolicyDocument {
  const s = resolve(scope);
  return document([
    // GetAuthorizationToken supports no resource-level permission.
    // https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html
    { Sid: "RegistryLogin", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "PullImages",
      Effect: "Allow",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      Resource: `arn:${s.partition}:ecr:${s.region}:${s.account}:repository/*`,
    },
    {
      Sid: "JobLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `arn:${s.partition}:logs:${s.region}:${s.account}:log-group:${BATCH_LOG_GROUP}:log-stream:*`,
    },
  ]);
}

/** Each role's permission policy. */
export const ROLE_POLICIES: Record<RoleKind, (scope: PolicyScope) => PolicyDocument> = {
  stepFunctions: stepFunctionsPolicy,
  batchJob: batchJobPolicy,
  scheduler: schedulerPolicy,
  events: eventsPolicy,
  execution: executionPolicy,
};

/**
 * The trust policy of a role: its service may assume it, on behalf of this account only
 * (`aws:SourceAccount` keeps other accounts' resources from using it as a confused deputy).
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
export function trustPolicy(kind: RoleKind, account: string): PolicyDocument {
  return document([
    {
      Effect: "Allow",
      Principal: { Service: ROLE_SERVICES[kind] },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:SourceAccount": account } },
    },
  ]);
}

/** Every action a policy document grants. */
export function grantedActions(policy: PolicyDocument): Set<string> {
  return new Set(policy.Statement.filter((s) => !s.Principal).flatMap((s) => [s.Action].flat()));
}
