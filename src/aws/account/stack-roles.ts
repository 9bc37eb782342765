/**
 * The stack's IAM roles and the deployer's managed policy, each with the policy documents of
 * iam-policies.ts (the generator docs/production.md shows too), given CloudFormation references
 * instead of literal account, region and bucket. Roles are named `<stack>-<role>` (e.g.
 * `flowship-batch-job`), so a stack needs CAPABILITY_NAMED_IAM and two stacks in one account
 * need two names.
 */
import {
  AWS_ACCOUNT_ID,
  AWS_PARTITION,
  AWS_REGION,
  AWS_STACK_NAME,
  type Resources,
  subRef,
  substitute,
  type TemplateValue,
} from "./cloudformation-values.js";
import {
  deployerPolicy,
  type PolicyScope,
  ROLE_NAME_SUFFIXES,
  ROLE_POLICIES,
  type RoleKind,
  trustPolicy,
} from "./iam-policies.js";

/** The logical id of each role in the template. */
export const ROLE_LOGICAL_IDS: Record<RoleKind, string> = {
  stepFunctions: "StepFunctionsRole",
  batchJob: "BatchJobRole",
  scheduler: "SchedulerRole",
  events: "EventsRole",
  execution: "ExecutionRole",
};

export const DEPLOYER_POLICY_ID = "DeployerPolicy";

/**
 * The roles (the execution role only with `withExecutionRole`) and the deployer's managed policy.
 * `bucket` is the bucket's name or a `${Bucket}` reference.
 */
export function roleResources(options: { bucket: string; withExecutionRole: boolean }): Resources {
  const kinds = (Object.keys(ROLE_LOGICAL_IDS) as RoleKind[]).filter(
    (kind) => kind !== "execution" || options.withExecutionRole,
  );
  const scope: PolicyScope = {
    partition: AWS_PARTITION,
    region: AWS_REGION,
    account: AWS_ACCOUNT_ID,
    bucket: options.bucket,
    roles: Object.fromEntries(kinds.map((kind) => [kind, subRef(`${ROLE_LOGICAL_IDS[kind]}.Arn`)])),
  };
  const resources: Resources = {};
  for (const kind of kinds) {
    resources[ROLE_LOGICAL_IDS[kind]] = {
      Type: "AWS::IAM::Role",
      Properties: {
        RoleName: substitute(`${AWS_STACK_NAME}-${ROLE_NAME_SUFFIXES[kind]}`),
        Description: `flowship: ${ROLE_DESCRIPTIONS[kind]}`,
        AssumeRolePolicyDocument: substitute(trustPolicy(kind, AWS_ACCOUNT_ID)),
        Policies: [
          {
            PolicyName: `flowship-${ROLE_NAME_SUFFIXES[kind]}`,
            PolicyDocument: substitute(ROLE_POLICIES[kind](scope)),
          },
        ] as TemplateValue[],
      },
    };
  }
  resources[DEPLOYER_POLICY_ID] = {
    Type: "AWS::IAM::ManagedPolicy",
    Properties: {
      ManagedPolicyName: substitute(`${AWS_STACK_NAME}-deployer`),
      Description:
        "flowship: what the step-functions commands (create, trigger, list-runs, rollback, delete) need; attach it to the users, groups or CI roles that deploy flows",
      PolicyDocument: substitute(deployerPolicy(scope)),
    },
  };
  return resources;
}

const ROLE_DESCRIPTIONS: Record<RoleKind, string> = {
  stepFunctions:
    "Step Functions runs deployed flows as this role (Batch jobs, foreach items, Distributed Maps)",
  batchJob: "the Batch jobs of deployed flows run as this role (the S3 datastore)",
  scheduler: "EventBridge Scheduler starts scheduled flows' production versions as this role",
  events: "EventBridge starts triggerOnFinish flows and calls alert webhooks as this role",
  execution: "ECS pulls Fargate jobs' images and writes their logs as this role",
};
