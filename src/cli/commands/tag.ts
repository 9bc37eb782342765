import type { Command } from "commander";
import { Run } from "../../client/run.js";
import type { FlowCommandContext } from "../command-context.js";
import { addNamespaceOptions, listNamespace, listRuns, type NamespaceFlags } from "./runs.js";

function printTags(run: Run): void {
  process.stdout.write(
    `${run.pathspec}\n  user tags:   ${run.userTags.join(", ") || "(none)"}\n  system tags: ${run.systemTags.join(", ")}\n`,
  );
}

function asJson(run: Run): object {
  return { run: run.pathspec, userTags: run.userTags, systemTags: run.systemTags };
}

export function registerTag(program: Command, context: FlowCommandContext): void {
  const tag = program.command("tag").description("add, remove, replace and list the user tags of runs");
  // A run id names one run whoever started it: tags can be changed across namespaces.
  const openRun = (runId: string) =>
    Run.get(`${context.flow.name}/${runId}`, { datastore: context.globals().datastore, namespace: null });

  tag
    .command("add")
    .description("add user tags to a run")
    .argument("<run>", "the run id")
    .argument("<tags...>", "the tags to add")
    .action(async (runId: string, tags: string[]) => {
      const run = await openRun(runId);
      await run.addTags(...tags);
      printTags(run);
    });

  tag
    .command("remove")
    .description("remove user tags from a run (system tags cannot be removed)")
    .argument("<run>", "the run id")
    .argument("<tags...>", "the tags to remove")
    .action(async (runId: string, tags: string[]) => {
      const run = await openRun(runId);
      await run.removeTags(...tags);
      printTags(run);
    });

  tag
    .command("replace")
    .description("remove one user tag and add another in a single change")
    .argument("<run>", "the run id")
    .argument("<old>", "the tag to remove")
    .argument("<new>", "the tag to add")
    .action(async (runId: string, old: string, added: string) => {
      const run = await openRun(runId);
      await run.replaceTags([old], [added]);
      printTags(run);
    });

  addNamespaceOptions(
    tag
      .command("list")
      .description("print the tags of a run, or of every run in the namespace (newest first)")
      .argument("[run]", "the run id (default: every run in the namespace)")
      .option("--json", "print [{run, userTags, systemTags}] as JSON", false),
  ).action(async (runId: string | undefined, flags: NamespaceFlags & { json: boolean }) => {
    const runs = runId !== undefined ? [await openRun(runId)] : await listRuns(context, listNamespace(flags));
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(runs.map(asJson), null, 2)}\n`);
      return;
    }
    for (const run of runs) printTags(run);
  });
}
