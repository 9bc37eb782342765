/**
 * The names inside a code package. A module of constants with no imports, because the job's
 * bootstrap (aws/batch/bootstrap.ts) needs them too and may bundle nothing but node built-ins.
 */

/** The compiled flow. */
export const PACKAGE_ENTRY = "flow.mjs";
/** The flowship runtime that runs a task; the bootstrap imports it. */
export const RUNTIME_ENTRY = "batch-task.mjs";
/** The folder that holds the flow's sources. */
export const SOURCE_FOLDER = "source";
/** Versions and the sha256 of every other file. */
export const MANIFEST_FILE = "manifest.json";
