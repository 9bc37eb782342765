/**
 * `step-functions simulate`: run the flow the way production will — its compiled state machine,
 * its code package, its Batch entrypoint — on this machine, against the local or an S3
 * datastore. Prints the run id; the Client API finds the run in the production namespace.
 */

import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { datastoreLocation } from "../../../aws/batch/datastore-location.js";
import {
  DEFAULT_MAX_WORKERS,
  type StepFunctionsCompileOptions,
} from "../../../aws/compile/compile-options.js";
import { compileStepFunctions } from "../../../aws/compile/compile-step-functions.js";
import { configuredCompute } from "../../../aws/deploy/aws-settings.js";
import { resolveSandbox, SANDBOX_KINDS, type SandboxKind } from "../../../aws/simulate/container-sandbox.js";
import { eventExecutionInput } from "../../../aws/simulate/event-input.js";
import { type SimulationResult, simulateExecution } from "../../../aws/simulate/simulate.js";
import { checkTag } from "../../../client/run-tags.js";
import { currentUser, productionToken, s3Endpoint, s3Root, sdkRegion } from "../../../config.js";
import { codeCacheRoot, openStorage } from "../../../datastore/open-storage.js";
import { FlowshipError, UsageError } from "../../../errors.js";
import { resolveBranch } from "../../../flow/project.js";
import type { FlowSpec } from "../../../flow/types.js";
import { validateFlow } from "../../../graph/validate.js";
import { compileFlow } from "../../../run/compile-flow.js";
import { resolveParameters } from "../../../run/resolve-parameters.js";
import { PRODUCTION_USER } from "../../../run/run-record.js";
import { codeDir } from "../../../runtime/load-flow.js";
import { addBranchOptions, branchChoice } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { collect, decoratorsFromFlags, type GlobalOptions } from "../../options.js";
import { addParameterOptions, type ParameterText } from "../../parameter-options.js";
import { checkRunIdFile } from "../../run-common.js";

import {
  addForeachOptions,
  type CompileFlags,
  describeForeaches,
  foreachCompileOptions,
} from "./foreach-options.js";

interface SimulateFlags extends CompileFlags {
  datastore: "local" | "s3";
  s3Root?: string;
  token?: string;
  executionName?: string;
  runIdFile?: string;
  retryIntervalScale: string;
  sandbox: string;
  tag: string[];
  branch?: string;
  production?: boolean;
  event?: string;
  payload?: string;
  env: string[];
  with: string[];
  sourceRoot?: string;
  [parameter: string]: unknown;
}

/** `NAME=VALUE` of `--env`. */
function parseEnvOption(text: string): [string, string] {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (!match) {
    throw new UsageError(`Invalid --env '${text}': expected NAME=VALUE, e.g. --env LOG_LEVEL=debug.`);
  }
  return [match[1]!, match[2]!];
}

export function registerSimulate(group: Command, context: FlowCommandContext): void {
  const command = addSimulateOptions(group.command("simulate"), context.flow);
  const parameterText = addParameterOptions(command, context.flow, { fromEnvironment: true });
  command.action((flags: SimulateFlags, self: Command) => simulate(context, flags, self, parameterText));
}

function addSimulateOptions(command: Command, flow: FlowSpec): Command {
  addBranchOptions(command, flow)
    .description("execute the compiled state machine locally: each Batch job runs its container command here")
    .option(
      "--max-workers <n>",
      "most foreach iterations running at once (Map MaxConcurrency)",
      String(DEFAULT_MAX_WORKERS),
    )
    .option("--datastore <kind>", "local, or s3 (with --s3-root or FLOWSHIP_S3_ROOT)", "local")
    .option("--s3-root <url>", "S3 datastore root s3://bucket/prefix")
    .option("--token <token>", "production token: runs land in namespace production:<token>")
    .option("--execution-name <name>", "execution name; the run id is sfn-<name>")
    .option("--run-id-file <file>", "write the run id to this file")
    .option("--retry-interval-scale <x>", "multiply Retry intervals (e.g. 0.01 to test quickly)", "1")
    .option(
      "--sandbox <kind>",
      "where each job's command runs: bubblewrap (no project files, no registry), none (a plain process), or auto",
      "auto",
    )
    .option(
      "--tag <tag>",
      "a tag every production run gets, as create --tag gives it (repeatable)",
      collect,
      [],
    )
    .option(
      "--env <name=value>",
      "a variable every job gets, as your image would set it (repeatable); nothing else of this shell reaches the jobs",
      collect,
      [],
    )
    .option("--with <decorator>", "add a decorator to every step that has none of its kind", collect, [])
    .option(
      "--source-root <dir>",
      "the project folder whose sources the code package ships (default: the current folder when it holds the flow file, else the flow file's folder)",
    );
  addForeachOptions(command);
  if (flow.decorators.some((d) => d.kind === "trigger")) {
    command
      .option(
        "--event <name>",
        "start the run as this trigger({ event }) would, from an event with --payload",
      )
      .option("--payload <json>", "with --event: the event's payload, as flowship event send puts it", "{}");
  }
  return command;
}

