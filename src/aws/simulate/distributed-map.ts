/**
 * Distributed Maps for aws-local-stepfunctions, which runs only inline ones. Before a definition
 * is executed, every Map in DISTRIBUTED mode is replaced by a Task whose local handler does what
 * Step Functions does: reads the items with the ItemReader, builds each item's input with the
 * ItemSelector (evaluated by the library itself, against the parent's context), starts one child
 * execution per item — a new state machine run with a context of its own, `$$.Execution.Name`
 * included, as on AWS — at most MaxConcurrency at once, fails the Map with
 * `States.ExceedToleratedFailureThreshold` when more children fail than tolerated, and writes the
 * results with the ResultWriter. Child definitions are prepared the same way, so a distributed
 * foreach nested in another runs as grandchildren.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/maprun-fail-threshold.html
 */
import { randomUUID } from "node:crypto";
import { loadLocalStepFunctions } from "./polyfill.js";
import { MAX_SIMULATED_TIMEOUT_SECONDS } from "./timer-limits.js";

type Json = any;
type LocalStateMachine = InstanceType<Awaited<ReturnType<typeof loadLocalStepFunctions>>["StateMachine"]>;
type RunOptions = NonNullable<Parameters<LocalStateMachine["run"]>[1]>;

/** The resource of the Task that stands in for a Distributed Map; nothing on AWS has it. */
const STAND_IN_RESOURCE = "arn:aws:states:::flowship-simulation:distributedMap";

export interface DistributedMapHost {
  /** Reads the ItemReader's object: it must hold a JSON array. */
  readItems(bucket: string, key: string): Promise<unknown[]>;
  /** Writes the Map Run's results under the ResultWriter's prefix; returns the manifest's key. */
  writeResults(bucket: string, prefix: string, mapRunId: string, results: ChildResult[]): Promise<string>;
  /** The options of every run, children included (handlers, retry overrides). */
  runOptions: Omit<RunOptions, "context">;
  /** Every event of every child execution, for counting transitions. */
  onChildEvent?: (event: { type: string }) => void;
}

export interface ChildResult {
  Name: string;
  Input: unknown;
  Status: "SUCCEEDED" | "FAILED";
  Output?: unknown;
  Error?: string;
  Cause?: string;
}

function isDistributed(state: Json): boolean {
  return state.Type === "Map" && state.ItemProcessor?.ProcessorConfig?.Mode === "DISTRIBUTED";
}

/**
 * A copy of `definition` in which every Distributed Map the library would reach (at the top, in
 * Parallel branches, in inline Map processors) is a stand-in Task; returns the Maps by name.
 */
function replaceDistributedMaps(definition: Json, found: Map<string, Json>): Json {
  const states: Record<string, Json> = {};
  for (const [name, state] of Object.entries<Json>(definition.States)) {
    if (isDistributed(state)) {
      found.set(name, state);
      states[name] = {
        Type: "Task",
        Comment: state.Comment,
        Resource: STAND_IN_RESOURCE,
        // A Map state has no time limit of its own on AWS; without one the interpreter gives a
        // Task 60 seconds, and any foreach running longer would fail with States.Timeout.
        TimeoutSeconds: MAX_SIMULATED_TIMEOUT_SECONDS,
        // The handler sees what the Map would: its input and the context object.
        Parameters: { "input.$": "$", "context.$": "$$" },
        ...("ResultSelector" in state ? { ResultSelector: state.ResultSelector } : {}),
        ...("ResultPath" in state ? { ResultPath: state.ResultPath } : {}),
        ...(state.Next ? { Next: state.Next } : { End: true }),
      };
      continue;
    }
    const copy = { ...state };
    if (state.Branches) copy.Branches = state.Branches.map((b: Json) => replaceDistributedMaps(b, found));
    if (state.ItemProcessor) copy.ItemProcessor = replaceDistributedMaps(state.ItemProcessor, found);
    states[name] = copy;
  }
  return { ...definition, States: states };
}

/** Evaluates a payload template as the library would in a state of that input and context. */
async function evaluate(template: Json, input: Json, context: Json): Promise<Json> {
  const { StateMachine } = await loadLocalStepFunctions();
  const machine = new StateMachine(
    { StartAt: "Evaluate", States: { Evaluate: { Type: "Pass", Parameters: template, End: true } } },
    { validationOptions: { noValidate: true } },
  );
  return machine.run(input, { context }).result;
}

