/**
 * Generates docs/cli.md from the CLI's own --help output, so the reference never drifts from the
 * code: `node --import tsx scripts/cli-docs.ts` writes it; a test checks it is up to date.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { ENVIRONMENT_VARIABLES } from "../src/config.js";
import { EXIT } from "../src/report-error.js";

/** What each exit code of src/report-error.ts means; a new code without a meaning does not compile. */
const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: "The command did what it was asked. `aws doctor`: no check failed (warnings allowed).",
  failure:
    "It failed: a run's step failed, an `aws doctor` check failed, AWS or the file system refused something, its output could not be written (`card get > report.html` on a full disk; a reader that went away, as `| head` does, is no failure). The one-line error says what failed, where, and how to fix it.",
  usage:
    "A usage error: an unknown or malformed option, a bad parameter value, a missing or malformed setting. Nothing was done.",
  internal: "A bug in flowship: `Internal error` with a stack trace (EX_SOFTWARE). Please report it.",
  interrupted:
    "Stopped by Ctrl-C (SIGINT): a local run (`resume` continues it), or an `aws stack` deploy or delete (the message says where the stack stands).",
};

const FLOW = "examples/parameter_flow.ts";

function help(args: string[]): string {
  return execFileSync(process.execPath, ["bin/flowship.js", ...args], { encoding: "utf8" }).trimEnd();
}

/** The commands the flow's --help lists, with nested groups expanded. */
function commands(args: string[]): string[][] {
  const text = help([...args, "--help"]);
  const section = text.split(/\nCommands:\n/)[1] ?? "";
  const names = section
    .split("\n")
    .map((line) => /^ {2}([a-z-]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined && name !== "help");
  return names.flatMap((name) => [
    [...args, name],
    ...commands([...args, name]).filter((c) => c.length > args.length + 1),
  ]);
}

export function renderCliDocs(): string {
  const parts = [
    "# Command line reference",
    "",
    "Generated from the CLI's own `--help` by `scripts/cli-docs.ts`; do not edit by hand.",
    "Every command of a flow is reached as `npx flowship <flow file> <command>` or `npx tsx <flow file> <command>`.",
    "",
    "## flowship",
    "",
    "```text",
    help(["--help"]),
    "```",
    "",
    `## flowship <flow file>`,
    "",
    "```text",
    help([FLOW, "--help"]).replaceAll(FLOW, "<flow file>"),
    "```",
  ];
  for (const command of commands([FLOW])) {
    parts.push(
      "",
      `## ${command.slice(1).join(" ")}`,
      "",
      "```text",
      help([...command, "--help"]).replaceAll(FLOW, "<flow file>"),
      "```",
    );
  }
  // Commands outside a flow: `flowship exec`, `event send`, `configure aws` and `ui` print their own help.
  for (const command of [
    ["exec"],
    ["event", "send"],
    ["configure", "aws"],
    ["aws", "doctor"],
    ["ui"],
    ["aws"],
    ["aws", "stack"],
    ["aws", "stack", "print"],
    ["aws", "stack", "deploy"],
    ["aws", "stack", "delete"],
  ]) {
    parts.push("", `## flowship ${command.join(" ")}`, "", "```text", help([...command, "--help"]), "```");
  }
  parts.push(
    "",
    "## Exit codes",
    "",
    "Every command exits with one of these; errors print one line (`error: …`) and, with `--debug` (or FLOWSHIP_DEBUG=1), their stack.",
    "",
    "| code | meaning |",
    "| --- | --- |",
  );
  for (const [name, code] of Object.entries(EXIT).sort(([, a], [, b]) => a - b))
    parts.push(`| ${code} | ${EXIT_MEANINGS[name as keyof typeof EXIT]} |`);
  parts.push("", "## Environment variables", "", "| variable | meaning |", "| --- | --- |");
  for (const [name, description] of Object.entries(ENVIRONMENT_VARIABLES))
    parts.push(`| \`${name}\` | ${description} |`);
  return `${parts.join("\n")}\n`;
}

if (process.argv[1]?.endsWith("cli-docs.ts")) {
  fs.writeFileSync("docs/cli.md", renderCliDocs());
  process.stdout.write("wrote docs/cli.md\n");
}
