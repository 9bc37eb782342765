/**
 * `Deployer(…).stepFunctions().simulate()`: the programmatic `step-functions simulate`. The same
 * steps as the CLI — parameters typed and checked as `run` checks them and sent in the execution
 * input, the state machine compiled as `create` would, the code package built, each Batch job's
 * command run in the sandbox — then the run read back through the Client API.
 */
import path from "node:path";
import { datastoreLocation } from "../aws/batch/datastore-location.js";
import type { StepFunctionsCompileOptions } from "../aws/compile/compile-options.js";
import { compileStepFunctions } from "../aws/compile/compile-step-functions.js";
import { configuredCompute } from "../aws/deploy/aws-settings.js";
import { resolveSandbox, SANDBOX_KINDS } from "../aws/simulate/container-sandbox.js";
import { type SimulationResult, simulateExecution } from "../aws/simulate/simulate.js";
import { Run } from "../client/run.js";
import { checkTag } from "../client/run-tags.js";
import { currentUser, productionToken, s3Endpoint, sdkRegion } from "../config.js";
import {
  codeCacheRoot,
  type DatastoreLocation,
  openStorage,
  resolveDatastore,
} from "../datastore/open-storage.js";
import { resolveBranch } from "../flow/project.js";
import type { FlowSpec } from "../flow/types.js";
import { validateFlow } from "../graph/validate.js";
import { resolveParameters } from "../run/resolve-parameters.js";
import { badOption, branchOptionNames, choiceOption } from "./check-options.js";
import type { SimulateOptions } from "./deployer.js";
import { RunFailedError } from "./errors.js";
import { type FlowInput, loadFlowInput } from "./flow-source.js";
import { givenValues } from "./parameters.js";

export interface SimulateFlowOptions extends SimulateOptions {
  flow: FlowInput;
  file: string;
  parameters: object | undefined;
  branch?: string;
  production?: boolean;
  /** The compile options, checked, as `create()` would deploy with them; the compute is the configured one. */
  compile: StepFunctionsCompileOptions;
  tags: readonly string[];
  sourceRoot?: string;
}

/** How messages name the call whose options these are. */
const CALL = "simulate()";

export async function simulateFlow<A extends object>(options: SimulateFlowOptions): Promise<Run<A>> {
  for (const tag of options.tags) checkTag(tag);
  const requested = choiceOption(CALL, "sandbox", options.sandbox, SANDBOX_KINDS) ?? "auto";
  const scale = options.retryIntervalScale ?? 1;
  if (!Number.isFinite(scale) || scale < 0) {
    throw badOption(CALL, "retryIntervalScale", scale, "a number of 0 or more");
  }
  const datastore = options.datastoreRoot?.startsWith("s3://")
    ? datastoreLocation(options.datastoreRoot)
    : resolveDatastore({ kind: "local", ...(options.datastoreRoot ? { root: options.datastoreRoot } : {}) });
  // The tasks run as on AWS Batch, with the S3 backend in their bundle.
  const { flow, compiled } = await loadFlowInput(options.flow, {
    codeRoot: codeCacheRoot(datastore),
    withS3: true,
  });
  const graph = validateFlow(flow);
  const sent = await sentParameters(flow, options);
  const project = projectOf(flow, options);
  const compile = { ...options.compile, compute: configuredCompute() };
  // The parameters must fit where they travel on AWS, as `trigger` checks.
  const { stats } = compileStepFunctions(graph, compile);
  const { executionInput } = await import("../aws/deploy/trigger.js");
  const input = JSON.parse(executionInput(flow.name, sent, stats.parametersBudgetChars)) as object;
  const print = (line: string, stream: "stdout" | "stderr") => {
    if (options.showOutput) (stream === "stdout" ? process.stdout : process.stderr).write(`${line}\n`);
  };
  const sandbox = resolveSandbox(requested, `sandbox: "none"`);
  const executionName = options.executionName ?? `local-${Date.now()}`;
  const token = options.token ?? productionToken() ?? flow.name.toLowerCase();
  print(
    `Simulating ${flow.name} on Step Functions: run sfn-${executionName} in production:${token}, ${sandbox === "none" ? "jobs without a sandbox" : `jobs in the ${sandbox} sandbox`}${requested === "auto" ? ` (sandbox "auto")` : ""}`,
    "stderr",
  );
  if (sandbox === "none" && requested === "auto") warnNoSandbox();
  const result = await simulateExecution({
    graph,
    compiled,
    storage: await openStorage(datastore),
    datastoreRoot: datastore.root,
    ...(options.sourceRoot === undefined ? {} : { sourceRoot: options.sourceRoot }),
    input,
    executionName,
    compile,
    sandbox,
    token,
    tags: options.tags,
    ...(project ? { projectBranch: project.branch } : {}),
    containerEnv: {
      ...options.env,
      ...(s3Endpoint() ? { FLOWSHIP_S3_ENDPOINT: s3Endpoint()! } : {}),
      ...(sdkRegion() ? { AWS_REGION: sdkRegion()! } : {}),
    },
    retryIntervalScale: scale,
    print,
  });
  return simulatedRun<A>(`${flow.name}/${result.runId}`, result, datastore);
}

/** The parameters the execution input sends: those given, typed and checked as `run` checks them. */
async function sentParameters(
  flow: FlowSpec,
  options: SimulateFlowOptions,
): Promise<Record<string, unknown>> {
  const given = givenValues(flow, options.parameters);
  const values = await resolveParameters(
    flow,
    { ...given, includeBase: path.dirname(path.resolve(options.file)) },
    { user: "step-functions" },
  );
  return Object.fromEntries(
    [...Object.keys(given.text), ...Object.keys(given.json)].map((name) => [name, values[name]]),
  );
}

function projectOf(flow: FlowSpec, options: SimulateFlowOptions) {
  return resolveBranch(
    flow,
    {
      ...(options.branch === undefined ? {} : { branch: options.branch }),
      ...(options.production ? { production: true } : {}),
    },
    currentUser(),
    branchOptionNames(CALL),
  );
}

/** The finished run, read back through the Client API; a failed execution is a RunFailedError. */
async function simulatedRun<A extends object>(
  pathspec: string,
  result: SimulationResult,
  datastore: DatastoreLocation,
): Promise<Run<A>> {
  const run = await Run.get<A>(pathspec, { datastore, namespace: null }).catch(() => undefined);
  if (result.status === "SUCCEEDED" && run) return run;
  throw new RunFailedError({
    pathspec,
    // The failed task's error says what went wrong; Step Functions' only that a job exited non-zero.
    reason: run?.failureReason ?? result.error ?? "its run was not recorded",
    simulated: true,
    ...(run ? { run } : {}),
  });
}

let warnedNoSandbox = false;

/**
 * "auto" found no bubblewrap: the jobs see this machine's files, which a real container would not
 * show them. Said once per process, as a Node warning, whether or not output is shown.
 */
function warnNoSandbox(): void {
  if (warnedNoSandbox) return;
  warnedNoSandbox = true;
  process.emitWarning(
    "simulate() runs jobs without a sandbox: bubblewrap is not available here. They get the job's environment and an empty folder, but can see this machine's files; install bubblewrap to keep them apart.",
    { code: "FS_SIMULATE_NO_SANDBOX" },
  );
}
