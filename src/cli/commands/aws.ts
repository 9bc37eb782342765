/**
 * `flowship aws <command>`: setting up the AWS account flowship deploys into, outside any flow.
 * Each command lives in its own file and is loaded only when called (the AWS SDK stays off every
 * other path); to add one, add its entry to {@link AWS_COMMANDS} — `doctor` goes in
 * `aws-doctor.ts` with the same `run(argv)` shape.
 */
import { UsageError } from "../../errors.js";

/** What an `aws` command's module exports. */
export interface AwsCommandModule {
  /** Runs the command on the arguments after its name; returns the exit code. */
  run(argv: string[]): Promise<number>;
}

/** The `aws` commands, with the one-line summary `flowship aws --help` shows. */
export const AWS_COMMANDS: Record<string, { summary: string; load: () => Promise<AwsCommandModule> }> = {
  stack: {
    summary: "print, deploy or delete the CloudFormation stack of an account (Batch, VPC, bucket, roles)",
    load: () => import("./aws-stack.js"),
  },
  doctor: {
    summary:
      "check the configured account before deploying: credentials, bucket, queue, roles, permissions, image",
    load: () => import("./aws-doctor.js"),
  },
};

function help(): string {
  const width = Math.max(...Object.keys(AWS_COMMANDS).map((name) => name.length));
  const rows = Object.entries(AWS_COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return `Usage: flowship aws <command> [options]

Set up the AWS account flows are deployed into.

Commands:
${rows.join("\n")}

Run flowship aws <command> --help for its options.
`;
}

/** Entry of `flowship aws …`; returns the exit code. */
export async function runAws(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(help());
    return name === undefined ? 2 : 0;
  }
  const command = AWS_COMMANDS[name];
  if (!command) {
    throw new UsageError(
      `Unknown command 'flowship aws ${name}': expected one of ${Object.keys(AWS_COMMANDS).join(", ")}. Run flowship aws --help.`,
    );
  }
  return (await command.load()).run(rest);
}
