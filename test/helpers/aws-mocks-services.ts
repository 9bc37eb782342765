/**
 * The Batch, EventBridge Scheduler and EventBridge halves of {@link FakeAws}: job definition
 * revisions, schedules and rules kept in maps, "not found" answered as the services answer it.
 */
import { RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteConnectionCommand,
  DeleteRuleCommand,
  DescribeConnectionCommand,
  EventBridgeServiceException,
  ResourceNotFoundException as EventsNotFound,
  ListRulesCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
  UpdateApiDestinationCommand,
  UpdateConnectionCommand,
} from "@aws-sdk/client-eventbridge";
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException as SchedulerNotFound,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import type { FakeAws } from "./aws-mocks.js";
import { ACCOUNT, REGION } from "./deploy-fixtures.js";

const meta = { $metadata: {} };

type FakeServices = Pick<
  FakeAws,
  | "batch"
  | "scheduler"
  | "events"
  | "jobRevisions"
  | "schedules"
  | "rules"
  | "connections"
  | "apiDestinations"
>;

export function stubOtherServices(fake: FakeServices): void {
  fake.batch.on(RegisterJobDefinitionCommand).callsFake((input) => {
    const revision = (fake.jobRevisions.get(input.jobDefinitionName) ?? 0) + 1;
    fake.jobRevisions.set(input.jobDefinitionName, revision);
    const arn = `arn:aws:batch:${REGION}:${ACCOUNT}:job-definition/${input.jobDefinitionName}:${revision}`;
    return { jobDefinitionArn: arn, jobDefinitionName: input.jobDefinitionName, revision };
  });
  const notFound = () =>
    new SchedulerNotFound({ message: "Schedule not found", Message: "Schedule not found", ...meta });
  fake.scheduler.on(GetScheduleCommand).callsFake((input) => {
    const found = fake.schedules.get(input.Name);
    if (!found) throw notFound();
    return found;
  });
  const putSchedule = (input: Record<string, unknown>) => {
    fake.schedules.set(input.Name as string, input);
    return { ScheduleArn: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/${input.Name}` };
  };
  fake.scheduler.on(CreateScheduleCommand).callsFake(putSchedule);
  fake.scheduler.on(UpdateScheduleCommand).callsFake(putSchedule);
  fake.scheduler.on(DeleteScheduleCommand).callsFake((input) => {
    if (!fake.schedules.delete(input.Name)) throw notFound();
    return {};
  });
  const ruleNotFound = () => new EventsNotFound({ message: "Rule does not exist", ...meta });
  fake.events.on(PutRuleCommand).callsFake((input) => {
    fake.rules.set(input.Name, { rule: input, targets: fake.rules.get(input.Name)?.targets ?? [] });
    return { RuleArn: `arn:aws:events:${REGION}:${ACCOUNT}:rule/${input.Name}` };
  });
  // PutTargets adds or replaces targets by Id and RemoveTargets removes the given Ids; a rule that
  // still has targets cannot be deleted.
  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html
  // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html
  type Target = { Id?: string };
  fake.events.on(PutTargetsCommand).callsFake((input) => {
    const rule = fake.rules.get(input.Rule);
    if (!rule) throw ruleNotFound();
    const ids = new Set((input.Targets as Target[]).map((t) => t.Id));
    rule.targets = [...(rule.targets as Target[]).filter((t) => !ids.has(t.Id)), ...input.Targets];
    return { FailedEntryCount: 0, FailedEntries: [] };
  });
  fake.events.on(RemoveTargetsCommand).callsFake((input) => {
    const rule = fake.rules.get(input.Rule);
    if (!rule) throw ruleNotFound();
    rule.targets = (rule.targets as Target[]).filter((t) => !input.Ids.includes(t.Id!));
    return { FailedEntryCount: 0, FailedEntries: [] };
  });
  fake.events.on(ListRulesCommand).callsFake((input) => ({
    Rules: [...fake.rules.entries()]
      .filter(
        ([name, r]) =>
          name.startsWith(input.NamePrefix ?? "") &&
          (r.rule.EventBusName ?? "default") === (input.EventBusName ?? "default"),
      )
      .map(([name, r]) => ({
        Name: name,
        Description: r.rule.Description,
        EventBusName: input.EventBusName ?? "default",
      })),
  }));
  fake.events.on(DeleteRuleCommand).callsFake((input) => {
    const rule = fake.rules.get(input.Name);
    if (!rule) throw ruleNotFound();
    if (rule.targets.length > 0) {
      throw new EventBridgeServiceException({
        name: "ValidationException",
        $fault: "client",
        message: "Rule can't be deleted since it has targets.",
        ...meta,
      });
    }
    fake.rules.delete(input.Name);
    return {};
  });
  stubApiDestinations(fake);
}

/** Connections and API destinations, by name; a connection is AUTHORIZED as soon as it exists. */
function stubApiDestinations(fake: FakeServices): void {
  const exists = (what: string) =>
    new ResourceAlreadyExistsException({ message: `${what} already exists.`, ...meta });
  const missing = (what: string) =>
    new EventsNotFound({ message: `Failed to describe the ${what}.`, ...meta });
  const connectionArn = (name: string) => `arn:aws:events:${REGION}:${ACCOUNT}:connection/${name}/6a1c0d4e`;
  const destinationArn = (name: string) =>
    `arn:aws:events:${REGION}:${ACCOUNT}:api-destination/${name}/9b2e7f10`;
  fake.events.on(CreateConnectionCommand).callsFake((input) => {
    if (fake.connections.has(input.Name)) throw exists(`Connection ${input.Name}`);
    fake.connections.set(input.Name, input);
    return { ConnectionArn: connectionArn(input.Name), ConnectionState: "CREATING" };
  });
  fake.events.on(UpdateConnectionCommand).callsFake((input) => {
    if (!fake.connections.has(input.Name)) throw missing("connection");
    fake.connections.set(input.Name, { ...fake.connections.get(input.Name), ...input });
    return { ConnectionArn: connectionArn(input.Name), ConnectionState: "UPDATING" };
  });
  fake.events.on(DescribeConnectionCommand).callsFake((input) => {
    if (!fake.connections.has(input.Name)) throw missing("connection");
    return { ConnectionArn: connectionArn(input.Name), Name: input.Name, ConnectionState: "AUTHORIZED" };
  });
  fake.events.on(DeleteConnectionCommand).callsFake((input) => {
    if (!fake.connections.delete(input.Name)) throw missing("connection");
    return { ConnectionArn: connectionArn(input.Name), ConnectionState: "DELETING" };
  });
  fake.events.on(CreateApiDestinationCommand).callsFake((input) => {
    if (fake.apiDestinations.has(input.Name)) throw exists(`Api destination ${input.Name}`);
    fake.apiDestinations.set(input.Name, input);
    return { ApiDestinationArn: destinationArn(input.Name), ApiDestinationState: "ACTIVE" };
  });
  fake.events.on(UpdateApiDestinationCommand).callsFake((input) => {
    if (!fake.apiDestinations.has(input.Name)) throw missing("api-destination");
    fake.apiDestinations.set(input.Name, { ...fake.apiDestinations.get(input.Name), ...input });
    return { ApiDestinationArn: destinationArn(input.Name), ApiDestinationState: "ACTIVE" };
  });
  fake.events.on(DeleteApiDestinationCommand).callsFake((input) => {
    if (!fake.apiDestinations.delete(input.Name)) throw missing("api-destination");
    return {};
  });
}
