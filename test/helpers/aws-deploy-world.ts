/**
 * What a deploy meets on AWS, as answers for the loopback stand-in (aws-stand-in.ts): state
 * machines (each with one version and its tags), rules with their targets, connections and API
 * destinations, kept by name so several deployments coexist and can be deleted one by one. It
 * answers "not found" as the services do; anything it has no answer for is refused by the
 * stand-in. Tests check the requests themselves with botocore's models.
 */

import path from "node:path";
import { AwsError } from "./aws-stand-in.js";
import { flowshipEnv } from "./cli.js";
import { ACCOUNT } from "./deploy-fixtures.js";

type Body = Record<string, unknown>;

export interface DeployWorld {
  answers: Record<string, (body: Body) => unknown>;
  /** State machine name → its tags. */
  machines: Map<string, unknown[]>;
  /** `bus/rule` → its description and targets. */
  rules: Map<string, { description: string; targets: Body[] }>;
  connections: Set<string>;
  apiDestinations: Set<string>;
  /** Schedule name → its CreateSchedule/UpdateSchedule body. */
  schedules: Map<string, Body>;
}

export function deployWorld(region = "eu-west-1"): DeployWorld {
  const machines = new Map<string, unknown[]>();
  const rules: DeployWorld["rules"] = new Map();
  const connections = new Set<string>();
  const apiDestinations = new Set<string>();
  const schedules = new Map<string, Body>();
  const now = 1_790_000_000;
  const arnOf = (name: string) => `arn:aws:states:${region}:${ACCOUNT}:stateMachine:${name}`;
  const nameOf = (arn: unknown) => String(arn).split(":stateMachine:")[1]?.split(":")[0] ?? "";
  const machine = (arn: unknown, answer: () => unknown) =>
    machines.has(nameOf(arn))
      ? answer()
      : new AwsError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
  const ruleKey = (body: Body) => `${body.EventBusName ?? "default"}/${body.Rule ?? body.Name}`;
  const rule = (body: Body, answer: () => unknown) =>
    rules.has(ruleKey(body))
      ? answer()
      : new AwsError("ResourceNotFoundException", `Rule ${body.Rule ?? body.Name} does not exist.`);
  const missing = (what: string) => () =>
    new AwsError("ResourceNotFoundException", `Failed to describe the ${what}.`);
  const answers: Record<string, (body: Body) => unknown> = {
    "sfn:DescribeStateMachine": (b) =>
      machine(b.stateMachineArn, () => ({
        stateMachineArn: arnOf(nameOf(b.stateMachineArn)),
        name: nameOf(b.stateMachineArn),
        status: "ACTIVE",
        creationDate: now,
      })),
    "sfn:CreateStateMachine": (b) => {
      machines.set(String(b.name), b.tags as unknown[]);
      return {
        stateMachineArn: arnOf(String(b.name)),
        creationDate: now,
        stateMachineVersionArn: `${arnOf(String(b.name))}:1`,
      };
    },
    "sfn:CreateStateMachineAlias": (b) => {
      const [route] = b.routingConfiguration as { stateMachineVersionArn: string }[];
      return {
        stateMachineAliasArn: `${arnOf(nameOf(route!.stateMachineVersionArn))}:${b.name}`,
        creationDate: now,
      };
    },
    "sfn:ListStateMachineVersions": (b) =>
      machine(b.stateMachineArn, () => ({
        stateMachineVersions: [{ stateMachineVersionArn: `${b.stateMachineArn}:1`, creationDate: now }],
      })),
    "sfn:ListTagsForResource": (b) =>
      machine(b.resourceArn, () => ({ tags: machines.get(nameOf(b.resourceArn)) })),
    "sfn:DeleteStateMachine": (b) => {
      machines.delete(nameOf(b.stateMachineArn));
      return {};
    },
    "batch:RegisterJobDefinition": (b) => ({
      jobDefinitionName: b.jobDefinitionName,
      jobDefinitionArn: `arn:aws:batch:${region}:${ACCOUNT}:job-definition/${b.jobDefinitionName}:1`,
      revision: 1,
    }),
    // A REST path's name arrives as the body's Name (aws-stand-in.ts).
    "scheduler:GetSchedule": (b) =>
      schedules.has(String(b.Name))
        ? {
            ...schedules.get(String(b.Name)),
            Arn: `arn:aws:scheduler:${region}:${ACCOUNT}:schedule/default/${b.Name}`,
          }
        : new AwsError("ResourceNotFoundException", "Schedule not found"),
    "scheduler:CreateSchedule": (b) => {
      schedules.set(String(b.Name), b);
      return { ScheduleArn: `arn:aws:scheduler:${region}:${ACCOUNT}:schedule/default/${b.Name}` };
    },
    "scheduler:UpdateSchedule": (b) => {
      schedules.set(String(b.Name), b);
      return { ScheduleArn: `arn:aws:scheduler:${region}:${ACCOUNT}:schedule/default/${b.Name}` };
    },
    "scheduler:DeleteSchedule": (b) =>
      schedules.delete(String(b.Name)) ? {} : new AwsError("ResourceNotFoundException", "Schedule not found"),
    "events:PutRule": (b) => {
      rules.set(ruleKey(b), {
        description: String(b.Description ?? ""),
        targets: rules.get(ruleKey(b))?.targets ?? [],
      });
      return { RuleArn: `arn:aws:events:${region}:${ACCOUNT}:rule/${b.Name}` };
    },
    "events:PutTargets": (b) =>
      rule(b, () => {
        const ids = new Set((b.Targets as Body[]).map((t) => t.Id));
        const found = rules.get(ruleKey(b))!;
        found.targets = [...found.targets.filter((t) => !ids.has(t.Id)), ...(b.Targets as Body[])];
        return { FailedEntryCount: 0, FailedEntries: [] };
      }),
    "events:RemoveTargets": (b) =>
      rule(b, () => {
        const found = rules.get(ruleKey(b))!;
        found.targets = found.targets.filter((t) => !(b.Ids as unknown[]).includes(t.Id));
        return { FailedEntryCount: 0, FailedEntries: [] };
      }),
    "events:DeleteRule": (b) =>
      rule(b, () => {
        if (rules.get(ruleKey(b))!.targets.length > 0)
          return new AwsError("ValidationException", "Rule can't be deleted since it has targets.");
        rules.delete(ruleKey(b));
        return {};
      }),
    "events:ListRules": (b) => ({
      Rules: [...rules.keys()]
        .filter((key) => key.startsWith(`${b.EventBusName ?? "default"}/${b.NamePrefix ?? ""}`))
        .map((key) => ({
          Name: key.slice(key.indexOf("/") + 1),
          Description: rules.get(key)!.description,
          EventBusName: b.EventBusName ?? "default",
        })),
    }),
    "events:CreateConnection": (b) => {
      connections.add(String(b.Name));
      return {
        ConnectionArn: `arn:aws:events:${region}:${ACCOUNT}:connection/${b.Name}/9a8b7c6d`,
        ConnectionState: "CREATING",
      };
    },
    "events:DescribeConnection": (b) =>
      connections.has(String(b.Name))
        ? { Name: b.Name, ConnectionState: "AUTHORIZED" }
        : missing("connection")(),
    "events:CreateApiDestination": (b) => {
      apiDestinations.add(String(b.Name));
      return {
        ApiDestinationArn: `arn:aws:events:${region}:${ACCOUNT}:api-destination/${b.Name}/0f1e2d3c`,
        ApiDestinationState: "ACTIVE",
      };
    },
    "events:DeleteApiDestination": (b) =>
      apiDestinations.delete(String(b.Name)) ? {} : missing("api-destination")(),
    "events:DeleteConnection": (b) =>
      connections.delete(String(b.Name)) ? { ConnectionState: "DELETING" } : missing("connection")(),
  };
  return { answers, machines, rules, connections, apiDestinations, schedules };
}

