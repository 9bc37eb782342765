/**
 * @module flowship/client — read what runs produced: runs, steps, tasks, artifacts and logs,
 * addressed by pathspec (`Flow/run/step/task`). Opening and listing read records only; artifact
 * values are read when asked for.
 *
 * @example
 * import { Flow, namespace, Task } from "flowship/client";
 *
 * const run = await (await Flow.get("ForeachFlow")).latestSuccessfulRun();
 * console.log(run?.id, await run?.data?.results);
 * const task = await Task.get(`ForeachFlow/${run!.id}/square/2`);
 * console.log(task.index, await task.input(), await task.data.result, await task.stdout());
 * namespace(null); // runs of every user from here on
 */

export type { CardRecord } from "../card/card-record.js";
export { InvalidPathspecError } from "../datastore/pathspec.js";
export type { RunStatus } from "../datastore/records-types.js";
export type { ArtifactsOf } from "../flow/flow-builder.js";
export {
  type ClientOptions,
  type DatastoreOption,
  getDatastore,
  setDatastore,
} from "./client-context.js";
export { type AnyArtifacts, DataArtifact, type LazyData } from "./data-artifact.js";
export {
  AmbiguousTaskError,
  ClientConstructorError,
  ClientOptionsError,
  InvalidTagError,
  NamespaceMismatchError,
  type ObjectKind,
  ObjectNotFoundError,
  SystemTagError,
} from "./errors.js";
export { Flow, listFlows, type RunsOptions } from "./flow.js";
export { fromJsonValue, type JsonValue, toJsonValue } from "./json-value.js";
export { defaultNamespace, getNamespace, type Namespace, namespace } from "./namespace.js";
export { Run } from "./run.js";
export { Step } from "./step.js";
export { type AttemptStatus, Task, type TaskAttempt, type TaskOptions } from "./task.js";
