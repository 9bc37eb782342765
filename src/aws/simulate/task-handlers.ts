/**
 * The local stand-ins for a definition's Task states: a Batch submitJob runs the job's container
 * command on this machine, with what Batch would give the container; an S3 getObject reads the
 * datastore. Also the Retry intervals, scaled for tests.
 */
import type { Storage } from "../../datastore/storage.js";
import { FlowshipError } from "../../errors.js";
import type { JobDefinitionInput } from "../compile/job-definition.js";
import { TASK_ENV } from "../compile/task-environment.js";
import { IMAGE_PATH, runContainerCommand } from "./container-sandbox.js";

/** A registry address nothing listens on: port 4 on loopback is unassigned and not one fetch refuses to try. */
const CLOSED_REGISTRY = "http://127.0.0.1:4/";

export class SimulationError extends FlowshipError {}

export type AslState = Record<string, any> & { Type: string };

export type TaskHandler = (input: any) => Promise<unknown>;

/** What the handlers of one execution share. */
export interface TaskHandlerContext {
  job: Pick<JobDefinitionInput, "containerProperties">;
  /** The job definition's environment, with the datastore root the job sees. */
  jobEnv: Record<string, string>;
  sandbox: "bubblewrap" | "none";
  /** The host folders a job may write (a local datastore). */
  writable: string[];
  storage: Storage;
  datastoreRoot: string;
  containerEnv?: Record<string, string>;
  overlays?: readonly (readonly [string, string])[];
  /** Submits of every Batch Task refused as throttled before one goes through. */
  throttleSubmits: number;
  /**
   * The credentials endpoint's variables. Filled in just before the execution starts (the
   * endpoint is started last, so that nothing failing before leaves it listening); only jobs
   * read it, and they run after.
   */
  credentialsEnv: Record<string, string>;
  print: (line: string, stream: "stdout" | "stderr") => void;
  /** Batch jobs run so far, retries included. */
  jobs: number;
}

/** Every state of the definition, nested ones (Parallel branches, Map processors) included. */
export function allStates(
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

/** The handlers of every Batch and S3 Task state, and the scaled Retry intervals. */
export function taskHandlers(
  definition: { States: Record<string, AslState> },
  context: TaskHandlerContext,
  retryIntervalScale: number,
): { handlers: Record<string, TaskHandler>; retryIntervalOverrides: Record<string, number[]> } {
  // Submits per state and task: what $$.State.RetryCount is on AWS (aws-local-stepfunctions keeps
  // it at 0), throttled submits included.
  const submits = new Map<string, number>();
  const handlers: Record<string, TaskHandler> = {};
  const retryIntervalOverrides: Record<string, number[]> = {};
  for (const [name, state] of allStates(definition.States)) {
    if (state.Type !== "Task") continue;
    if (String(state.Resource).includes(":batch:submitJob")) {
      handlers[name] = batchSubmitHandler(name, context, submits);
    } else if (String(state.Resource).includes(":s3:getObject")) {
      handlers[name] = s3GetObjectHandler(context);
    }
    if (retryIntervalScale !== 1 && state.Retry) {
      retryIntervalOverrides[name] = (
        state.Retry as { IntervalSeconds?: number; MaxAttempts?: number }[]
      ).flatMap((r) =>
        Array.from({ length: r.MaxAttempts ?? 3 }, () =>
          Math.round((r.IntervalSeconds ?? 1) * 1000 * retryIntervalScale),
        ),
      );
    }
  }
  return { handlers, retryIntervalOverrides };
}

/** A Batch submitJob of state `name`: runs the container command, as a `.sync` job would end. */
function batchSubmitHandler(
  name: string,
  context: TaskHandlerContext,
  submits: Map<string, number>,
): TaskHandler {
  return async (input: { ContainerOverrides?: { Environment?: { Name: string; Value: string }[] } }) => {
    const overrides = Object.fromEntries(
      (input.ContainerOverrides?.Environment ?? []).map((e) => [e.Name, e.Value]),
    );
    const key = `${name}/${overrides[TASK_ENV.taskId]}`;
    const retryCount = submits.get(key) ?? 0;
    submits.set(key, retryCount + 1);
    if (TASK_ENV.attempt in overrides) overrides[TASK_ENV.attempt] = String(retryCount);
    if (retryCount < context.throttleSubmits) {
      const error = new Error("Too Many Requests (throttled by the simulation)");
      error.name = "Batch.AWSBatchException";
      throw error;
    }
    context.jobs++;
    // What Batch gives a container: the image's PATH, the job definition's variables, the
    // state's overrides, its own AWS_BATCH_* variables and the credentials endpoint.
    const code = await runContainerCommand(context.sandbox, {
      command: context.job.containerProperties.command,
      env: {
        PATH: IMAGE_PATH,
        ...context.jobEnv,
        ...context.containerEnv,
        ...overrides,
        AWS_BATCH_JOB_ID: `sim-${context.jobs}`,
        AWS_BATCH_JOB_ATTEMPT: "1",
        AWS_BATCH_JQ_NAME: "simulated-queue",
        ...context.credentialsEnv,
        // Not Batch's, but the simulation's promise: a job that asks npm for anything fails,
        // as it would where no registry is reachable (the sandbox shares the host's network
        // for S3 on loopback, so the registry is closed this way).
        npm_config_registry: CLOSED_REGISTRY,
      },
      writable: context.writable,
      ...(context.overlays ? { overlays: context.overlays } : {}),
      print: context.print,
    });
    if (code !== 0) {
      const error = new Error(`Essential container in task exited with code ${code}`);
      error.name = "States.TaskFailed";
      throw error;
    }
    return { JobId: `sim-${context.jobs}`, Status: "SUCCEEDED" };
  };
}

/** An S3 getObject: reads the key from the datastore. */
function s3GetObjectHandler(context: TaskHandlerContext): TaskHandler {
  return async (input: { Bucket: string; Key: string }) => {
    const key = storageKey(context.datastoreRoot, input.Bucket, input.Key);
    const body = await context.storage.read(key);
    if (!body) {
      const error = new Error(`The specified key does not exist: ${input.Key}`);
      error.name = "S3.NoSuchKeyException";
      throw error;
    }
    return { Body: body.toString("utf8") };
  };
}

/** The datastore key an S3 getObject of the definition asks for. */
export function storageKey(root: string, bucket: string, key: string): string {
  const prefix = root.startsWith("s3://") ? root.slice(5 + bucket.length + 1) : "flowship";
  const strip = prefix ? `${prefix.replace(/\/$/, "")}/` : "";
  if (!key.startsWith(strip))
    throw new SimulationError(
      "FS_SIMULATE_KEY",
      `State machine read '${key}', outside the datastore root '${root}'.`,
    );
  return key.slice(strip.length);
}
