/**
 * `flowship event send`: puts one event on an EventBridge bus, the kind a `trigger({ event })`
 * rule matches — `detail-type` the event's name, `detail` `{"payload": …}` — so the mapped paths
 * (`payload.alpha`) read the payload's fields.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { FlowshipError } from "../../errors.js";
import { awsCall } from "../deploy/errors.js";

/** The `source` of events flowship sends; rules match on `detail-type` only, so any source starts flows. */
export const EVENT_SOURCE = "flowship";

/** PutEvents takes at most 256 KB per entry; the payload is most of it. */
export const MAX_EVENT_BYTES = 256 * 1024;

export interface SentEvent {
  id: string;
}

export async function sendEvent(options: {
  event: string;
  payload: unknown;
  bus: string;
  region: string;
  client?: EventBridgeClient;
}): Promise<SentEvent> {
  const client = options.client ?? new EventBridgeClient({ region: options.region });
  const detail = JSON.stringify({ payload: options.payload });
  const output = await awsCall("events:PutEvents", options.bus, () =>
    client.send(
      new PutEventsCommand({
        Entries: [
          { Source: EVENT_SOURCE, DetailType: options.event, Detail: detail, EventBusName: options.bus },
        ],
      }),
    ),
  );
  const entry = output.Entries?.[0];
  if (output.FailedEntryCount || !entry?.EventId) {
    throw new FlowshipError(
      "FS_EVENT_NOT_SENT",
      `Event ${options.event} was not accepted by bus ${options.bus}: ${entry?.ErrorCode ?? "no event id"}${entry?.ErrorMessage ? `: ${entry.ErrorMessage}` : ""}.`,
    );
  }
  return { id: entry.EventId };
}
