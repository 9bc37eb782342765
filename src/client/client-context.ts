/**
 * Where the Client API reads and in which namespace: the datastore (set once with
 * `setDatastore`, or per call) and the namespace an object was opened in. Children of an object
 * (a run's steps, a step's tasks) share its context.
 */
import { datastoreRoot } from "../config.js";
import { FlowStore } from "../datastore/flow-store.js";
import { type DatastoreLocation, openStorage, resolveDatastore } from "../datastore/open-storage.js";
import type { Storage } from "../datastore/storage.js";
import { getNamespace, type Namespace } from "./namespace.js";

/** A datastore for the Client API: a local folder, or a location of any backend. */
export type DatastoreOption = string | DatastoreLocation;

/** Options every Client API entry point accepts. */
export interface ClientOptions {
  /**
   * The datastore to read: a local folder or a backend location.
   * @default the one given to setDatastore(), else FLOWSHIP_DATASTORE_ROOT, else ./.flowship
   */
  datastore?: DatastoreOption;
  /**
   * The namespace to filter by; `null` shows every run.
   * @default getNamespace()
   */
  namespace?: Namespace;
}

let configured: DatastoreLocation | undefined;
const opened = new Map<string, Promise<Storage>>();

function toLocation(option: DatastoreOption): DatastoreLocation {
  return typeof option === "string" ? { kind: "local", root: datastoreRoot(option) } : option;
}

/**
 * Points every later Client API call (that names no datastore itself) at `datastore`.
 *
 * @example
 * setDatastore("/data/flowship");
 * setDatastore({ kind: "s3", root: "s3://bucket/flowship" });
 */
export function setDatastore(datastore: DatastoreOption): DatastoreLocation {
  configured = toLocation(datastore);
  return configured;
}

/**
 * The datastore Client API calls read when they name none: the one set with setDatastore, else
 * the one FLOWSHIP_DATASTORE (and its root and endpoint) name — inside a step, always its run's.
 */
export function getDatastore(): DatastoreLocation {
  return configured ?? resolveDatastore();
}

/** @internal What an opened object reads through. */
export class ClientContext {
  readonly storage: Storage;
  readonly namespace: Namespace;
  readonly #stores = new Map<string, FlowStore>();

  constructor(options: { storage: Storage; namespace: Namespace }) {
    this.storage = options.storage;
    this.namespace = options.namespace;
  }

  /** Where the data lives, for messages. */
  get datastore(): string {
    return this.storage.description;
  }

  store(flow: string): FlowStore {
    let store = this.#stores.get(flow);
    if (!store) {
      store = new FlowStore({ storage: this.storage, flow });
      this.#stores.set(flow, store);
    }
    return store;
  }
}

/** @internal Resolves the options of a Client API call to what it reads through. */
export async function openContext(options: ClientOptions = {}): Promise<ClientContext> {
  const location = options.datastore === undefined ? getDatastore() : toLocation(options.datastore);
  const key = JSON.stringify(location);
  let storage = opened.get(key);
  if (!storage) {
    storage = openStorage(location);
    opened.set(key, storage);
    storage.catch(() => opened.delete(key));
  }
  return new ClientContext({
    storage: await storage,
    namespace: options.namespace === undefined ? getNamespace() : options.namespace,
  });
}
