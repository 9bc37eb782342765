/**
 * `self` and `inputs` of a step: reads load artifacts lazily from the datastore, writes are
 * collected and stored when the step ends. Parameters are read-only.
 */
import type { ArtifactRef, ContentStore } from "../datastore/content-store.js";
import { FlowshipError } from "../errors.js";
import { closestName } from "../util/did-you-mean.js";

export class ArtifactAccessError extends FlowshipError {}

interface ScopeOptions {
  store: ContentStore;
  step: string;
  parameters: Record<string, ArtifactRef>;
  /** The flow's declared parameters: reading one the run has no value for gives undefined. */
  declaredParameters?: ReadonlySet<string>;
  /** Artifacts carried from the input task (none for a join). */
  inherited: Record<string, ArtifactRef>;
  input?: () => unknown;
  index?: number;
  /** In a join: the names of the artifacts its inputs have (a join inherits none of them). */
  joinInputArtifacts?: ReadonlySet<string>;
}

/**
 * Names that libraries and the language probe on any object to learn what it is (a promise, a
 * JSON-able value, a React element…). Reading them answers undefined instead of failing the step.
 */
export const PROBED_NAMES: ReadonlySet<string> = new Set([
  // Object.prototype's names (hasOwnProperty, toString, …): `self` has no prototype, so they read as
  // undefined, as on any Object.create(null).
  ...Object.getOwnPropertyNames(Object.prototype),
  "then",
  "toJSON",
  "inspect",
  "nodeType",
  "$$typeof",
  "asymmetricMatch",
  "@@__IMMUTABLE_ITERABLE__@@",
]);

/** The state behind one `self`: what it inherited, what was loaded, what was assigned. */
export class ArtifactScope {
  readonly options: ScopeOptions;
  /** Values assigned by the step. */
  readonly assigned = new Map<string, unknown>();
  /** Artifacts taken over by reference (mergeArtifacts) without being loaded. */
  readonly adopted = new Map<string, ArtifactRef>();
  /** Inherited values that step code read; they may have been mutated in place. */
  readonly loaded = new Map<string, unknown>();
  readonly self: Record<string, unknown>;
  #closed = false;