/** Checks the flags, compiles as `create` would, and executes the state machine here. */
async function simulate(
  context: FlowCommandContext,
  flags: SimulateFlags,
  self: Command,
  parameterText: (parsed: Record<string, unknown>) => ParameterText,
): Promise<void> {
  checkRunIdFile(flags.runIdFile);
  const globals = context.globals();
  const graph = validateFlow(context.flow);
  const parameters = parameterText(flags);
  const project = resolveBranch(context.flow, branchChoice(context.flow, flags), currentUser());
  const token = flags.token ?? productionToken() ?? context.flow.name.toLowerCase();
  // Typed and checked exactly like `run`; the execution input carries what was given.
  const values = await resolveParameters(
    context.flow,
    { ...parameters, includeBase: path.dirname(path.resolve(context.file)) },
    { user: PRODUCTION_USER, namespace: `production:${token}`, ...(project ? { project } : {}) },
  );
  const root = datastoreRoot(flags, globals);
  const foreach = foreachCompileOptions(flags, self, context.flow);
  const sandbox = checkedSandbox(flags.sandbox);
  for (const tag of flags.tag) checkTag(tag);
  const imageEnv = Object.fromEntries(flags.env.map(parseEnvOption));
  // Resources as the configured compute gets them: Fargate refuses what it cannot run.
  const compile: StepFunctionsCompileOptions = {
    ...foreach,
    withDecorators: decoratorsFromFlags(globals, flags.with),
    compute: configuredCompute(),
  };
  // The parameters must fit where they travel on AWS, as `trigger` checks: the execution input
  // and the start step's Batch container overrides.
  const { stats, foreaches } = compileStepFunctions(graph, compile);
  for (const line of describeForeaches(foreaches)) process.stderr.write(`${line}\n`);
  const input = await executionInputOf(context, flags, parameters, values, stats.parametersBudgetChars);
  // On an S3 datastore the compiled code goes to the user's cache, not the current folder.
  const compiled = await compileFlow({
    file: context.file,
    outDir: codeDir(codeCacheRoot(datastoreLocation(root))),
    withS3: true,
  });
  const executionName = flags.executionName ?? `local-${Date.now()}`;
  process.stderr.write(
    `Simulating ${context.flow.name} on Step Functions: run sfn-${executionName} in production:${token}\n`,
  );
  if (flags.runIdFile) fs.writeFileSync(flags.runIdFile, `sfn-${executionName}`);
  const result = await simulateExecution({
    graph,
    compiled,
    storage: await openStorage(datastoreLocation(root)),
    datastoreRoot: root,
    ...(flags.sourceRoot === undefined ? {} : { sourceRoot: flags.sourceRoot }),
    input,
    executionName,
    compile,
    sandbox,
    token,
    tags: flags.tag,
    ...(project ? { projectBranch: project.branch } : {}),
    // What a real job would not need: where this machine's S3-compatible store is.
    containerEnv: {
      ...imageEnv,
      ...(s3Endpoint() ? { FLOWSHIP_S3_ENDPOINT: s3Endpoint()! } : {}),
      ...(sdkRegion() ? { AWS_REGION: sdkRegion()! } : {}),
    },
    retryIntervalScale: Number(flags.retryIntervalScale),
  });
  report(context.flow.name, result);
}

/** The datastore root the jobs see: a local folder, or the S3 root of `--datastore s3`. */
function datastoreRoot(flags: SimulateFlags, globals: GlobalOptions): string {
  const root = flags.datastore === "s3" ? (flags.s3Root ?? s3Root()) : globals.datastoreRoot;
  if (!root || (flags.datastore === "s3" && !root.startsWith("s3://"))) {
    throw new UsageError(
      "Missing S3 datastore root for --datastore s3: pass --s3-root s3://bucket/prefix or set FLOWSHIP_S3_ROOT.",
    );
  }
  return root;
}

/** `--sandbox`, checked and resolved; running without one is said on stderr. */
function checkedSandbox(requested: string): "bubblewrap" | "none" {
  if (!(SANDBOX_KINDS as readonly string[]).includes(requested)) {
    throw new UsageError(`Invalid --sandbox '${requested}': expected ${SANDBOX_KINDS.join(", ")}.`);
  }
  const sandbox = resolveSandbox(requested as SandboxKind);
  if (sandbox === "none") {
    const why = requested === "none" ? "--sandbox none" : "bubblewrap is not available";
    process.stderr.write(
      `warning: jobs run without a sandbox (${why}): they get the job's environment and an empty folder, but can see this machine's files.\n`,
    );
  }
  return sandbox;
}

/** The execution input: the parameters given, or with `--event` what the event's trigger sends. */
async function executionInputOf(
  context: FlowCommandContext,
  flags: SimulateFlags,
  { text, sources }: ParameterText,
  values: Record<string, unknown>,
  parametersBudgetChars: number,
): Promise<object> {
  const { executionInput } = await import("../../../aws/deploy/trigger.js");
  const fromFlags = Object.keys(text).filter((name) => sources[name] === undefined);
  if (flags.event !== undefined && fromFlags.length > 0) {
    throw new UsageError(
      `--event takes the parameters from the event: drop ${fromFlags.map((n) => `--${n}`).join(", ")} (or put them in --payload).`,
    );
  }
  if (flags.event !== undefined) {
    return eventExecutionInput(context.flow, flags.event, flags.payload ?? "{}", sdkRegion() ?? "us-east-1");
  }
  const given = Object.fromEntries(Object.keys(text).map((name) => [name, values[name]]));
  return JSON.parse(executionInput(context.flow.name, given, parametersBudgetChars)) as object;
}

function report(flow: string, result: SimulationResult): void {
  process.stderr.write(
    `Execution ${result.status === "SUCCEEDED" ? "succeeded" : "failed"}: run ${flow}/${result.runId}, ${result.jobs} Batch jobs, ${result.transitions} state transitions.\n`,
  );
  if (result.status !== "SUCCEEDED") {
    throw new FlowshipError(
      "FS_SIMULATE_FAILED",
      `Simulated execution of '${flow}' failed: ${result.error}.`,
    );
  }
}
