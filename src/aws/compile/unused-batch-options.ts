/**
 * What a deployment does not take from `batch()`. Its cpu, memory and gpu size a deployed step like
 * `resources` (step-task.ts), but a deployment has one job definition and one job queue for all of
 * its steps, so a step's own `queue`, `image`, `iamRole` or `executionRole` — which a local run's
 * Batch steps honour — is not used there. Metaflow users expect `@batch(queue=…)` to hold in
 * production: `step-functions create` says so rather than dropping them without a word.
 */
import type { BatchOptions, StepDecorator } from "../../flow/decorators.js";
import type { FlowSpec } from "../../flow/types.js";
import { effectiveDecorators } from "../../run/run-options.js";

/** The `batch()` options a deployment leaves out, in the order the docs list them. */
const PLACEMENT_OPTIONS = [
  "queue",
  "image",
  "iamRole",
  "executionRole",
] as const satisfies readonly (keyof BatchOptions)[];

/**
 * One line per distinct set of left-out options, naming the steps that ask for them (their own
 * `batch()` or one `--with batch` added); none when no step asks.
 */
export function unusedBatchOptionNotes(flow: FlowSpec, added: readonly StepDecorator[]): string[] {
  const stepsByOptions = new Map<string, string[]>();
  for (const step of flow.steps) {
    const batch = effectiveDecorators(step, added).find((d) => d.kind === "batch");
    if (batch?.kind !== "batch") continue;
    const unused = PLACEMENT_OPTIONS.filter((option) => batch.options[option] !== undefined);
    if (unused.length === 0) continue;
    const key = unused.join(", ");
    stepsByOptions.set(key, [...(stepsByOptions.get(key) ?? []), step.name]);
  }
  return [...stepsByOptions].map(([options, steps]) => {
    const which =
      steps.length === 1 ? `step '${steps[0]}' asks` : `steps ${steps.map((s) => `'${s}'`).join(", ")} ask`;
    return (
      `note: ${which} batch() for ${options}, which a deployment does not use: every deployed step runs ` +
      "on the job queue, image and roles of the AWS settings (create's --job-queue, configure aws); " +
      "batch()'s cpu, memory and gpu do size it (docs/scaling.md)."
    );
  });
}