  constructor(options: ScopeOptions) {
    this.options = options;
    this.self = new Proxy(Object.create(null) as Record<string, unknown>, this.#handler());
    SCOPES.set(this.self, this);
  }

  /**
   * Stops taking assignments: after a timeout the step's code may still run while what it
   * assigned is stored. Its later assignments are dropped without an error, which could only
   * surface as an uncaught exception in code nobody waits for.
   */
  close(): void {
    this.#closed = true;
  }

  /** Sets an artifact, also once closed: flowship's own (catchError's `var`) goes in after a timeout. */
  assign(name: string, value: unknown): void {
    this.assigned.set(name, value);
    this.adopted.delete(name);
    this.loaded.delete(name);
  }

  refOf(name: string): ArtifactRef | undefined {
    // Own properties only: `toString`, `valueOf`… of Object.prototype are not artifacts.
    return this.adopted.get(name) ?? own(this.options.inherited, name) ?? own(this.options.parameters, name);
  }

  has(name: string): boolean {
    return this.assigned.has(name) || this.refOf(name) !== undefined;
  }

  names(): string[] {
    return [
      ...new Set([
        ...Object.keys(this.options.parameters),
        ...Object.keys(this.options.inherited),
        ...this.adopted.keys(),
        ...this.assigned.keys(),
      ]),
    ];
  }

  read(name: string): unknown {
    if (this.assigned.has(name)) return this.assigned.get(name);
    if (this.loaded.has(name)) return this.loaded.get(name);
    const ref = this.refOf(name);
    if (!ref) return undefined;
    const value = this.options.store.get(ref, `artifact '${name}' of step '${this.options.step}'`);
    // A parameter is read-only all the way down: `self.config.lr = 999` throws a TypeError naming
    // the property, instead of changing what later steps see while the run's parameters do not.
    if (this.isParameter(name)) deepFreeze(value);
    this.loaded.set(name, value);
    return value;
  }

  /**
   * The error for reading an artifact that no earlier step set (Metaflow: AttributeError): a
   * misspelled name must fail the step, not flow on as `undefined`.
   */
  missing(name: string): ArtifactAccessError {
    const step = this.options.step;
    if (this.options.joinInputArtifacts?.has(name)) {
      return new ArtifactAccessError(
        "FS_ARTIFACT_NOT_MERGED",
        `Join '${step}' read 'self.${name}', which its inputs have but a join does not inherit: take it over with mergeArtifacts(self, inputs) or assign it (self.${name} = inputs[0].${name}).`,
      );
    }
    const known = this.names();
    const guess = closestName(name, known);
    const hint = guess
      ? ` Did you mean 'self.${guess}'?`
      : known.length > 0
        ? ` It has: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", …" : ""}.`
        : "";
    return new ArtifactAccessError(
      "FS_ARTIFACT_MISSING",
      `Step '${step}' read 'self.${name}', but no parameter or earlier step set an artifact '${name}'.${hint} To test whether it exists, use '${name}' in self.`,
    );
  }

  /**
   * The parameters this step read whose values are frozen objects. V8's TypeError for changing a
   * frozen object (`Cannot add property 0, object is not extensible`) names neither the object nor
   * the parameter; when the step read such a parameter, that is most likely what it changed.
   */
  frozenParametersRead(): Map<string, object> {
    const frozen = new Map<string, object>();
    for (const [name, value] of this.loaded) {
      if (typeof value === "object" && value !== null && Object.isFrozen(value) && this.isParameter(name))
        frozen.set(name, value);
    }
    return frozen;
  }

  /** Whether `name` reads the run's parameter (no step has stored a value under that name). */
  isParameter(name: string): boolean {
    const parameter = own(this.options.parameters, name);
    const inherited = own(this.options.inherited, name);
    return (
      parameter !== undefined &&
      !this.adopted.has(name) &&
      (inherited === undefined || inherited.hash === parameter.hash)
    );
  }

  #handler(): ProxyHandler<Record<string, unknown>> {
    const scope = this;
    return {
      get(_target, name) {
        // `${self}` and String(self) describe the step's artifacts instead of failing.
        if (name === Symbol.toPrimitive)
          return () => `[self of step '${scope.options.step}': ${scope.names().join(", ")}]`;
        if (typeof name === "symbol") return undefined;
        if (name === "input") {
          if (!scope.options.input) throw notInForeach(scope.options.step, "input");
          return scope.options.input();
        }
        if (name === "index") {
          if (scope.options.index === undefined) throw notInForeach(scope.options.step, "index");
          return scope.options.index;
        }
        if (!scope.has(name) && !scope.options.declaredParameters?.has(name)) {
          // `then` must stay undefined or `await self` would treat self as a promise.
          if (PROBED_NAMES.has(name)) return undefined;
          throw scope.missing(name);
        }
        return scope.read(name);
      },
      set(_target, name, value) {
        if (typeof name === "symbol") return false;
        if (LONE_SURROGATE.test(name)) {
          // Such a name cannot be written as UTF-8: URLs, file names and JSON keys would break.
          throw new ArtifactAccessError(
            "FS_ARTIFACT_NAME",
            `Cannot assign 'self[${JSON.stringify(name)}]' in step '${scope.options.step}': the name holds a lone surrogate (half a UTF-16 pair), which is not text; use another name.`,
          );
        }
        if (name === "input" || name === "index") {
          throw new ArtifactAccessError(
            "FS_ARTIFACT_READ_ONLY",
            `Cannot assign 'self.${name}' in step '${scope.options.step}': it is set by foreach; use another name.`,
          );
        }
        if (own(scope.options.parameters, name) !== undefined) {
          throw new ArtifactAccessError(
            "FS_ARTIFACT_READ_ONLY",
            `Cannot assign parameter '${name}' in step '${scope.options.step}': parameters are read-only; store the new value under another name.`,
          );
        }
        if (!scope.#closed) scope.assign(name, value);
        return true;
      },
      deleteProperty(_target, name) {
        throw new ArtifactAccessError(
          "FS_ARTIFACT_READ_ONLY",
          `Cannot delete 'self.${String(name)}' in step '${scope.options.step}': artifacts are kept; assign undefined instead.`,
        );
      },
      has(_target, name) {
        return typeof name === "string" && (scope.has(name) || name === "input" || name === "index");
      },
      ownKeys() {
        return scope.names();
      },
      getOwnPropertyDescriptor(_target, name) {
        if (typeof name !== "string" || !scope.has(name)) return undefined;
        return { configurable: true, enumerable: true, writable: true, value: scope.read(name) };
      },
    };
  }
}

/** Half a UTF-16 surrogate pair, without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function notInForeach(step: string, what: string): ArtifactAccessError {
  return new ArtifactAccessError(
    "FS_ARTIFACT_NOT_IN_FOREACH",
    `'self.${what}' is only set in steps inside a foreach, and step '${step}' is not in one.`,
  );
}

const SCOPES = new WeakMap<object, ArtifactScope>();

export function scopeOf(self: object): ArtifactScope | undefined {
  return SCOPES.get(self);
}

/** A read-only view of one input task's artifacts, as seen by a join. */
export function inputView(store: ContentStore, from: string, artifacts: Record<string, ArtifactRef>): object {
  const cache = new Map<string, unknown>();
  const load = (name: string): unknown => {
    if (!cache.has(name)) cache.set(name, store.get(artifacts[name]!, `artifact '${name}' of ${from}`));
    return cache.get(name);
  };
  const view: object = new Proxy(Object.create(null) as Record<string, unknown>, {
    get(_target, name) {
      if (name === Symbol.toPrimitive)
        return () => `[inputs from ${from}: ${Object.keys(artifacts).join(", ")}]`;
      if (typeof name === "symbol" || own(artifacts, name) === undefined) return undefined;
      return load(name);
    },
    set(_target, name) {
      throw new ArtifactAccessError(
        "FS_ARTIFACT_READ_ONLY",
        `Cannot assign '${String(name)}' on the inputs of a join (${from}); assign to self instead.`,
      );
    },
    has: (_target, name) => typeof name === "string" && own(artifacts, name) !== undefined,
    ownKeys: () => Object.keys(artifacts),
    getOwnPropertyDescriptor: (_target, name) =>
      typeof name === "string" && own(artifacts, name) !== undefined
        ? { configurable: true, enumerable: true, writable: false, value: load(name) }
        : undefined,
  });
  INPUT_REFS.set(view, artifacts);
  return view;
}

const INPUT_REFS = new WeakMap<object, Record<string, ArtifactRef>>();

export function inputRefs(view: object): Record<string, ArtifactRef> | undefined {
  return INPUT_REFS.get(view);
}

/** Freezes plain objects and arrays, nested ones too (typed arrays cannot be frozen). */
function deepFreeze(value: unknown, seen = new Set<object>()): void {
  if (typeof value !== "object" || value === null || seen.has(value) || ArrayBuffer.isView(value)) return;
  seen.add(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key], seen);
  Object.freeze(value);
}

/** `record[name]` when it is the record's own property, never one inherited from Object.prototype. */
function own<T>(record: Record<string, T>, name: string): T | undefined {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}
