/**
 * `flowship configure aws`: writes the AWS settings of the step-functions commands to the
 * settings file (FLOWSHIP_CONFIG, default ~/.flowshiprc.json). At a terminal it asks for each
 * setting not given as a flag, showing the current value; otherwise it takes the flags only.
 * It never asks for credentials: the AWS SDK finds those itself.
 */

import readline from "node:readline/promises";
import { Command } from "commander";
import {
  AWS_SETTINGS,
  type AwsSettingName,
  checkSettings,
  effectiveSettings,
  missingSettings,
  type PartialAwsSettings,
  readSettingsFile,
  type SettingsStack,
  shownSetting,
  writeSettingsFile,
} from "../../aws/deploy/aws-settings.js";
import { configFilePath } from "../../config.js";
import { UsageError } from "../../errors.js";
import { parseStandalone } from "../standalone-command.js";

const NAMES = Object.keys(AWS_SETTINGS) as AwsSettingName[];
/**
 * What `step-functions create` needs for a flow without schedule or triggerOnFinish (and, for
 * compute fargate, the execution role: see missingSettings).
 */
const NEEDED: readonly AwsSettingName[] = [
  "region",
  "jobQueue",
  "s3Root",
  "batchJobRole",
  "sfnRole",
  "executionRole",
];

export interface ConfigureOptions {
  /** Settings given as flags. */
  given: PartialAwsSettings;
  /** Settings to remove (unless given): those of a previous stack the new one does not provide. */
  remove?: readonly AwsSettingName[];
  /** Where the stack settings came from (`--from-stack`), recorded in the file. */
  stack?: SettingsStack;
  /** Ask for the others at the terminal. @default process.stdin.isTTY */
  interactive?: boolean;
  file?: string;
}

async function ask(current: PartialAwsSettings, given: PartialAwsSettings): Promise<PartialAwsSettings> {
  const answers: PartialAwsSettings = {};
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  // Lines typed or pasted ahead of their question wait for it here: rl.question() would drop
  // every line that arrives while no question is asked, and then stop at the end of input.
  const lines = rl[Symbol.asyncIterator]();
  // Ctrl+C at a prompt ends the input, as Ctrl+D does: nothing is written.
  rl.on("SIGINT", () => rl.close());
  const next = async (prompt: string): Promise<string> => {
    rl.setPrompt(prompt);
    rl.prompt();
    const line = await lines.next();
    if (line.done) {
      throw new UsageError(
        "Cancelled: 'flowship configure aws'. Nothing was written.",
        "FS_CONFIGURE_CANCELLED",
      );
    }
    return line.value.trim();
  };
  try {
    process.stdout.write("AWS settings of flowship (Enter keeps the value in brackets, '-' clears it).\n");
    if (Object.keys(current).length === 0) {
      // A new user may not have the queue, bucket and roles asked for yet.
      process.stdout.write(
        "No account set up yet? 'flowship aws stack deploy --name flowship' makes one, then 'flowship configure aws --from-stack flowship' fills all of these in (Ctrl-C stops here).\n",
      );
    }
    for (const name of NAMES) {
      if (given[name] !== undefined) continue;
      const rule = AWS_SETTINGS[name];
      const value = current[name];
      const shown = value === undefined ? `e.g. ${rule.example}` : shownSetting(name, value);
      for (;;) {
        const answer = await next(`${rule.label} [${shown}]: `);
        if (answer === "-") answers[name] = "";
        else if (answer !== "" && !rule.valid(answer)) {
          // Asked again at once: refused at the end, every answer typed so far would be lost.
          process.stdout.write(
            `Invalid ${rule.label}: '${shownSetting(name, answer)}' (e.g. ${rule.example}). Give another, or press Enter to keep [${shown}].\n`,
          );
          continue;
        } else if (answer !== "") answers[name] = answer;
        break;
      }
    }
  } finally {
    rl.close();
  }
  return answers;
}

/**
 * Merges the given (and, at a terminal, the answered) settings into the settings file.
 * @returns the settings written and the file
 */
export async function configureAws(
  options: ConfigureOptions,
): Promise<{ file: string; settings: PartialAwsSettings }> {
  const file = options.file ?? configFilePath();
  const current = readSettingsFile(file);
  const interactive = options.interactive ?? process.stdin.isTTY === true;
  const answers = interactive ? await ask(current, options.given) : {};
  const merged: PartialAwsSettings = { ...current, ...options.given, ...answers };
  for (const name of options.remove ?? []) if (options.given[name] === undefined) delete merged[name];
  for (const name of NAMES) if (merged[name] === "") delete merged[name];
  if (merged.s3Root) merged.s3Root = merged.s3Root.replace(/\/+$/, "");
  checkSettings(merged);
  writeSettingsFile(merged, file, options.stack);
  return { file, settings: merged };
}

