/**
 * One artifact of a task: described by its record (name, size, type, hash) without reading its
 * blob; the value is read only when asked for, and every read returns a fresh copy.
 */
import type { ArtifactRef, ContentStore } from "../datastore/content-store.js";
// The names libraries probe on any object (`then`, `toJSON`, …), as `self` answers them in a step.
import { PROBED_NAMES } from "../task/artifact-scope.js";

/**
 * A task's artifacts by name, each read from the datastore when its property is read. Typed by
 * the flow's artifacts when the client object was opened with them (`Flow.get<Artifacts>(…)`),
 * else loosely (`any`), as `self` is in a flow without declared artifacts.
 */
export type LazyData<A extends object = AnyArtifacts> = { readonly [K in keyof A]: Promise<A[K]> };

/** Artifacts of a flow whose types the client was not told. */
export type AnyArtifacts = Record<string, any>;

export class DataArtifact {
  /** The artifact's name in the step code (`self.<name>`). */
  readonly name: string;
  /** `Flow/run/step/task/name`. */
  readonly pathspec: string;
  /** The hash naming the stored bytes (SHA-256; XXH3-128 from 64 MiB): equal values have equal hashes. */
  readonly hash: string;
  /** Size of the stored bytes. */
  readonly size: number;
  /** A short description of the value's type, e.g. `number`, `Array(3)`, `Map(2)`. */
  readonly type: string;
  /** How the bytes encode the value (`v8`, `raw:Float64Array`, …). */
  readonly encoding: string;
  readonly #content: ContentStore;

  /** @internal Use `Task.artifact(name)` or `Task.artifacts()`. */
  constructor(options: { name: string; pathspec: string; ref: ArtifactRef; content: ContentStore }) {
    this.name = options.name;
    this.pathspec = options.pathspec;
    this.hash = options.ref.hash;
    this.size = options.ref.size;
    this.type = options.ref.type;
    this.encoding = options.ref.encoding;
    this.#content = options.content;
  }

  /**
   * Reads the value. Fails with FS_DATASTORE_MISSING when the blob is gone and
   * FS_DATASTORE_CORRUPT when its bytes no longer match their hash.
   */
  async load<T = unknown>(): Promise<T> {
    const ref: ArtifactRef = { hash: this.hash, size: this.size, type: this.type, encoding: this.encoding };
    // Remote backends serve synchronous reads from what was prefetched.
    await this.#content.prefetch([ref]);
    return this.#content.get(ref, `artifact '${this.pathspec}'`) as T;
  }
}

/**
 * An object with one getter per artifact: reading `data.x` loads `x`; listing keys loads nothing.
 * Reading a name the task did not store gives a promise rejected with `missing(name)`, as Metaflow's
 * `task.data.x` raises AttributeError: a misspelt `await run.data.acuracy` must fail, not read as
 * undefined (`"x" in data` tests for one).
 */
export function lazyData(artifacts: readonly DataArtifact[], missing: (name: string) => Error): LazyData {
  const data: Record<string, Promise<unknown>> = {};
  for (const artifact of artifacts) {
    Object.defineProperty(data, artifact.name, { enumerable: true, get: () => artifact.load() });
  }
  return new Proxy(Object.freeze(data), {
    get(target, key, receiver) {
      if (typeof key === "symbol" || key in target || PROBED_NAMES.has(key))
        return Reflect.get(target, key, receiver);
      const rejected = Promise.reject(missing(key));
      // Whoever awaits it gets the error; a read nobody awaits (a probe) is no unhandled rejection.
      rejected.catch(() => {});
      return rejected;
    },
  });
}
