/**
 * AWS for deploy tests, offline: the real SDK v3 clients with aws-sdk-client-mock stubs that keep
 * a little state (state machines with versions, tags and an alias; executions; job definition
 * revisions; schedules; rules), so a test can deploy twice, roll back and delete, and still
 * assert the exact requests with `commandCalls`.
 */
import { randomUUID } from "node:crypto";
import { BatchClient } from "@aws-sdk/client-batch";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import * as sfn from "@aws-sdk/client-sfn";
import { mockClient } from "aws-sdk-client-mock";
import { BatchDeployClient } from "../../src/aws/deploy/batch-client.js";
import type { DeployClients } from "../../src/aws/deploy/deployment.js";
import { metadataTags } from "../../src/aws/deploy/deployment-metadata.js";
import { EventsDeployClient } from "../../src/aws/deploy/events-client.js";
import { SchedulerDeployClient } from "../../src/aws/deploy/scheduler-client.js";
import { SfnDeployClient } from "../../src/aws/deploy/sfn-client.js";
import { stubOtherServices } from "./aws-mocks-services.js";
import { ACCOUNT, REGION } from "./deploy-fixtures.js";

export interface FakeMachine {
  name: string;
  arn: string;
  definition: string;
  tags: Record<string, string>;
  versions: string[];
  /** Version ARN the production alias routes to, once there is one. */
  alias?: string;
}

export interface FakeExecution {
  arn: string;
  name: string;
  machineArn: string;
  startedWith: string;
  input: string;
  status: string;
  startDate: Date;
  stopDate?: Date;
}

const meta = { $metadata: {} };

export class FakeAws {
  readonly sfnClient = new sfn.SFNClient({ region: REGION });
  readonly batchClient = new BatchClient({ region: REGION });
  readonly schedulerClient = new SchedulerClient({ region: REGION });
  readonly eventsClient = new EventBridgeClient({ region: REGION });
  readonly sfn = mockClient(this.sfnClient);
  readonly batch = mockClient(this.batchClient);
  readonly scheduler = mockClient(this.schedulerClient);
  readonly events = mockClient(this.eventsClient);
  readonly machines = new Map<string, FakeMachine>();
  readonly executions = new Map<string, FakeExecution>();
  readonly jobRevisions = new Map<string, number>();
  readonly schedules = new Map<string, Record<string, unknown>>();
  readonly rules = new Map<string, { rule: Record<string, unknown>; targets: unknown[] }>();
  /** EventBridge connections and API destinations (webhook alerts), by name. */
  readonly connections = new Map<string, Record<string, unknown>>();
  readonly apiDestinations = new Map<string, Record<string, unknown>>();
  /** The deploy wrappers over the mocked SDK clients. */
  readonly clients: DeployClients = {
    sfn: new SfnDeployClient({ client: this.sfnClient }),
    batch: new BatchDeployClient({ client: this.batchClient }),
    scheduler: new SchedulerDeployClient({ client: this.schedulerClient }),
    events: new EventsDeployClient({ client: this.eventsClient }),
  };
  /** Dates of executions, in order, so tests need no clock. */
  #tick = Date.parse("2026-03-01T08:00:00Z");

  constructor() {
    this.#stubSfn();
    stubOtherServices(this);
  }

