/** Errors of the Client API: what a reader of runs can get wrong. */
import { FlowshipError } from "../errors.js";

/** What kind of object a pathspec names, for messages. */
export type ObjectKind = "Flow" | "Run" | "Step" | "Task" | "Attempt" | "Artifact";

/** The pathspec names nothing in the datastore. */
export class ObjectNotFoundError extends FlowshipError {
  readonly pathspec: string;
  /** What was not found. */
  readonly kind: ObjectKind;

  constructor(options: { kind: ObjectKind; pathspec: string; datastore: string; hint?: string }) {
    super(
      "FS_CLIENT_NOT_FOUND",
      `${options.kind} not found: '${options.pathspec}' is not in the datastore ${options.datastore}. ${
        options.hint ??
        "Check the pathspec, or point the client at the right datastore (--datastore-root or FLOWSHIP_DATASTORE_ROOT on the command line, setDatastore() in code)"
      }.`,
    );
    this.pathspec = options.pathspec;
    this.kind = options.kind;
  }
}

/** The object exists but belongs to a namespace other than the current one. */
export class NamespaceMismatchError extends FlowshipError {
  readonly pathspec: string;
  readonly namespace: string;

  /** `owner`: the namespace the object belongs to, when there is one. */
  constructor(options: { kind: ObjectKind; pathspec: string; namespace: string; owner?: string }) {
    const { kind, pathspec, namespace, owner } = options;
    super(
      "FS_CLIENT_NAMESPACE_MISMATCH",
      owner
        ? `${kind} not in namespace '${namespace}': '${pathspec}' belongs to '${owner}'. Call namespace('${owner}') or namespace(null) to read it.`
        : `${kind} not in namespace '${namespace}': '${pathspec}' has no run in it. Call namespace(null) to see every run.`,
    );
    this.pathspec = options.pathspec;
    this.namespace = options.namespace;
  }
}

/** `Step.task()` was asked for the one task of a step that has several. */
export class AmbiguousTaskError extends FlowshipError {
  constructor(options: { pathspec: string; count: number }) {
    super(
      "FS_CLIENT_AMBIGUOUS_TASK",
      `Step has ${options.count} tasks: '${options.pathspec}'. Use tasks() or name the task: '${options.pathspec}/<task id>'.`,
    );
  }
}

/** A tag that cannot be stored: empty, too long or on several lines. Exit code 2. */
export class InvalidTagError extends FlowshipError {
  constructor(tag: string) {
    super(
      "FS_CLIENT_TAG_INVALID",
      `Invalid tag: ${JSON.stringify(tag)}. A tag is 1 to 500 characters on one line.`,
      { exitCode: 2 },
    );
  }
}

/** System tags (namespace, runtime, version) are set by flowship and cannot be removed. */
export class SystemTagError extends FlowshipError {
  constructor(options: { pathspec: string; tags: readonly string[] }) {
    super(
      "FS_CLIENT_SYSTEM_TAG",
      `Cannot remove system tag ${options.tags.map((t) => `'${t}'`).join(", ")} of run '${options.pathspec}'. Only user tags can be removed; see them with \`tag list\`.`,
      { exitCode: 2 },
    );
  }
}

/** The classes the Client API opens objects with. */
export type ClientClass = "Flow" | "Run" | "Step" | "Task";

/**
 * `new Flow("X")`: Metaflow opens objects by calling their class (`Flow('X')`); here `Flow.get("X")`
 * does, and a constructor given a name would build an object that fails later, deep inside. Exit 2.
 */
export class ClientConstructorError extends FlowshipError {
  constructor(kind: ClientClass, argument: unknown) {
    const shown = typeof argument === "string" ? JSON.stringify(argument.slice(0, 200)) : "…";
    super(
      "FS_CLIENT_CONSTRUCTOR",
      `new ${kind}(${shown}) does not open a ${kind.toLowerCase()}: use await ${kind}.get(${shown}) (Metaflow's ${kind}(${shown.replaceAll('"', "'")})).`,
      { exitCode: 2 },
    );
  }
}

/** Refuses a constructor call from user code: only the client's own `get`/`open` pass its options. */
export function assertOpenedByClient(kind: ClientClass, options: unknown): void {
  if (typeof options !== "object" || options === null || !("context" in options))
    throw new ClientConstructorError(kind, options);
}

/** A Client API method called with options it cannot read (a script is not type-checked). Exit 2. */
export class ClientOptionsError extends FlowshipError {
  constructor(method: string, detail: string) {
    super("FS_CLIENT_OPTIONS", `Invalid options of ${method}: ${detail}.`, { exitCode: 2 });
  }
}
