/**
 * `step-functions simulate`: executes a flow's *compiled* state machine on this machine with
 * aws-local-stepfunctions. Every Batch job runs the job definition's exact command (the bootstrap)
 * in a container-like sandbox (container-sandbox.ts) with only the environment Batch would give
 * it and credentials served as the ECS endpoint serves them, against the local datastore or S3;
 * Map concurrency, Retry and Catch are applied by the state machine as AWS would. The code package
 * is built and uploaded exactly as `create` does, so what is tested is what would ship.
 */
import fs from "node:fs";
import "./polyfill.js";
import type { StateMachine } from "aws-local-stepfunctions";
import { FlowStore } from "../../datastore/flow-store.js";
import type { Storage } from "../../datastore/storage.js";
import type { FlowGraph } from "../../graph/flow-graph.js";
import type { CompiledFlow } from "../../run/compile-flow.js";
import type { StepFunctionsCompileOptions } from "../compile/compile-options.js";
import { compileStepFunctions, type StepFunctionsDeployment } from "../compile/compile-step-functions.js";
import type { JobDefinitionInput } from "../compile/job-definition.js";
import { deployedTaskEnvironment } from "../deploy/task-settings.js";
import { shipCodePackage } from "../package/ship-code-package.js";
import { resolveSandbox, type SandboxKind } from "./container-sandbox.js";
import { startCredentialsEndpoint } from "./credentials-endpoint.js";
import { type DistributedMapHost, withDistributedMaps } from "./distributed-map.js";
import {
  type AslState,
  SimulationError,
  storageKey,
  type TaskHandler,
  type TaskHandlerContext,
  taskHandlers,
} from "./task-handlers.js";
import { withTimerLimits } from "./timer-limits.js";

export { SimulationError };

export interface SimulateOptions {
  graph: FlowGraph;
  /** The flow compiled with the S3 backend (compileFlow({ withS3: true })). */
  compiled: CompiledFlow;
  storage: Storage;
  /** The folder whose files the code package may ship. @default defaultSourceRoot(flow file) */
  sourceRoot?: string;
  /** Datastore root as the job sees it: a folder or `s3://bucket/prefix`. */
  datastoreRoot: string;
  /** The execution input, e.g. `{ Parameters: "{\"alpha\": 0.5}" }`. */
  input: unknown;
  executionName: string;
  /**
   * The compile options as `create` would deploy with them (`maxWorkers`, the foreach choices,
   * `withDecorators`, `compute`), carried whole to the compiler; the job queue, datastore root
   * and code package are the simulation's. @default {}
   */
  compile?: StepFunctionsCompileOptions;
  /** The production token: runs land in namespace `production:<token>`. */
  token: string;
  /** Tags every run gets, as `create --tag` gives them. @default [] */
  tags?: readonly string[];
  /** For a flow with a project: the branch the run is in. */
  projectBranch?: string;
  /** Environment of every simulated container on top of the job definition's (S3 endpoint). */
  containerEnv?: Record<string, string>;
  /** Scale factor for Retry intervals (tests use a small one). @default 1 */
  retryIntervalScale?: number;
  /** Where jobs run: bubblewrap, or a plain process (auto: bubblewrap when it works). @default "auto" */
  sandbox?: SandboxKind;
  /** Host files shown read-only at another path inside the sandbox (tests put stubs over npx). */
  overlays?: readonly (readonly [string, string])[];
  /** See ExecuteDefinitionOptions.throttleSubmits. @default 0 */
  throttleSubmits?: number;
  print?: (line: string, stream: "stdout" | "stderr") => void;
}

export interface SimulationResult {
  runId: string;
  status: "SUCCEEDED" | "FAILED";
  error?: string;
  /** State transitions (entered states) as AWS would bill them. */
  transitions: number;
  /** Batch jobs run, including retries. */
  jobs: number;
  deployment: StepFunctionsDeployment;
}

/**
 * Step Functions refuses to start an execution under a name its state machine has used
 * (ExecutionAlreadyExists); so does the simulation, rather than write a second run into the
 * folder of the first.
 */
async function refuseUsedName(storage: Storage, flow: string, executionName: string, root: string) {
  const runId = `sfn-${executionName}`;
  if ((await new FlowStore({ storage, flow }).listRunFolder(runId)).length === 0) return;
  throw new SimulationError(
    "FS_SIMULATE_EXECUTION_EXISTS",
    `Execution already exists: '${flow}/${runId}' in ${root}. Step Functions refuses a second execution of one name (ExecutionAlreadyExists): give another execution name, or leave it out for a new one.`,
    { exitCode: 2 },
  );
}

/**
 * The executions this process is simulating, by datastore root, flow and name: the datastore shows
 * a run only once its start step has recorded it, so two simulations of one name started together
 * (from code) would both pass refuseUsedName and write one run.
 */
