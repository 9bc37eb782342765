/**
 * `card get RUN/STEP/TASK` prints the cards a task drew as one self-contained HTML document;
 * `card view RUN/STEP/TASK` writes it to a file and opens it in the browser. Both read the run
 * where `logs` does (the production datastore for an `sfn-…` run the local one lacks), and for a
 * task `resume` cloned, the cards of the task it was cloned from.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import type { CardRecord } from "../../card/card-record.js";
import { cardDocument } from "../../card/render-html.js";
import type { DatastoreOption } from "../../client/client-context.js";
import { Task } from "../../client/task.js";
import { FlowshipError, UsageError } from "../../errors.js";
import { FileSystemError, machineReason } from "../../util/io-error.js";
import type { FlowCommandContext } from "../command-context.js";
import { flowPathspec } from "../flow-pathspec.js";
import { openForUser } from "../opener.js";
import { readRunWithProductionFallback } from "../production-datastore.js";
import { attemptOf } from "./logs.js";

interface CardFlags {
  id?: string;
  attempt?: string;
}

interface Drawn {
  html: string;
  task: Task;
}

/** Most clones followed to the task that ran (a resume of a resume clones a clone). */
const MAX_CLONE_HOPS = 20;

/**
 * The task whose cards `pathspec` shows: the task itself, or for a task `resume` cloned (which
 * ran nowhere and drew nothing) the task it was cloned from, said on stderr.
 */
async function cardTask(
  full: string,
  datastore: DatastoreOption,
  attempt: number | undefined,
): Promise<Task> {
  const open = (pathspec: string, which?: number) =>
    Task.get(pathspec, { datastore, namespace: null, ...(which !== undefined ? { attempt: which } : {}) });
  let task = await open(full);
  for (let hops = 0; task.origin !== undefined && hops < MAX_CLONE_HOPS; hops++)
    task = await open(task.origin);
  if (task.pathspec !== full) {
    process.stderr.write(
      `note: resume cloned task '${full}' from '${task.pathspec}', which drew its cards: showing those.\n`,
    );
  }
  return attempt === undefined ? task : open(task.pathspec, attempt);
}

/** The task's full pathspec: cards belong to a task, not to a run or a step. */
function taskPathspec(flow: string, pathspec: string): string {
  const full = flowPathspec(flow, pathspec);
  if (full.split("/").length !== 4) {
    throw new UsageError(
      `Invalid pathspec '${pathspec}': cards belong to a task, give RUN/STEP/TASK, e.g. 1795510290707/train/0, or FLOW/RUN/STEP/TASK of this file's flow, '${flow}'.`,
    );
  }
  return full;
}

/** Why a task has no cards to show: it timed out, has not ended yet, or drew none. */
function noCards(task: Task): string {
  const which = `No cards in task '${task.pathspec}' (attempt ${task.attempt})`;
  if (task.exception?.type === "Timeout") {
    return `${which}: it timed out, and a step whose code kept the event loop busy is killed before its cards are written; await current.card.refresh() as it goes to keep what it drew (docs/cards.md).`;
  }
  // Without an end record the attempt is running (or its run was killed): its cards may come yet.
  if (task.status === "running") {
    return `${which} yet: it has not ended, and its cards are written when it ends, or before then each time the step calls current.card.refresh() (docs/cards.md).`;
  }
  return `${which}: a step draws one with current.card.append(…) or the card() decorator (docs/cards.md).`;
}

/** The task's cards drawn as one document; a task without cards (or without the card asked for) is an error. */
async function draw(context: FlowCommandContext, pathspec: string, flags: CardFlags): Promise<Drawn> {
  const full = taskPathspec(context.flow.name, pathspec);
  const attempt = attemptOf(flags.attempt);
  const [task, cards] = await readRunWithProductionFallback(
    context.flow.name,
    full,
    context.globals().datastore,
    async (datastore) => {
      const task = await cardTask(full, datastore, attempt);
      return [task, await task.cards()] as const;
    },
  );
  if (cards.length === 0) throw new FlowshipError("FS_CARD_NONE", noCards(task));
  let shown: CardRecord[] = cards;
  if (flags.id !== undefined) {
    shown = cards.filter((c) => c.id === flags.id);
    if (shown.length === 0) {
      throw new FlowshipError(
        "FS_CARD_NOT_FOUND",
        `No card '${flags.id}' in task '${task.pathspec}' (attempt ${task.attempt}): its cards are ${cards.map((c) => c.id).join(", ")}.`,
      );
    }
  }
  return { html: cardDocument(shown, { pathspec: task.pathspec, attempt: task.attempt }), task };
}

/**
 * Writes `html` as `name` in a fresh folder of the temporary folder, only this user can enter
 * (mkdtemp makes it 0700): a fixed shared path there would let another user plant a symlink and
 * have us write through it. A temporary folder that is missing or refuses is one line naming it.
 */
function writeCardFile(name: string, html: string): string {
  const temp = os.tmpdir();
  try {
    const file = path.join(fs.mkdtempSync(path.join(temp, "flowship-cards-")), name);
    fs.writeFileSync(file, html, { flag: "wx", mode: 0o600 });
    return file;
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist (ENOENT)" : undefined;
    const why = missing ?? machineReason(error);
    if (why === undefined) throw error;
    throw new FileSystemError(
      "FS_IO",
      `Cannot write the cards in the temporary folder '${temp}': ${why}. Set TMPDIR to a folder you can write, or save them with card get > report.html.`,
      { cause: error },
    );
  }
}

function withOptions(command: Command): Command {
  return command
    .argument(
      "<pathspec>",
      "RUN/STEP/TASK, e.g. 1795510290707/train/0 (the flow's name in front is taken too)",
    )
    .option("--id <id>", "only the card with this id (default: every card of the task)")
    .option("--attempt <n>", "the attempt whose cards to show: 0 is the first (default: the latest)");
}

export function registerCard(program: Command, context: FlowCommandContext): void {
  const card = program
    .command("card")
    .description("the cards a task drew (current.card): as one self-contained HTML file that opens offline");
  withOptions(card.command("get"))
    .description("print a task's cards as one HTML document on stdout")
    .action(async (pathspec: string, flags: CardFlags) => {
      process.stdout.write((await draw(context, pathspec, flags)).html);
    });
  withOptions(card.command("view"))
    .description("write a task's cards to an HTML file in the temporary folder, print its path and open it")
    .action(async (pathspec: string, flags: CardFlags) => {
      const { html, task } = await draw(context, pathspec, flags);
      const name = [task.flow, task.run.id, task.step, task.id, `attempt-${task.attempt}`, flags.id]
        .filter((part) => part !== undefined)
        .join(".");
      const file = writeCardFile(`${name}.html`, html);
      process.stdout.write(`${file}\n`);
      const failed = await openForUser(file);
      if (failed !== undefined) {
        throw new FlowshipError("FS_CARD_OPEN_FAILED", `Could not open the cards: ${failed}.`);
      }
    });
}
