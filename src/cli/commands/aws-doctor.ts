/**
 * `flowship aws doctor [--deployer ARN]`: checks the configured AWS account before anything is
 * deployed and prints one line per check as it ends (✔ fine, ✘ failed with its fix, ! worth a
 * look, - not checked); exit 1 when any check failed. The checks are in src/aws/account/doctor/.
 */
import { Command } from "commander";
import type { CheckResult, CheckStatus } from "../../aws/account/doctor/check-result.js";
import { runDoctor } from "../../aws/account/doctor/doctor.js";
import { UsageError } from "../../errors.js";
import { parseStandalone } from "../standalone-command.js";

const SYMBOLS: Record<CheckStatus, string> = { ok: "✔", fail: "✘", warn: "!", skip: "-" };

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(user|role|group)\/[\w+=,.@/-]{1,512}$/;

function program(): Command {
  return new Command("flowship aws doctor")
    .description(
      "check the AWS account the step-functions commands deploy to (settings: FLOWSHIP_AWS_* over the file of 'flowship configure aws'), before anything is deployed: credentials and region, the S3 root's bucket (region, encryption), the Batch job queue and its compute environments, each IAM role and whom it trusts, what the deployer and the roles may do (IAM policy simulation), the image. Reads only. Exit 1 when a check fails.",
    )
    .option(
      "--deployer <arn>",
      "the IAM user or role whose permissions to check as the deployer's (default: the caller's)",
    )
    .helpOption("-h, --help", "print this help");
}

/** A result as its line: symbol, subject, what was found and, when there is one, the fix. */
export function formatResult(result: CheckResult): string {
  const fix = result.remedy ? ` Fix: ${result.remedy}.` : "";
  return `${SYMBOLS[result.status]} ${result.subject}: ${result.found}.${fix}`;
}

/** Entry of `flowship aws doctor [flags]`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const command = program();
  if (!parseStandalone([command], argv, "flowship aws doctor")) return 0;
  const { deployer } = command.opts<{ deployer?: string }>();
  if (deployer !== undefined && !ROLE_ARN.test(deployer)) {
    throw new UsageError(
      `Invalid --deployer: '${deployer}'. Give the ARN of an IAM user or role, e.g. arn:aws:iam::123456789012:role/ci-deployer.`,
    );
  }
  const results = await runDoctor({
    ...(deployer ? { deployer } : {}),
    onResult: (result) => process.stdout.write(`${formatResult(result)}\n`),
  });
  const failed = results.filter((r) => r.status === "fail").length;
  const warned = results.filter((r) => r.status === "warn").length;
  process.stdout.write(
    failed > 0
      ? `\n${failed} check${failed > 1 ? "s" : ""} failed: fix ${failed > 1 ? "them" : "it"} and run flowship aws doctor again.\n`
      : `\nThe account is ready for step-functions create${warned > 0 ? ` (${warned} warning${warned > 1 ? "s" : ""})` : ""}.\n`,
  );
  return failed > 0 ? 1 : 0;
}