function program(): Command {
  const command = new Command("flowship configure aws")
    .description(
      "write the AWS settings of the step-functions commands; FLOWSHIP_AWS_* variables override them. Credentials are never stored: the AWS SDK finds them (profile, SSO, environment, role).",
    )
    .helpOption("-h, --help", "print this help");
  for (const name of NAMES) {
    const rule = AWS_SETTINGS[name];
    command.option(`${rule.flag} <value>`, `${rule.label} (env ${rule.env}), e.g. ${rule.example}`);
  }
  command.option(
    "--from-stack <name>",
    "take the settings from the outputs of the stack 'flowship aws stack deploy' made (flags given beside it win)",
  );
  return command;
}

/** The settings of `--from-stack NAME`, in the region of --region or the configured one. */
async function fromStack(name: string, flagRegion: string | undefined) {
  const { STACK_NAME_OR_ID, STACK_SETTINGS, settingsFromStack, stackArnRegion } = await import(
    "../../aws/account/settings-from-stack.js"
  );
  if (!STACK_NAME_OR_ID.test(name)) {
    throw new UsageError(
      `Invalid --from-stack: '${name}'. Give a stack's name (a letter, then letters, digits and hyphens; at most 128) or its ARN.`,
    );
  }
  // A stack's ARN says where the stack is; the configured region may be another one.
  const region = flagRegion ?? stackArnRegion(name) ?? effectiveSettings().region;
  if (!region) {
    throw new UsageError(
      "No AWS region for flowship configure aws --from-stack: give --region, or set AWS_REGION (or FLOWSHIP_AWS_REGION).",
    );
  }
  checkSettings({ region });
  return { ...(await settingsFromStack({ name, region })), provided: STACK_SETTINGS };
}

/** Entry of `flowship configure <what> [flags]`; returns the exit code. */
export async function runConfigure(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === "-h" || what === "--help" || what === undefined) {
    process.stdout.write(
      "Usage: flowship configure aws [options]\n\nRun flowship configure aws --help for the options.\n",
    );
    return what === undefined ? 2 : 0;
  }
  if (what !== "aws") {
    throw new UsageError(`Unknown configure target '${what}': only 'flowship configure aws' exists.`);
  }
  const command = program();
  if (!parseStandalone([command], rest, "flowship configure aws")) return 0;
  const flags = command.opts<Record<AwsSettingName | "fromStack", string | undefined>>();
  const fromFlags = Object.fromEntries(NAMES.filter((n) => flags[n] !== undefined).map((n) => [n, flags[n]]));
  const stack = flags.fromStack ? await fromStack(flags.fromStack, fromFlags.region) : undefined;
  const before = stack ? readSettingsFile(configFilePath()) : {};
  // The settings a stack provides are replaced as a set: the previous stack's that the new one
  // lacks are removed, not mixed in; settings no stack provides (image, webhook…) stay.
  const removed = stack
    ? stack.provided.filter((n) => before[n] !== undefined && !(n in stack.settings) && !(n in fromFlags))
    : [];
  const { file } = await configureAws({
    given: { ...stack?.settings, ...fromFlags },
    // The stack's outputs are the answers: no questions, and no file written with half of them.
    ...(stack ? { interactive: false, remove: removed, stack: stack.stack } : {}),
  });
  if (stack) {
    process.stdout.write(
      `Took ${stack.provided.filter((n) => n in stack.settings).join(", ")} from the outputs of stack ${stack.stack.name} (${stack.status}) in ${stack.stack.region}.\n`,
    );
    if (removed.length > 0) {
      process.stdout.write(
        `Removed ${removed.join(", ")}: stack ${stack.stack.name} does not provide ${removed.length > 1 ? "them" : "it"}.\n`,
      );
    }
  }
  // In NEEDED's order. What the environment gives (FLOWSHIP_AWS_*, AWS_REGION) is not missing:
  // create, run in this environment, finds it.
  const effective = effectiveSettings(file);
  const missing = NEEDED.filter((n) => missingSettings(effective, NEEDED).missing.includes(n));
  process.stdout.write(`Wrote AWS settings to ${file}.\n`);
  if (missing.length > 0) {
    process.stdout.write(
      `Still missing for step-functions create: ${missing.map((n) => `${n} (${AWS_SETTINGS[n].flag})`).join(", ")}.\n`,
    );
  }
  return 0;
}
