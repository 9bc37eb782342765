/**
 * Generates docs/cli.md from the CLI's own --help output, so the reference never drifts from the
 * code: `node --import tsx scripts/cli-docs.ts` writes it; a test checks it is up to date.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { ENVIRONMENT_VARIABLES } from "../src/config.js";

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
  parts.push("", "## Environment variables", "", "| variable | meaning |", "| --- | --- |");
  for (const [name, description] of Object.entries(ENVIRONMENT_VARIABLES))
    parts.push(`| \`${name}\` | ${description} |`);
  return `${parts.join("\n")}\n`;
}

if (process.argv[1]?.endsWith("cli-docs.ts")) {
  fs.writeFileSync("docs/cli.md", renderCliDocs());
  process.stdout.write("wrote docs/cli.md\n");
}
