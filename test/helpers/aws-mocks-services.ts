/**
 * The Batch, EventBridge Scheduler and EventBridge halves of {@link FakeAws}: job definition
 * revisions, schedules and rules kept in maps, "not found" answered as the services answer it.
 */
import { RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import {
  DeleteRuleCommand,
  ResourceNotFoundException as EventsNotFound,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
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

type FakeServices = Pick<FakeAws, "batch" | "scheduler" | "events" | "jobRevisions" | "schedules" | "rules">;

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
  fake.events.on(PutTargetsCommand).callsFake((input) => {
    const rule = fake.rules.get(input.Rule);
    if (!rule) throw ruleNotFound();
    rule.targets = input.Targets;
    return { FailedEntryCount: 0, FailedEntries: [] };
  });
  fake.events.on(RemoveTargetsCommand).callsFake((input) => {
    const rule = fake.rules.get(input.Rule);
    if (!rule) throw ruleNotFound();
    rule.targets = [];
    return { FailedEntryCount: 0, FailedEntries: [] };
  });
  fake.events.on(DeleteRuleCommand).callsFake((input) => {
    if (!fake.rules.delete(input.Name)) throw ruleNotFound();
    return {};
  });
}
