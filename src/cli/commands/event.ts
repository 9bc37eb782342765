/**
 * `flowship event send <name> [--payload JSON] [--bus BUS]`: puts the event that starts the
 * deployed flows with `trigger({ event: "<name>" })`. Needs only the AWS region (and the
 * identity's events:PutEvents); the AWS SDK finds the credentials.
 */
import { Command } from "commander";
import { effectiveSettings } from "../../aws/deploy/aws-settings.js";
import { UsageError } from "../../errors.js";
import { parseStandalone } from "../standalone-command.js";

const EVENT_NAME = /^[A-Za-z0-9._:/-]{1,128}$/;

function program(): Command {
  return new Command("flowship event")
    .description("send events that start deployed flows (trigger({ event }))")
    .helpOption("-h, --help", "print this help")
    .addCommand(
      new Command("send")
        .argument("<name>", "the event's name, as in trigger({ event: name })")
        .description("put one event on an EventBridge bus; prints its id")
        .option("--payload <json>", "JSON the flow's parameter paths read as payload.<field>", "{}")
        .option("--bus <bus>", "event bus name or ARN", "default")
        .helpOption("-h, --help", "print this help"),
    );
}

/** Entry of `flowship event …`; returns the exit code. */
export async function runEvent(argv: string[]): Promise<number> {
  const command = program();
  const send = command.commands[0]!;
  let sent: { name: string; payload: string; bus: string } | undefined;
  send.action((name: string, flags: { payload: string; bus: string }) => {
    sent = { name, ...flags };
  });
  if (!parseStandalone([command, send], argv, "flowship event send")) return 0;
  if (!sent) {
    process.stdout.write(command.helpInformation());
    return argv.length === 0 ? 2 : 0;
  }
  if (!EVENT_NAME.test(sent.name)) {
    throw new UsageError(`Invalid event name '${sent.name}': 1 to 128 letters, digits or . _ : / -.`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(sent.payload);
  } catch (error) {
    throw new UsageError(`Invalid --payload: not JSON (${(error as Error).message}).`);
  }
  const region = effectiveSettings().region;
  if (!region) {
    throw new UsageError(
      "No AWS region for event send: set it with flowship configure aws --region, FLOWSHIP_AWS_REGION or AWS_REGION.",
    );
  }
  const { MAX_EVENT_BYTES, sendEvent } = await import("../../aws/events/send-event.js");
  if (Buffer.byteLength(sent.payload) > MAX_EVENT_BYTES - 1024) {
    throw new UsageError(
      `Invalid --payload: ${Buffer.byteLength(sent.payload)} bytes; an event holds at most 255 KB.`,
    );
  }
  const { id } = await sendEvent({ event: sent.name, payload, bus: sent.bus, region });
  process.stderr.write(`Sent event ${sent.name} to bus ${sent.bus} in ${region}.\n`);
  process.stdout.write(`${id}\n`);
  return 0;
}