/**
 * The environment of a deployer whose AWS is the stand-in at `endpoint` and whose S3 is the
 * s3rver at `s3`: complete AWS settings (events role included), user alice, nothing from ~.
 */
export function deployerEnv(
  dir: string,
  endpoint: string,
  s3: { endpoint: string; bucket: string },
  extra: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
  return flowshipEnv(path.join(dir, ".flowship"), {
    FLOWSHIP_CONFIG: path.join(dir, "absent.json"),
    FLOWSHIP_CACHE_DIR: path.join(dir, "cache"),
    FLOWSHIP_S3_ENDPOINT: s3.endpoint,
    FLOWSHIP_USER: "alice",
    FLOWSHIP_AWS_REGION: "eu-west-1",
    FLOWSHIP_AWS_SFN_ROLE: role("flowship-step-functions"),
    FLOWSHIP_AWS_JOB_QUEUE: "flowship-queue",
    FLOWSHIP_AWS_S3_ROOT: `s3://${s3.bucket}/flowship`,
    FLOWSHIP_AWS_BATCH_JOB_ROLE: role("flowship-batch-job"),
    FLOWSHIP_AWS_EVENTS_ROLE: role("flowship-events"),
    AWS_ENDPOINT_URL_SFN: endpoint,
    AWS_ENDPOINT_URL_BATCH: endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
    AWS_ENDPOINT_URL_SCHEDULER: endpoint,
    AWS_PROFILE: undefined,
    ...extra,
  });
}