/** An error as Step Functions names them, for Catch and Retry matching and for the report. */
function statesError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Runs `pending` with at most `limit` at once; once one fails, starts no more. */
async function runPool<T>(count: number, limit: number, run: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < count) {
      const index = next++;
      results[index] = await run(index);
      if ((results[index] as ChildResult).Status === "FAILED") failed = true;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results.slice(0, next);
}

/**
 * Prepares `definition` for aws-local-stepfunctions: returns the definition to run and the
 * handlers of its stand-in Tasks, to be merged into `taskResourceLocalHandlers`.
 */
export async function withDistributedMaps(
  definition: Json,
  host: DistributedMapHost,
): Promise<{ definition: Json; handlers: Record<string, (input: Json) => Promise<Json>> }> {
  const { StateMachine } = await loadLocalStepFunctions();
  const maps = new Map<string, Json>();
  const prepared = replaceDistributedMaps(definition, maps);
  const handlers: Record<string, (input: Json) => Promise<Json>> = {};
  for (const [name, map] of maps) {
    const { ProcessorConfig: _mode, ...processor } = map.ItemProcessor;
    const child = await withDistributedMaps(processor, host);
    Object.assign(handlers, child.handlers);
    const machine = new StateMachine(child.definition, { validationOptions: { noValidate: true } });
    handlers[name] = async ({ input, context }: { input: Json; context: Json }) => {
      const parent = JSON.parse(JSON.stringify(context));
      const items = await readItems(map, input, parent, host);
      const mapRunId = randomUUID();
      const label = map.Label ?? name;
      const limit = map.MaxConcurrency || 10_000;
      const results = await runPool(items.length, limit, async (index) => {
        const itemContext = { ...parent, Map: { Item: { Index: index, Value: items[index] } } };
        const childInput = map.ItemSelector
          ? await evaluate(map.ItemSelector, input, itemContext)
          : items[index];
        const childName = randomUUID();
        const execution = machine.run(childInput, {
          ...host.runOptions,
          context: {
            Execution: {
              Id: `${parent.Execution?.Id ?? "execution"}/${label}:${childName}`,
              Name: childName,
              Input: childInput,
              StartTime: new Date().toISOString(),
            },
            StateMachine: parent.StateMachine,
            State: { Name: "", EnteredTime: new Date().toISOString(), RetryCount: 0 },
          } as Json,
        });
        const events = (async () => {
          for await (const event of execution.eventLogs) host.onChildEvent?.(event as { type: string });
        })();
        try {
          const output = await execution.result;
          await events.catch(() => {});
          return { Name: childName, Input: childInput, Status: "SUCCEEDED", Output: output } as ChildResult;
        } catch (error) {
          await events.catch(() => {});
          const cause = (error as { cause?: Error }).cause ?? (error as Error);
          return {
            Name: childName,
            Input: childInput,
            Status: "FAILED",
            Error: cause.name,
            Cause: cause.message,
          } as ChildResult;
        }
      });
      const failed = results.filter((r) => r.Status === "FAILED");
      const tolerated = ((map.ToleratedFailurePercentage ?? 0) / 100) * items.length;
      if (failed.length > tolerated) {
        throw statesError(
          "States.ExceedToleratedFailureThreshold",
          `The Map Run of state '${name}' failed: ${failed.length} of ${items.length} child executions failed, the first with ${failed[0]!.Error}: ${failed[0]!.Cause}`,
        );
      }
      if (!map.ResultWriter) return results.map((r) => r.Output);
      const where = await evaluate(map.ResultWriter.Parameters, input, parent);
      const key = await host.writeResults(where.Bucket, where.Prefix ?? "", mapRunId, results);
      return {
        MapRunArn: `arn:aws:states:local:000000000000:mapRun:${parent.StateMachine?.Name ?? "machine"}/${label}:${mapRunId}`,
        ResultWriterDetails: { Bucket: where.Bucket, Key: key },
      };
    };
  }
  return { definition: prepared, handlers };
}

async function readItems(
  map: Json,
  input: Json,
  context: Json,
  host: DistributedMapHost,
): Promise<unknown[]> {
  if (!map.ItemReader) {
    const items = map.ItemsPath
      ? await evaluate({ "items.$": map.ItemsPath }, input, context)
      : { items: input };
    if (!Array.isArray(items.items)) throw statesError("States.Runtime", "The Map's items are not an array.");
    return items.items;
  }
  const where = await evaluate(map.ItemReader.Parameters, input, context);
  try {
    return await host.readItems(where.Bucket, where.Key);
  } catch (error) {
    throw statesError("States.ItemReaderFailed", (error as Error).message);
  }
}
