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
  type PartialAwsSettings,
  readSettingsFile,
  shownSetting,
  writeSettingsFile,
} from "../../aws/deploy/aws-settings.js";
import { configFilePath } from "../../config.js";
import { UsageError } from "../../errors.js";
import { parseStandalone } from "../standalone-command.js";

const NAMES = Object.keys(AWS_SETTINGS) as AwsSettingName[];
/** What `step-functions create` needs for a flow without schedule or triggerOnFinish. */
const NEEDED: readonly AwsSettingName[] = ["region", "jobQueue", "s3Root", "batchJobRole", "sfnRole"];

export interface ConfigureOptions {
  /** Settings given as flags. */
  given: PartialAwsSettings;
  /** Ask for the others at the terminal. @default process.stdin.isTTY */
  interactive?: boolean;
  file?: string;
}

async function ask(current: PartialAwsSettings, given: PartialAwsSettings): Promise<PartialAwsSettings> {
  const answers: PartialAwsSettings = {};
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    process.stdout.write("AWS settings of flowship (Enter keeps the value in brackets, '-' clears it).\n");
    for (const name of NAMES) {
      if (given[name] !== undefined) continue;
      const rule = AWS_SETTINGS[name];
      const value = current[name];
      const shown = value === undefined ? `e.g. ${rule.example}` : shownSetting(name, value);
      const answer = (
        await rl.question(`${rule.label} [${shown}]: `).catch(() => {
          // Ctrl+C or Ctrl+D at a prompt: stop without writing anything.
          throw new UsageError(
            "Cancelled: 'flowship configure aws'. Nothing was written.",
            "FS_CONFIGURE_CANCELLED",
          );
        })
      ).trim();
      if (answer === "-") answers[name] = "";
      else if (answer !== "") answers[name] = answer;
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
  for (const name of NAMES) if (merged[name] === "") delete merged[name];
  if (merged.s3Root) merged.s3Root = merged.s3Root.replace(/\/+$/, "");
  checkSettings(merged);
  writeSettingsFile(merged, file);
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

/**
 * The settings a stack's outputs give (its region from --region or the configured one), each
 * output to the setting of the same name (see OUTPUT_SETTINGS).
 */
async function settingsFromStack(name: string, region: string | undefined): Promise<PartialAwsSettings> {
  const [{ stackOutputs }, { OUTPUT_SETTINGS }] = await Promise.all([
    import("../../aws/account/stack-deploy.js"),
    import("../../aws/account/stack-template.js"),
  ]);
  const outputs = await stackOutputs({ name, ...(region ? { region } : {}) });
  const settings: PartialAwsSettings = {};
  for (const [output, value] of Object.entries(outputs)) {
    const setting = OUTPUT_SETTINGS[output as keyof typeof OUTPUT_SETTINGS];
    if (setting !== undefined && setting in AWS_SETTINGS) settings[setting as AwsSettingName] = value;
  }
  return settings;
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
  const fromStack = flags.fromStack
    ? await settingsFromStack(flags.fromStack, fromFlags.region ?? effectiveSettings().region)
    : {};
  const given = { ...fromStack, ...fromFlags };
  const { file, settings } = await configureAws({
    given,
    // The stack's outputs are the answers: no questions, and no file written with half of them.
    ...(flags.fromStack ? { interactive: false } : {}),
  });
  if (flags.fromStack) {
    process.stdout.write(
      `Took ${Object.keys(fromStack).join(", ")} from the outputs of stack ${flags.fromStack}.\n`,
    );
  }
  const missing = NEEDED.filter((n) => !settings[n]);
  process.stdout.write(`Wrote AWS settings to ${file}.\n`);
  if (missing.length > 0) {
    process.stdout.write(
      `Still missing for step-functions create: ${missing.map((n) => `${n} (${AWS_SETTINGS[n].flag})`).join(", ")}.\n`,
    );
  }
  return 0;
}
