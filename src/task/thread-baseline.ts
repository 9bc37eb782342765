/**
 * What a warm task thread (warm-thread.ts) looks like between attempts, and what an attempt left
 * changed in it: the check that decides whether the thread may take the next attempt. A change
 * it misses reaches the next attempt, so it watches what a step can reach without flowship's
 * help: the globals and their prototypes, the built-in objects only values lead to (an array's
 * iterator, a generator), and Node's built-in modules (`fs.readFileSync = …`).
 *
 * Runs inside the host bundle (node built-ins only).
 */
import { EventEmitter } from "node:events";
import { createRequire, isBuiltin } from "node:module";
import { inspect } from "node:util";

/** An object's own keys, and for each its value, getter and setter, in that order. */
interface Snapshot {
  keys: PropertyKey[];
  held: unknown[];
}

function snapshot(target: object, only?: (value: unknown) => boolean): Snapshot {
  const keys: PropertyKey[] = [];
  const held: unknown[] = [];
  for (const key of Reflect.ownKeys(target)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(target, key)!;
    if (only && !only(descriptor.value)) continue;
    keys.push(key);
    held.push(descriptor.value, descriptor.get, descriptor.set);
  }
  return { keys, held };
}

const LISTENED = [process, process.stdout, process.stderr, process.stdin] as const;

/**
 * The methods of process.stdout, stderr and stdin (`process.stdout.write = …`). Only methods:
 * their other own properties are the streams' state, which every write changes.
 */
function streamMethods(): Snapshot[] {
  return LISTENED.slice(1).map((stream) => snapshot(stream, (value) => typeof value === "function"));
}

function isObject(value: unknown): value is object {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}

/**
 * Built-in objects that no global names, reached only through a value of their kind: a step
 * that adds to an array iterator's or a generator's prototype changes every later attempt's.
 */
function hiddenIntrinsics(): object[] {
  const proto = Object.getPrototypeOf as (value: unknown) => { constructor: object; prototype: object };
  const generator = proto(function* () {
    yield;
  });
  const asyncGenerator = proto(async function* () {
    yield;
  });
  const asyncFunction = proto(async () => {});
  const arrayIterator = proto([][Symbol.iterator]());
  const typedArray = proto(Int8Array);
  return [
    generator,
    generator.constructor,
    generator.prototype,
    asyncGenerator,
    asyncGenerator.constructor,
    asyncGenerator.prototype,
    proto(asyncGenerator.prototype),
    asyncFunction,
    asyncFunction.constructor,
    arrayIterator,
    proto(arrayIterator),
    proto(new Map().entries()),
    proto(new Set().values()),
    proto(""[Symbol.iterator]()),
    proto(/./[Symbol.matchAll]("")),
    typedArray,
    typedArray.prototype,
  ];
}

const requireBuiltin = createRequire(import.meta.url);

/**
 * The public built-in modules this thread has loaded. `process.moduleLoadList` is Node's own
 * record of them (not documented, present since Node 0.x); without it, none are watched.
 */
export function loadedBuiltins(from = 0): string[] {
  const loaded = moduleLoadList();
  const names: string[] = [];
  for (const entry of loaded.slice(from)) {
    if (!entry.startsWith("NativeModule ")) continue;
    const name = entry.slice("NativeModule ".length);
    if (!name.startsWith("internal/") && isBuiltin(name)) names.push(name);
  }
  return names;
}

function moduleLoadList(): string[] {
  return (process as { moduleLoadList?: string[] }).moduleLoadList ?? [];
}

/** Loads built-in modules (before the baseline is taken, so that it covers them). */
export function preloadBuiltins(names: Iterable<string>): void {
  for (const name of names) {
    try {
      requireBuiltin(name);
    } catch {
      // Not loadable in a thread (trace_events): no attempt can have changed it either.
    }
  }
}

/**
 * A built-in module's objects an attempt could change for the next: the module itself
 * (`fs.readFileSync = …`), the prototypes of the classes it exports (`http.Server.prototype`)
 * and the objects it exports (`http.globalAgent`). Not the exported functions' own properties,
 * nor what getters would give (a lazy one loads more): checked after every attempt, each object
 * costs time.
 */
function moduleObjects(name: string, into: Set<object>): void {
  const exports = requireBuiltin(name) as unknown;
  if (!isObject(exports)) return;
  into.add(exports);
  for (const key of Reflect.ownKeys(exports)) {
    const value = Reflect.getOwnPropertyDescriptor(exports, key)!.value as unknown;
    if (typeof value === "object" && value !== null) into.add(value);
    else if (typeof value === "function" && isObject(value.prototype)) into.add(value.prototype);
  }
}

/** Objects whose own properties an attempt must leave as it found them. */
function watchedObjects(modules: readonly string[]): object[] {
  const objects = new Set<object>([globalThis, process]);
  for (const key of Reflect.ownKeys(globalThis)) {
    const descriptor = Reflect.getOwnPropertyDescriptor(globalThis, key)!;
    const value = descriptor.value as unknown;
    if (!isObject(value)) continue;
    objects.add(value);
    const prototype = (value as { prototype?: unknown }).prototype;
    if (isObject(prototype)) objects.add(prototype);
  }
  for (const object of hiddenIntrinsics()) objects.add(object);
  for (const name of modules) moduleObjects(name, objects);
  return [...objects];
}

