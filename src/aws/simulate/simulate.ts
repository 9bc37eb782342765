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
import { FlowStore } from "../../datastore/flow-store.js";
import type { Storage } from "../../datastore/storage.js";
import { FlowshipError } from "../../errors.js";
import type { StepDecorator } from "../../flow/decorators.js";
import type { FlowGraph } from "../../graph/flow-graph.js";
import type { CompiledFlow } from "../../runtime/compile-flow.js";
import { includedFiles } from "../../runtime/resolve-parameters.js";
import type { ComputeKind, DistributedMapSetting } from "../compile/compile-options.js";
import { compileStepFunctions, type StepFunctionsDeployment } from "../compile/compile-step-functions.js";
import type { JobDefinitionInput } from "../compile/job-definition.js";
import { TASK_ENV } from "../compile/task-environment.js";
import { deployedTaskEnvironment } from "../deploy/task-settings.js";
import { buildCodePackage, defaultSourceRoot } from "../package/code-package.js";
import { uploadCodePackage } from "../package/code-package-store.js";
import { IMAGE_PATH, resolveSandbox, runContainerCommand, type SandboxKind } from "./container-sandbox.js";
import { startCredentialsEndpoint } from "./credentials-endpoint.js";
import { withDistributedMaps } from "./distributed-map.js";
import { withTimerLimits } from "./timer-limits.js";

/** A registry address nothing listens on: port 4 on loopback is unassigned and not one fetch refuses to try. */
const CLOSED_REGISTRY = "http://127.0.0.1:4/";

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
  maxWorkers?: number;
  distributedMap?: DistributedMapSetting;
  maxForeachWidth?: number;
  withDecorators?: readonly StepDecorator[];
  /** The compute kind `create` would deploy for: a step's resources as Fargate would get them. @default "ec2" */
  compute?: ComputeKind;
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

export class SimulationError extends FlowshipError {}

type AslState = Record<string, any> & { Type: string };

