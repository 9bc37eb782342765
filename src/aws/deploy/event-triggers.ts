/**
 * `trigger({ event, parameters, bus })` on AWS: one EventBridge rule per event on its bus,
 * matching events of that `detail-type`, whose one target starts this flow's production alias.
 * An input transformer picks the mapped fields out of the event's `detail` and builds the
 * execution input `{"Parameters": {"alpha": <alpha>}}`, which the state machine turns into its
 * JSON text (input-states.ts); unmapped parameters keep their defaults. Each deploy makes the
 * rules match the decorators: rules of events no longer there are found by name prefix and by
 * their description, which names the state machine, and deleted.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
import type { TriggerOptions } from "../../flow/decorators.js";
import type { FlowSpec } from "../../flow/types.js";
import { sha256 } from "../../util/hash.js";
import { DESCRIPTION_LIMITS, fitDescription } from "./descriptions.js";
import { DeployError } from "./errors.js";
import type { EventsDeployClient } from "./events-client.js";
import { type DeployTarget, eventName, TRIGGER_TARGET_ID } from "./resource-names.js";
import { UNATTENDED_INPUT } from "./schedule.js";

export type EventTrigger = Required<TriggerOptions>;

/** The flow's event triggers, checked against its parameters. */
export function eventTriggers(flow: FlowSpec): EventTrigger[] {
  const triggers = flow.decorators.flatMap((d) => (d.kind === "trigger" ? [d.options] : []));
  const known = new Set(flow.parameters.map((p) => p.name));
  const seen = new Set<string>();
  const rules = new Map<string, string>();
  for (const trigger of triggers) {
    const where = `trigger({ event: "${trigger.event}" }) of flow '${flow.name}'`;
    const key = `${trigger.bus}/${trigger.event}`;
    if (seen.has(key))
      throw new DeployError("FS_SFN_BAD_TRIGGER", `${where} is given twice.`, { exitCode: 2 });
    seen.add(key);
    // Rule names are per bus; two events whose names would be one rule are refused before any change.
    const rule = `${trigger.bus}/${ruleSuffix(trigger.event)}`;
    const other = rules.get(rule);
    if (other !== undefined) {
      throw new DeployError(
        "FS_SFN_BAD_TRIGGER",
        `${where} would share its EventBridge rule with trigger({ event: "${other}" }) on bus '${trigger.bus}': rename one of the events.`,
        { exitCode: 2 },
      );
    }
    rules.set(rule, trigger.event);
    for (const name of Object.keys(trigger.parameters)) {
      if (!known.has(name)) {
        throw new DeployError(
          "FS_SFN_BAD_TRIGGER",
          `${where} maps unknown parameter '${name}'; the flow's parameters are: ${[...known].join(", ") || "(none)"}.`,
          { exitCode: 2 },
        );
      }
    }
  }
  return triggers;
}

/** The deployment metadata's record of the non-default buses the triggers use. */
export function eventBusesOf(triggers: readonly EventTrigger[]): { eventBuses?: string[] } {
  const buses = [...new Set(triggers.map((t) => t.bus).filter((bus) => bus !== "default"))];
  return buses.length > 0 ? { eventBuses: buses } : {};
}

/** Required parameters without a default that an event trigger does not map: its runs could not start. */
export function unmappedRequired(flow: FlowSpec, trigger: EventTrigger): string[] {
  return flow.parameters
    .filter((p) => p.required && !p.hasDefault && !(p.name in trigger.parameters))
    .map((p) => p.name);
}

/** The beginning every event rule name of a deployment shares, even when cut to 64 characters. */
function rulePrefix(target: DeployTarget): string {
  return `flowship-${target.name}-event-`.slice(0, 51);
}

/**
 * The event's part of its rule name. Rule names allow only letters, digits, `.`, `_` and `-`;
 * an event with other characters has them as `_` and a hash of its real name after it, so
 * `data:ready` and `data_ready` get rules of their own.
 */
function ruleSuffix(event: string): string {
  const safe = event.replace(/[^A-Za-z0-9._-]/g, "_");
  return safe === event ? event : `${safe}-${sha256(event).slice(0, 8)}`;
}

export function eventRuleName(target: DeployTarget, event: string): string {
  return eventName(`flowship-${target.name}-event-${ruleSuffix(event)}`);
}

/** Marks the rules of one state machine, so a redeploy finds its own among rules of similar names. */
function marker(target: DeployTarget): string {
  return `(state machine ${target.name})`;
}

/** The input transformer that builds the execution input from the event; without a mapping, none. */
export function eventInput(
  trigger: EventTrigger,
):
  | { Input: string }
  | { InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } } {
  const names = Object.keys(trigger.parameters);
  if (names.length === 0) return { Input: UNATTENDED_INPUT };
  return {
    InputTransformer: {
      InputPathsMap: Object.fromEntries(names.map((n) => [n, `$.detail.${trigger.parameters[n]}`])),
      // Unquoted placeholders: EventBridge puts numbers, booleans and objects as they are and quotes strings.
      InputTemplate: `{"Parameters": {${names.map((n) => `"${n}": <${n}>`).join(", ")}}}`,
    },
  };
}

export interface DeployedEventTrigger {
  event: string;
  bus: string;
  rule: string;
}

/** Creates or replaces a rule per event, and deletes this deployment's rules of events no longer there. */
export async function applyEventTriggers(options: {
  events: EventsDeployClient;
  target: DeployTarget;
  triggers: readonly EventTrigger[];
  /** The non-default buses the previous deploy's rules were on (its metadata). */
  previousBuses: readonly string[];
  role?: string;
}): Promise<DeployedEventTrigger[]> {
  const { events, target } = options;
  const deployed: DeployedEventTrigger[] = [];
  for (const trigger of options.triggers) {
    const rule = eventRuleName(target, trigger.event);
    await events.putRule({
      Name: rule,
      EventBusName: trigger.bus,
      EventPattern: JSON.stringify({ "detail-type": [trigger.event] }),
      State: "ENABLED",
      Description: fitDescription(
        `flowship: starts flow ${target.flow} on event ${trigger.event} ${marker(target)}`,
        DESCRIPTION_LIMITS.eventRule,
      ),
    });
    await events.putTargets({
      Rule: rule,
      EventBusName: trigger.bus,
      Targets: [
        { Id: TRIGGER_TARGET_ID, Arn: target.aliasArn, RoleArn: options.role, ...eventInput(trigger) },
      ],
    });
    deployed.push({ event: trigger.event, bus: trigger.bus, rule });
  }
  const kept = new Set(deployed.map((d) => `${d.bus}/${d.rule}`));
  const buses = new Set(["default", ...options.previousBuses, ...options.triggers.map((t) => t.bus)]);
  await removeEventRules(events, target, buses, (bus, rule) => !kept.has(`${bus}/${rule}`));
  return deployed;
}

/** Deletes this deployment's event rules on the given buses that `stale` selects; the number deleted. */
export async function removeEventRules(
  events: EventsDeployClient,
  target: DeployTarget,
  buses: Iterable<string>,
  stale: (bus: string, rule: string) => boolean = () => true,
): Promise<number> {
  let removed = 0;
  for (const bus of buses) {
    for (const rule of await events.listRules(rulePrefix(target), bus)) {
      if (!rule.description.endsWith(marker(target)) || !stale(bus, rule.name)) continue;
      await events.removeTargets(rule.name, [TRIGGER_TARGET_ID], bus);
      if (await events.deleteRule(rule.name, bus)) removed++;
    }
  }
  return removed;
}