/**
 * The first key whose property is not as `before` found it, if any. A lazy global of Node's
 * (`fetch`, `crypto`) replaces its getter by its value when first read: the same value the getter
 * gives is no change.
 */
function changedKey(target: object, before: Snapshot, after: Snapshot): PropertyKey | undefined {
  const { keys, held } = after;
  if (keys.length !== before.keys.length) {
    const was = new Set(before.keys);
    return keys.find((key) => !was.has(key)) ?? before.keys.find((key) => !keys.includes(key));
  }
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    if (key !== before.keys[i]) return key;
    // Set anew for each attempt, and compared on its own (leftovers()).
    if (target === process && key === "env") continue;
    const [value, get, set] = [held[3 * i], held[3 * i + 1], held[3 * i + 2]];
    const [wasValue, wasGet, wasSet] = [before.held[3 * i], before.held[3 * i + 1], before.held[3 * i + 2]];
    if (Object.is(value, wasValue) && get === wasGet && set === wasSet) continue;
    if (typeof wasGet === "function" && get === undefined && wasGet.call(target) === value) continue;
    return key;
  }
  return undefined;
}

function listenerCounts(): string {
  return LISTENED.map((emitter) =>
    emitter
      .eventNames()
      .map((name) => `${String(name)}:${emitter.listenerCount(name)}`)
      .join(","),
  ).join("|");
}

/** What the thread looks like between attempts; an attempt must leave it so. */
export interface Baseline {
  objects: object[];
  properties: Snapshot[];
  streams: Snapshot[];
  /** How many modules Node had loaded (it only ever adds to its list). */
  moduleCount: number;
  listeners: string;
  resources: string;
  cwd: string;
  settings: string;
}

/** Settings Node's modules keep behind accessors, which the property check cannot see change. */
function moduleSettings(): string {
  return JSON.stringify([inspect.defaultOptions, EventEmitter.defaultMaxListeners]);
}

export function baseline(): Baseline {
  const moduleCount = moduleLoadList().length;
  const objects = watchedObjects(loadedBuiltins());
  return {
    objects,
    properties: objects.map((object) => snapshot(object)),
    streams: streamMethods(),
    moduleCount,
    listeners: listenerCounts(),
    resources: process.getActiveResourcesInfo().sort().join(","),
    cwd: process.cwd(),
    settings: moduleSettings(),
  };
}

export type Timer = { _destroyed?: boolean };

/** What an attempt left behind, if anything; `loaded`: the built-in modules it loaded first. */
export interface Leftover {
  why: string;
  loaded?: string[];
}

/**
 * What an attempt left behind that a fresh evaluation of the bundle would not undo, if anything.
 * A built-in module first loaded by the attempt was never seen as it was: the attempt may have
 * changed it, so it counts too, and the host loads it in its next threads before their baseline
 * (task-host-main.ts).
 */
export function leftovers(
  before: Baseline,
  env: Record<string, string | undefined>,
  timers: Set<Timer>,
): Leftover | undefined {
  const loaded = loadedBuiltins(before.moduleCount);
  const why =
    changed(before, env, timers) ??
    (loaded.length > 0 ? `built-in modules loaded (${loaded.join(", ")})` : undefined);
  return why === undefined ? undefined : { why, ...(loaded.length > 0 ? { loaded } : {}) };
}

function changed(
  before: Baseline,
  env: Record<string, string | undefined>,
  timers: Set<Timer>,
): string | undefined {
  for (const timer of timers) if (!timer._destroyed) return "a timer still pending";
  const resources = process.getActiveResourcesInfo().sort().join(",");
  if (resources !== before.resources) return `active handles (${resources})`;
  if (listenerCounts() !== before.listeners) return "listeners added to process or its streams";
  if (process.cwd() !== before.cwd) return "the working folder changed";
  // A thread's stdout and stderr are streams to the host: one ended stays ended for the next attempt.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.writableEnded || stream.destroyed) return "process.stdout or process.stderr was ended";
  }
  if (moduleSettings() !== before.settings)
    return "util.inspect.defaultOptions or EventEmitter.defaultMaxListeners changed";
  const given = Object.entries(env).filter(([, value]) => value !== undefined);
  const now = Object.entries(process.env);
  if (now.length !== given.length || given.some(([key, value]) => process.env[key] !== value)) {
    return "process.env changed";
  }
  for (let i = 0; i < before.objects.length; i++) {
    const target = before.objects[i]!;
    const key = changedKey(target, before.properties[i]!, snapshot(target));
    if (key !== undefined) return `a global changed (${String(key)})`;
  }
  const streams = streamMethods();
  for (let i = 0; i < streams.length; i++) {
    const key = changedKey(LISTENED[i + 1]!, before.streams[i]!, streams[i]!);
    if (key !== undefined) return `a method of process's streams changed (${String(key)})`;
  }
  return undefined;
}
