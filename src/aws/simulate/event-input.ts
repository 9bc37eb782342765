/**
 * `step-functions simulate --event NAME --payload JSON`: the execution input a `trigger({ event })`
 * rule would start the flow with — the event EventBridge would deliver for `flowship event send`,
 * put through the very input transformer `create` deploys — so an event-started run is tried on
 * this machine before it is deployed.
 */
import { randomUUID } from "node:crypto";
import { UsageError } from "../../errors.js";
import type { FlowSpec } from "../../flow/types.js";
import { eventInput, eventTriggers } from "../deploy/event-triggers.js";
import { applyInputTransformer } from "../events/input-transformer.js";
import { EVENT_SOURCE } from "../events/send-event.js";

export function eventExecutionInput(
  flow: FlowSpec,
  event: string,
  payloadText: string,
  region: string,
): object {
  const trigger = eventTriggers(flow).find((t) => t.event === event);
  if (!trigger) {
    const known = eventTriggers(flow).map((t) => t.event);
    throw new UsageError(
      `Flow '${flow.name}' has no trigger({ event: "${event}" }); ${known.length > 0 ? `its events: ${known.join(", ")}` : "it has no event triggers"}.`,
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(payloadText);
  } catch (error) {
    throw new UsageError(`Invalid --payload: not JSON (${(error as Error).message}).`);
  }
  // The event as EventBridge delivers what `flowship event send` puts.
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
  const delivered = {
    version: "0",
    id: randomUUID(),
    "detail-type": event,
    source: EVENT_SOURCE,
    account: "000000000000",
    time: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    region,
    resources: [],
    detail: { payload },
  };
  const input = eventInput(trigger);
  return JSON.parse(
    "InputTransformer" in input ? applyInputTransformer(input.InputTransformer, delivered) : input.Input,
  ) as object;
}
