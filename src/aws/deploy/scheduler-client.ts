/**
 * The EventBridge Scheduler calls flowship makes for a flow's schedule. Scheduler (unlike
 * EventBridge rules) fires in an IANA time zone, so a 9:00 schedule stays at 9:00 across
 * daylight-saving changes.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html
 */
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  DeleteScheduleCommand,
  GetScheduleCommand,
  type GetScheduleCommandOutput,
  SchedulerClient,
  UpdateScheduleCommand,
  type UpdateScheduleCommandInput,
} from "@aws-sdk/client-scheduler";
import { awsCall, awsLookup } from "./errors.js";

export interface SchedulerDeployClientOptions {
  /** A ready SDK client (tests pass a mocked one). @default a new SchedulerClient for `region` */
  client?: SchedulerClient;
  region?: string;
}

export class SchedulerDeployClient {
  readonly client: SchedulerClient;

  constructor(options: SchedulerDeployClientOptions = {}) {
    this.client = options.client ?? new SchedulerClient(options.region ? { region: options.region } : {});
  }

  getSchedule(name: string): Promise<GetScheduleCommandOutput | undefined> {
    return awsLookup("scheduler:GetSchedule", name, () =>
      this.client.send(new GetScheduleCommand({ Name: name })),
    );
  }

  async createSchedule(input: CreateScheduleCommandInput): Promise<void> {
    await awsCall("scheduler:CreateSchedule", input.Name ?? "", () =>
      this.client.send(new CreateScheduleCommand(input)),
    );
  }

  async updateSchedule(input: UpdateScheduleCommandInput): Promise<void> {
    await awsCall("scheduler:UpdateSchedule", input.Name ?? "", () =>
      this.client.send(new UpdateScheduleCommand(input)),
    );
  }

  /** Deletes the schedule; returns false when there was none. */
  async deleteSchedule(name: string): Promise<boolean> {
    const deleted = await awsLookup("scheduler:DeleteSchedule", name, () =>
      this.client.send(new DeleteScheduleCommand({ Name: name })),
    );
    return deleted !== undefined;
  }
}