const simulating = new Set<string>();

/** Builds and uploads the code package, compiles the deployment, and executes it. */
export async function simulateExecution(options: SimulateOptions): Promise<SimulationResult> {
  const flow = options.graph.flow;
  const name = JSON.stringify([options.datastoreRoot, flow.name, options.executionName]);
  if (simulating.has(name)) {
    throw new SimulationError(
      "FS_SIMULATE_EXECUTION_EXISTS",
      `Execution already exists: '${flow.name}/sfn-${options.executionName}' is being simulated in ${options.datastoreRoot}. Step Functions refuses a second execution of one name (ExecutionAlreadyExists): give another execution name, or leave it out for a new one.`,
      { exitCode: 2 },
    );
  }
  simulating.add(name);
  try {
    return await simulateNamed(options);
  } finally {
    simulating.delete(name);
  }
}

async function simulateNamed(options: SimulateOptions): Promise<SimulationResult> {
  const flow = options.graph.flow;
  await refuseUsedName(options.storage, flow.name, options.executionName, options.datastoreRoot);
  const { code } = await shipCodePackage({
    flow,
    compiled: options.compiled,
    storage: options.storage,
    ...(options.sourceRoot === undefined ? {} : { sourceRoot: options.sourceRoot }),
  });
  const deployment = compileStepFunctions(options.graph, {
    ...options.compile,
    jobQueue: "simulated-queue",
    datastoreRoot: options.datastoreRoot.startsWith("s3://")
      ? options.datastoreRoot
      : "s3://simulated-bucket/flowship",
    job: code,
  });
  // The job definition exactly as `create` registers it.
  const result = await executeDefinition({
    ...options,
    flowName: flow.name,
    definition: deployment.definition,
    jobDefinition: {
      ...deployment.jobDefinitions[0]!,
      containerProperties: {
        ...deployment.jobDefinitions[0]!.containerProperties,
        environment: [
          ...deployment.jobDefinitions[0]!.containerProperties.environment,
          ...deployedTaskEnvironment({
            token: options.token,
            ...(options.tags ? { tags: options.tags } : {}),
            ...(options.projectBranch ? { projectBranch: options.projectBranch } : {}),
            ...(options.compile?.withDecorators ? { withDecorators: options.compile.withDecorators } : {}),
          }),
        ],
      },
    },
  });
  return { ...result, deployment };
}

export interface ExecuteDefinitionOptions {
  flowName: string;
  /** A state machine definition as deployed (e.g. what CreateStateMachine received). */
  definition: unknown;
  /** The job definition its Batch states submit to (what RegisterJobDefinition received). */
  jobDefinition: Pick<JobDefinitionInput, "containerProperties">;
  storage: Storage;
  /** Datastore root as the job sees it: a folder or `s3://bucket/prefix`. */
  datastoreRoot: string;
  input: unknown;
  executionName: string;
  containerEnv?: Record<string, string>;
  retryIntervalScale?: number;
  sandbox?: SandboxKind;
  overlays?: readonly (readonly [string, string])[];
  /**
   * Fail the first N submits of every Batch Task (per task) with `Batch.AWSBatchException`, as
   * AWS Batch does when it throttles: the state's Retry handles them. For tests. @default 0
   */
  throttleSubmits?: number;
  print?: (line: string, stream: "stdout" | "stderr") => void;
}

/** Executes a deployed definition: every Batch job runs its container command on this machine. */
export async function executeDefinition(
  options: ExecuteDefinitionOptions,
): Promise<Omit<SimulationResult, "deployment">> {
  const context = handlerContext(options);
  const { handlers, retryIntervalOverrides } = taskHandlers(
    options.definition as { States: Record<string, AslState> },
    context,
    options.retryIntervalScale ?? 1,
  );
  const counter = { transitions: 0 };
  const distributed = await withDistributedMaps(withTimerLimits(options.definition), {
    ...distributedMapStorage(options),
    runOptions: { overrides: { taskResourceLocalHandlers: handlers as any, retryIntervalOverrides } },
    onChildEvent: (event) => {
      if (event.type === "StateEntered") counter.transitions++;
    },
  });
  Object.assign(handlers, distributed.handlers);
  const { StateMachine } = await import("aws-local-stepfunctions");
  const machine = new StateMachine(distributed.definition, {
    validationOptions: { checkPaths: false, checkArn: false },
  });
  // Started last, so nothing before the execution can fail and leave it listening.
  const credentials = await startCredentialsEndpoint();
  context.credentialsEnv = credentials.env;
  const runId = `sfn-${options.executionName}`;
  try {
    const outcome = await runMachine(machine, options, { handlers, retryIntervalOverrides }, counter);
    return { runId, ...outcome, transitions: counter.transitions, jobs: context.jobs };
  } finally {
    await credentials.close();
  }
}