  #machine(arn: string | undefined): FakeMachine {
    const base = (arn ?? "").replace(/:(production|\d+)$/, "");
    const machine = [...this.machines.values()].find((m) => m.arn === base);
    if (!machine)
      throw new sfn.StateMachineDoesNotExist({ message: `State Machine Does Not Exist: '${arn}'`, ...meta });
    return machine;
  }

  #execution(arn: string | undefined): FakeExecution {
    const execution = this.executions.get(arn ?? "");
    if (!execution)
      throw new sfn.ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${arn}'`, ...meta });
    return execution;
  }

  #publish(machine: FakeMachine): string {
    // Version numbers only grow, even once older versions are deleted.
    const last = Number(machine.versions.at(-1)?.split(":").pop() ?? 0);
    const version = `${machine.arn}:${last + 1}`;
    machine.versions.push(version);
    return version;
  }

  #stubSfn(): void {
    const s = this.sfn;
    s.on(sfn.DescribeStateMachineCommand).callsFake((input) => {
      const m = this.#machine(input.stateMachineArn);
      return { stateMachineArn: m.arn, name: m.name, status: "ACTIVE", definition: m.definition };
    });
    s.on(sfn.ListTagsForResourceCommand).callsFake((input) => ({
      tags: Object.entries(this.#machine(input.resourceArn).tags).map(([key, value]) => ({ key, value })),
    }));
    s.on(sfn.CreateStateMachineCommand).callsFake((input) => {
      const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${input.name}`;
      const tags = Object.fromEntries((input.tags ?? []).map((t: sfn.Tag) => [t.key, t.value]));
      const machine: FakeMachine = {
        name: input.name,
        arn,
        definition: input.definition,
        tags,
        versions: [],
      };
      this.machines.set(input.name, machine);
      return { stateMachineArn: arn, stateMachineVersionArn: this.#publish(machine) };
    });
    s.on(sfn.UpdateStateMachineCommand).callsFake((input) => {
      const machine = this.#machine(input.stateMachineArn);
      machine.definition = input.definition;
      return { stateMachineVersionArn: this.#publish(machine) };
    });
    s.on(sfn.TagResourceCommand).callsFake((input) => {
      const machine = this.#machine(input.resourceArn);
      for (const t of input.tags) machine.tags[t.key] = t.value;
      return {};
    });
    s.on(sfn.UntagResourceCommand).callsFake((input) => {
      const machine = this.#machine(input.resourceArn);
      for (const key of input.tagKeys) delete machine.tags[key];
      return {};
    });
    s.on(sfn.DescribeStateMachineAliasCommand).callsFake((input) => {
      const machine = this.#machine(input.stateMachineAliasArn);
      if (!machine.alias) throw new sfn.ResourceNotFound({ message: "Resource not found", ...meta });
      return {
        stateMachineAliasArn: `${machine.arn}:production`,
        routingConfiguration: [{ stateMachineVersionArn: machine.alias, weight: 100 }],
      };
    });
    const route = (input: { routingConfiguration: { stateMachineVersionArn: string }[] }) => {
      const version = input.routingConfiguration[0]!.stateMachineVersionArn;
      this.#machine(version).alias = version;
      return { stateMachineAliasArn: `${this.#machine(version).arn}:production` };
    };
    s.on(sfn.CreateStateMachineAliasCommand).callsFake(route);
    s.on(sfn.UpdateStateMachineAliasCommand).callsFake(route);
    s.on(sfn.ListStateMachineVersionsCommand).callsFake((input) => ({
      stateMachineVersions: [...this.#machine(input.stateMachineArn).versions]
        .reverse()
        .map((v) => ({ stateMachineVersionArn: v, creationDate: new Date(0) })),
    }));
    s.on(sfn.DeleteStateMachineVersionCommand).callsFake((input) => {
      const machine = this.#machine(input.stateMachineVersionArn);
      // AWS refuses to delete a version an alias routes to.
      if (machine.alias === input.stateMachineVersionArn) {
        throw new sfn.ConflictException({ message: "Version is referenced by an alias", ...meta });
      }
      machine.versions = machine.versions.filter((v) => v !== input.stateMachineVersionArn);
      return {};
    });
    s.on(sfn.StartExecutionCommand).callsFake((input) => {
      const machine = this.#machine(input.stateMachineArn);
      const name = randomUUID();
      const arn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine.name}:${name}`;
      const startedWith = input.stateMachineArn.endsWith(":production")
        ? machine.alias!
        : input.stateMachineArn;
      this.executions.set(arn, {
        arn,
        name,
        machineArn: machine.arn,
        startedWith,
        input: input.input,
        status: "RUNNING",
        startDate: this.#now(),
      });
      return { executionArn: arn, startDate: this.executions.get(arn)!.startDate };
    });
    s.on(sfn.ListExecutionsCommand).callsFake((input) => {
      this.#machine(input.stateMachineArn);
      const executions = [...this.executions.values()]
        .filter(
          (e) =>
            e.machineArn === input.stateMachineArn &&
            (!input.statusFilter || e.status === input.statusFilter),
        )
        .reverse()
        .map((e) => ({
          executionArn: e.arn,
          stateMachineArn: e.machineArn,
          name: e.name,
          status: e.status,
          startDate: e.startDate,
          ...(e.stopDate ? { stopDate: e.stopDate } : {}),
        }));
      return { executions };
    });
    s.on(sfn.DescribeExecutionCommand).callsFake((input) => {
      const e = this.#execution(input.executionArn);
      return {
        executionArn: e.arn,
        stateMachineArn: e.machineArn,
        status: e.status,
        input: e.input,
        startDate: e.startDate,
        redriveStatus: e.status === "FAILED" ? "REDRIVABLE" : "NOT_REDRIVABLE",
      };
    });
    s.on(sfn.StopExecutionCommand).callsFake((input) => this.finish(input.executionArn, "ABORTED"));
    s.on(sfn.RedriveExecutionCommand).callsFake((input) => {
      this.#execution(input.executionArn).status = "RUNNING";
      return { redriveDate: this.#now() };
    });
    s.on(sfn.DeleteStateMachineCommand).callsFake((input) => {
      this.machines.delete(this.#machine(input.stateMachineArn).name);
      return {};
    });
  }

  #now(): Date {
    this.#tick += 60_000;
    return new Date(this.#tick);
  }

  /** A deployment made earlier by `owner`, with `versions` published versions (the last in production). */
  seed(options: { name: string; owner: string; token: string; versions?: number }): FakeMachine {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${options.name}`;
    const tags = metadataTags({
      flow: options.name,
      owner: options.owner,
      token: options.token,
      flowshipVersion: "0.1.0",
      parameters: [],
      runTags: [],
    });
    const machine: FakeMachine = { name: options.name, arn, definition: "{}", tags, versions: [] };
    for (let i = 0; i < (options.versions ?? 1); i++) this.#publish(machine);
    machine.alias = machine.versions.at(-1);
    this.machines.set(options.name, machine);
    return machine;
  }

  /** Starts an execution as a trigger would, without the SDK (for tests of runs). */
  seedExecution(machine: FakeMachine, name: string, status: string): FakeExecution {
    const arn = `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine.name}:${name}`;
    const execution: FakeExecution = {
      arn,
      name,
      machineArn: machine.arn,
      startedWith: machine.alias ?? machine.arn,
      input: '{"Parameters":"{}"}',
      status,
      startDate: this.#now(),
      ...(status === "RUNNING" ? {} : { stopDate: this.#now() }),
    };
    this.executions.set(arn, execution);
    return execution;
  }

  /** Ends an execution as the simulated run ended. */
  finish(executionArn: string, status: string): { stopDate: Date } {
    const execution = this.#execution(executionArn);
    execution.status = status;
    execution.stopDate = this.#now();
    return { stopDate: execution.stopDate };
  }

  /** Forgets the recorded calls (the state stays). */
  resetHistory(): void {
    for (const stub of [this.sfn, this.batch, this.scheduler, this.events]) stub.resetHistory();
  }
}
