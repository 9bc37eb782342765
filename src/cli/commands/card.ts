/**
 * `card get RUN/STEP/TASK` prints the cards a task drew as one self-contained HTML document;
 * `card view RUN/STEP/TASK` writes it to a file and opens it in the browser. Both read the run
 * where `logs` does (the production datastore for an `sfn-…` run the local one lacks).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "commander";
import type { CardRecord } from "../../card/card-record.js";
import { cardDocument } from "../../card/render-html.js";
import { Task } from "../../client/task.js";
import { openCommand } from "../../config.js";
import { FlowshipError, UsageError } from "../../errors.js";
import type { FlowCommandContext } from "../flow-commands.js";
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

/** The task's cards drawn as one document; a task without cards (or without the card asked for) is an error. */
async function draw(context: FlowCommandContext, pathspec: string, flags: CardFlags): Promise<Drawn> {
  if (pathspec.split("/").length !== 3) {
    throw new UsageError(
      `Invalid pathspec '${pathspec}': cards belong to a task, give RUN/STEP/TASK, e.g. 1795510290707/train/0.`,
    );
  }
  const full = `${context.flow.name}/${pathspec}`;
  const attempt = attemptOf(flags.attempt);
  const [task, cards] = await readRunWithProductionFallback(
    context.flow.name,
    full,
    context.globals().datastore,
    async (datastore) => {
      const task = await Task.get(full, {
        datastore,
        namespace: null,
        ...(attempt !== undefined ? { attempt } : {}),
      });
      return [task, await task.cards()] as const;
    },
  );
  if (cards.length === 0) {
    throw new FlowshipError(
      "FS_CARD_NONE",
      task.origin
        ? `No cards in task '${full}': resume cloned it from '${task.origin}'; its cards are there.`
        : task.exception?.type === "Timeout"
          ? `No cards in task '${full}' (attempt ${task.attempt}): it timed out, and a step whose code kept the event loop busy is killed before its cards are written; await current.card.refresh() as it goes to keep what it drew (docs/cards.md).`
          : `No cards in task '${full}' (attempt ${task.attempt}): a step draws one with current.card.append(…) or the card() decorator (docs/cards.md).`,
    );
  }
  let shown: CardRecord[] = cards;
  if (flags.id !== undefined) {
    shown = cards.filter((c) => c.id === flags.id);
    if (shown.length === 0) {
      throw new FlowshipError(
        "FS_CARD_NOT_FOUND",
        `No card '${flags.id}' in task '${full}' (attempt ${task.attempt}): its cards are ${cards.map((c) => c.id).join(", ")}.`,
      );
    }
  }
  return { html: cardDocument(shown, { pathspec: full, attempt: task.attempt }), task };
}

/** Opens `file` with FLOWSHIP_OPEN_COMMAND or the platform's opener; says so when it cannot. */
function openFile(file: string): void {
  const custom = openCommand();
  const [command, args] = custom
    ? [custom, [file]]
    : process.platform === "darwin"
      ? ["open", [file]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", file]]
        : ["xdg-open", [file]];
  const child = spawn(command, args, { stdio: "ignore", detached: true });
  child.on("error", () =>
    process.stderr.write(`Could not open a browser (${command}); open ${file} yourself.\n`),
  );
  child.unref();
}

function withOptions(command: Command): Command {
  return command
    .argument("<pathspec>", "RUN/STEP/TASK, e.g. 1795510290707/train/0")
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
      // A fresh folder only this user can enter (mkdtemp makes it 0700): a fixed shared path in the
      // temporary folder would let another user plant a symlink there and have us write through it.
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-cards-"));
      const name = [task.flow, task.run.id, task.step, task.id, `attempt-${task.attempt}`, flags.id]
        .filter((part) => part !== undefined)
        .join(".");
      const file = path.join(folder, `${name}.html`);
      fs.writeFileSync(file, html, { flag: "wx", mode: 0o600 });
      process.stdout.write(`${file}\n`);
      openFile(file);
    });
}
