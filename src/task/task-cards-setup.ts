/**
 * The cards of one task attempt: `current.card` for step code, stored beside the attempt in the
 * run's datastore (local or S3, wherever the task runs), and for a step with the `card()`
 * decorator the default card's summary — the task, where its step sits in the graph, the run's
 * parameters and, once the attempt ended, its artifacts.
 */

import { type CardComponent, image, markdown, table } from "../card/components.js";
import { graphPlaceSvg } from "../card/graph-place.js";
import { TaskCards } from "../card/task-cards.js";
import type { ArtifactRef } from "../datastore/content-store.js";
import type { FlowStore } from "../datastore/flow-store.js";
import type { FlowSpec, StepSpec } from "../flow/types.js";
import { type TaskSpec, taskPathspec } from "./task-spec.js";

/** Longest parameter value shown on a default card, as JSON. */
const VALUE_CHARS = 200;
/** Longest foreach item shown on a default card, as JSON: it shares a line with the task. */
const ITEM_CHARS = 60;

function shown(value: unknown, chars = VALUE_CHARS, json = false): string {
  let text: string;
  try {
    text = typeof value === "string" && !json ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > chars ? `${text.slice(0, chars - 1)}…` : text;
}

/** `text` as a Markdown code span, whatever backticks it holds. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longest + 1);
  return `${fence} ${text} ${fence}`;
}

function bytes(size: number): string {
  return size < 1024
    ? `${size} B`
    : size < 2 ** 20
      ? `${(size / 1024).toFixed(1)} KiB`
      : `${(size / 2 ** 20).toFixed(1)} MiB`;
}

interface SummaryFacts {
  flow: FlowSpec;
  step: StepSpec;
  spec: TaskSpec;
  store: FlowStore;
  parameters: Record<string, ArtifactRef>;
  /** The attempt's artifacts, once it ended. */
  artifacts: Record<string, ArtifactRef> | undefined;
  /** The foreach item the task works on (the innermost foreach's), read when shown. */
  item?: () => unknown;
}

/**
 * Where the task sits in its foreach levels, counted from 1 as people count (`self.index` and the
 * task id count from 0), with the innermost item's value: `item 2 of 3 of foreach 'start', "dog"`.
 */
function foreachPlace(facts: SummaryFacts): string[] {
  const levels = facts.spec.foreachStack;
  return levels.map((f, i) => {
    let value = "";
    if (i === levels.length - 1 && facts.item) {
      try {
        value = `: ${codeSpan(shown(facts.item(), ITEM_CHARS, true))}`;
      } catch {
        // An item that cannot be read here (a list too large to load, say) is left out.
      }
    }
    return `item ${f.index + 1} of ${f.numSplits} of foreach '${f.step}' (counted from 1; \`self.index\` is ${f.index})${value}`;
  });
}

/** What the `card()` decorator puts at the top of the default card. */
export function defaultCardSummary(facts: SummaryFacts): CardComponent[] {
  const { flow, step, spec } = facts;
  const before = flow.steps.filter((s) => s.next.includes(step.name)).map((s) => s.name);
  const components: CardComponent[] = [
    markdown(
      [
        `**Task** \`${taskPathspec(spec)}\`, attempt ${spec.attempt}`,
        ...foreachPlace(facts).map((place) => `\n**Foreach** ${place}`),
        ...(step.doc ? ["", step.doc] : []),
      ].join("\n"),
    ),
    image(graphPlaceSvg({ before, step: step.name, after: step.next }), {
      alt: `step ${step.name} of flow ${flow.name}`,
    }),
  ];
  const parameters = Object.entries(facts.parameters).sort(([a], [b]) => (a < b ? -1 : 1));
  if (parameters.length > 0) {
    components.push(
      markdown("**Parameters**"),
      table(
        parameters.map(([name, ref]) => {
          let value: string;
          try {
            value = shown(facts.store.content.get(ref, `parameter '${name}'`));
          } catch {
            value = `(${ref.type}, not readable here)`;
          }
          return { name, value };
        }),
      ),
    );
  }
  const artifacts = facts.artifacts
    ? Object.entries(facts.artifacts).filter(([name]) => !(name in facts.parameters))
    : undefined;
  components.push(markdown("**Artifacts**"));
  components.push(
    artifacts === undefined
      ? markdown("_Listed when the task ends._")
      : artifacts.length === 0
        ? markdown("_None._")
        : table(
            artifacts
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([name, ref]) => ({ name, type: ref.type, size: bytes(ref.size) })),
          ),
  );
  return components;
}

/** The attempt's cards; `ended(artifacts)` before the final publish gives the summary its artifacts. */
export function openTaskCards(facts: Omit<SummaryFacts, "artifacts">): {
  cards: TaskCards;
  ended: (artifacts: Record<string, ArtifactRef>) => void;
} {
  const { spec, store } = facts;
  const decorator = spec.decorators.find((d) => d.kind === "card");
  let artifacts: Record<string, ArtifactRef> | undefined;
  const cards = new TaskCards({
    where: `of step '${spec.step}'`,
    publish: (record) => store.writeCard(spec.runId, spec.step, spec.taskId, spec.attempt, record),
    // The default card's heading, unless card({ title }) gives one: which task drew it.
    title:
      (decorator?.kind === "card" ? decorator.options.title : undefined) ??
      `Task ${spec.step}/${spec.taskId}`,
    ...(decorator?.kind === "card" ? { summary: () => defaultCardSummary({ ...facts, artifacts }) } : {}),
  });
  return {
    cards,
    ended: (refs) => {
      artifacts = refs;
    },
  };
}