/** Every state of the definition, nested ones (Parallel branches, Map processors) included. */
function allStates(
  states: Record<string, AslState>,
  found = new Map<string, AslState>(),
): Map<string, AslState> {
  for (const [name, state] of Object.entries(states)) {
    found.set(name, state);
    for (const branch of state.Branches ?? []) allStates(branch.States, found);
    if (state.ItemProcessor) allStates(state.ItemProcessor.States, found);
    if (state.Iterator) allStates(state.Iterator.States, found);
  }
  return found;
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

/** Builds and uploads the code package, compiles the deployment, and executes it. */
export async function simulateExecution(options: SimulateOptions): Promise<SimulationResult> {
  const flow = options.graph.flow;
  await refuseUsedName(options.storage, flow.name, options.executionName, options.datastoreRoot);
  const pkg = await buildCodePackage({
    flow: flow.name,
    flowFile: options.compiled.source,
    bundlePath: options.compiled.bundle,
    sourceRoot: options.sourceRoot ?? defaultSourceRoot(options.compiled.source),
    inputs: options.compiled.inputs,
    required: includedFiles(flow, options.compiled.source),
  });
  const stored = await uploadCodePackage(options.storage, pkg);
  const deployment = compileStepFunctions(options.graph, {
    jobQueue: "simulated-queue",
    datastoreRoot: options.datastoreRoot.startsWith("s3://")
      ? options.datastoreRoot
      : "s3://simulated-bucket/flowship",
    ...(options.maxWorkers !== undefined ? { maxWorkers: options.maxWorkers } : {}),
    ...(options.distributedMap !== undefined ? { distributedMap: options.distributedMap } : {}),
    ...(options.maxForeachWidth !== undefined ? { maxForeachWidth: options.maxForeachWidth } : {}),
    ...(options.withDecorators ? { withDecorators: options.withDecorators } : {}),
    ...(options.compute ? { compute: options.compute } : {}),
    job: { codePackageUrl: stored.url, codePackageSha256: pkg.sha256 },
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
          ...deployedTaskEnvironment(options),
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
  // As `run` does: what a job writes to stdout goes to stdout, the rest to stderr.
  const print =
    options.print ??
    ((line: string, stream: "stdout" | "stderr") =>
      (stream === "stdout" ? process.stdout : process.stderr).write(`${line}\n`));
  const job = options.jobDefinition;
  const jobEnv: Record<string, string> = Object.fromEntries(
    job.containerProperties.environment.map((e) => [e.name, e.value]),
  );
  // The job sees the real datastore root (a local folder is allowed in simulation).
  jobEnv.FLOWSHIP_DATASTORE_ROOT = options.datastoreRoot;
  const sandbox = resolveSandbox(options.sandbox ?? "auto");
  // A local datastore is the one host folder a simulated job may see (and write).
  const writable = options.datastoreRoot.startsWith("s3://") ? [] : [options.datastoreRoot];
  for (const folder of writable) fs.mkdirSync(folder, { recursive: true });
  // Submits per state and task: what $$.State.RetryCount is on AWS (aws-local-stepfunctions keeps
  // it at 0), throttled submits included.
  const submits = new Map<string, number>();
  const definition = options.definition as { States: Record<string, AslState> };
  const handlers: Record<string, (input: any) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number[]> = {};
  let jobs = 0;
  for (const [name, state] of allStates(definition.States)) {
    if (state.Type !== "Task") continue;
    if (String(state.Resource).includes(":batch:submitJob")) {
      handlers[name] = async (input: {
        ContainerOverrides?: { Environment?: { Name: string; Value: string }[] };
      }) => {
        const overrides = Object.fromEntries(
          (input.ContainerOverrides?.Environment ?? []).map((e) => [e.Name, e.Value]),
        );
        const key = `${name}/${overrides[TASK_ENV.taskId]}`;
        const retryCount = submits.get(key) ?? 0;
        submits.set(key, retryCount + 1);
        if (TASK_ENV.attempt in overrides) overrides[TASK_ENV.attempt] = String(retryCount);
        if (retryCount < (options.throttleSubmits ?? 0)) {
          const error = new Error("Too Many Requests (throttled by the simulation)");
          error.name = "Batch.AWSBatchException";
          throw error;
        }
        jobs++;
        // What Batch gives a container: the image's PATH, the job definition's variables, the
        // state's overrides, its own AWS_BATCH_* variables and the credentials endpoint.
        const code = await runContainerCommand(sandbox, {
          command: job.containerProperties.command,
          env: {
            PATH: IMAGE_PATH,
            ...jobEnv,
            ...options.containerEnv,
            ...overrides,
            AWS_BATCH_JOB_ID: `sim-${jobs}`,
            AWS_BATCH_JOB_ATTEMPT: "1",
            AWS_BATCH_JQ_NAME: "simulated-queue",
            ...credentials.env,
            // Not Batch's, but the simulation's promise: a job that asks npm for anything fails,
            // as it would where no registry is reachable (the sandbox shares the host's network
            // for S3 on loopback, so the registry is closed this way).
            npm_config_registry: CLOSED_REGISTRY,
          },
          writable,
          ...(options.overlays ? { overlays: options.overlays } : {}),
          print,
        });
        if (code !== 0) {
          const error = new Error(`Essential container in task exited with code ${code}`);
          error.name = "States.TaskFailed";
          throw error;
        }
        return { JobId: `sim-${jobs}`, Status: "SUCCEEDED" };
      };
    } else if (String(state.Resource).includes(":s3:getObject")) {
      handlers[name] = async (input: { Bucket: string; Key: string }) => {
        const key = storageKey(options.datastoreRoot, input.Bucket, input.Key);
        const body = await options.storage.read(key);
        if (!body) {
          const error = new Error(`The specified key does not exist: ${input.Key}`);
          error.name = "S3.NoSuchKeyException";
          throw error;
        }
        return { Body: body.toString("utf8") };
      };
    }
    const scale = options.retryIntervalScale ?? 1;
    if (scale !== 1 && state.Retry) {
      retryIntervalOverrides[name] = (
        state.Retry as { IntervalSeconds?: number; MaxAttempts?: number }[]
      ).flatMap((r) =>
        Array.from({ length: r.MaxAttempts ?? 3 }, () => Math.round((r.IntervalSeconds ?? 1) * 1000 * scale)),
      );
    }
  }
  let transitions = 0;
  const distributed = await withDistributedMaps(withTimerLimits(options.definition), {
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
    runOptions: { overrides: { taskResourceLocalHandlers: handlers as any, retryIntervalOverrides } },
    onChildEvent: (event) => {
      if (event.type === "StateEntered") transitions++;
    },
  });
  Object.assign(handlers, distributed.handlers);
  const { StateMachine } = await import("aws-local-stepfunctions");
  const machine = new StateMachine(distributed.definition, {
    validationOptions: { checkPaths: false, checkArn: false },
  });
  // Started last, so nothing before the execution can fail and leave it listening.
  const credentials = await startCredentialsEndpoint();
  const startTime = new Date().toISOString();
  const execution = machine.run(options.input as any, {
    overrides: { taskResourceLocalHandlers: handlers as any, retryIntervalOverrides },
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
      // aws-local-stepfunctions keeps $$.State.RetryCount at 0; the Batch handler above fills in
      // the count per state, and the runtime numbers attempts from the datastore anyway.
      State: { Name: "", EnteredTime: startTime, RetryCount: 0 },
    } as any,
  });
  const counting = (async () => {
    for await (const event of execution.eventLogs as AsyncIterable<{ type: string }>) {
      if (event.type === "StateEntered") transitions++;
    }
  })();
  const runId = `sfn-${options.executionName}`;
  try {
    await execution.result;
    await counting.catch(() => {});
    return { runId, status: "SUCCEEDED", transitions, jobs };
  } catch (error) {
    await counting.catch(() => {});
    const cause = (error as { cause?: Error }).cause;
    return {
      runId,
      status: "FAILED",
      error: `${cause?.name ?? (error as Error).name}: ${cause?.message ?? (error as Error).message}`,
      transitions,
      jobs,
    };
  } finally {
    await credentials.close();
  }
}

/** The datastore key an S3 getObject of the definition asks for. */
function storageKey(root: string, bucket: string, key: string): string {
  const prefix = root.startsWith("s3://") ? root.slice(5 + bucket.length + 1) : "flowship";
  const strip = prefix ? `${prefix.replace(/\/$/, "")}/` : "";
  if (!key.startsWith(strip))
    throw new SimulationError(
      "FS_SIMULATE_KEY",
      `State machine read '${key}', outside the datastore root '${root}'.`,
    );
  return key.slice(strip.length);
}