/** What the Task handlers share: the job's environment, the sandbox, the folders it may write. */
function handlerContext(options: ExecuteDefinitionOptions): TaskHandlerContext {
  const job = options.jobDefinition;
  const jobEnv: Record<string, string> = Object.fromEntries(
    job.containerProperties.environment.map((e) => [e.name, e.value]),
  );
  // The job sees the real datastore root (a local folder is allowed in simulation).
  jobEnv.FLOWSHIP_DATASTORE_ROOT = options.datastoreRoot;
  // A local datastore is the one host folder a simulated job may see (and write).
  const writable = options.datastoreRoot.startsWith("s3://") ? [] : [options.datastoreRoot];
  const sandbox = resolveSandbox(options.sandbox ?? "auto");
  for (const folder of writable) fs.mkdirSync(folder, { recursive: true });
  return {
    job,
    jobEnv,
    sandbox,
    writable,
    storage: options.storage,
    datastoreRoot: options.datastoreRoot,
    ...(options.containerEnv ? { containerEnv: options.containerEnv } : {}),
    ...(options.overlays ? { overlays: options.overlays } : {}),
    throttleSubmits: options.throttleSubmits ?? 0,
    credentialsEnv: {},
    // As `run` does: what a job writes to stdout goes to stdout, the rest to stderr.
    print:
      options.print ??
      ((line, stream) => (stream === "stdout" ? process.stdout : process.stderr).write(`${line}\n`)),
    jobs: 0,
  };
}

/** Where Distributed Maps read their items and write their results: the datastore. */
function distributedMapStorage(
  options: ExecuteDefinitionOptions,
): Pick<DistributedMapHost, "readItems" | "writeResults"> {
  return {
    readItems: async (bucket, key) => {
      const body = await options.storage.read(storageKey(options.datastoreRoot, bucket, key));
      if (!body) throw new Error(`The specified key does not exist: ${key}`);
      const items = JSON.parse(body.toString("utf8")) as unknown;
      if (!Array.isArray(items)) throw new Error(`The items file ${key} does not hold a JSON array.`);
      return items;
    },
    writeResults: async (bucket, prefix, mapRunId, results) => {
      // Step Functions writes a manifest and one file per status under <prefix>/<map run id>/.
      const folder = `${prefix.replace(/\/$/, "")}/${mapRunId}`;
      const key = (name: string) => storageKey(options.datastoreRoot, bucket, `${folder}/${name}`);
      for (const status of ["SUCCEEDED", "FAILED"] as const) {
        const some = results.filter((r) => r.Status === status);
        if (some.length > 0) await options.storage.write(key(`${status}_0.json`), [JSON.stringify(some)]);
      }
      await options.storage.write(key("manifest.json"), [
        JSON.stringify({ DestinationBucket: bucket, MapRunArn: mapRunId }),
      ]);
      return `${folder}/manifest.json`;
    },
  };
}

/** Runs the execution with its context object, counting the states it enters. */
async function runMachine(
  machine: StateMachine,
  options: ExecuteDefinitionOptions,
  overrides: { handlers: Record<string, TaskHandler>; retryIntervalOverrides: Record<string, number[]> },
  counter: { transitions: number },
): Promise<{ status: "SUCCEEDED" } | { status: "FAILED"; error: string }> {
  const startTime = new Date().toISOString();
  const execution = machine.run(options.input as any, {
    overrides: {
      taskResourceLocalHandlers: overrides.handlers as any,
      retryIntervalOverrides: overrides.retryIntervalOverrides,
    },
    context: {
      Execution: {
        Id: `arn:aws:states:local:000000000000:execution:${options.flowName}:${options.executionName}`,
        Name: options.executionName,
        Input: options.input,
        StartTime: startTime,
      },
      StateMachine: {
        Id: `arn:aws:states:local:000000000000:stateMachine:${options.flowName}`,
        Name: options.flowName,
      },
      // aws-local-stepfunctions keeps $$.State.RetryCount at 0; the Batch handler fills in the
      // count per state, and the runtime numbers attempts from the datastore anyway.
      State: { Name: "", EnteredTime: startTime, RetryCount: 0 },
    } as any,
  });
  const counting = (async () => {
    for await (const event of execution.eventLogs as AsyncIterable<{ type: string }>) {
      if (event.type === "StateEntered") counter.transitions++;
    }
  })();
  try {
    await execution.result;
    await counting.catch(() => {});
    return { status: "SUCCEEDED" };
  } catch (error) {
    await counting.catch(() => {});
    const cause = (error as { cause?: Error }).cause;
    return {
      status: "FAILED",
      error: `${cause?.name ?? (error as Error).name}: ${cause?.message ?? (error as Error).message}`,
    };
  }
}
