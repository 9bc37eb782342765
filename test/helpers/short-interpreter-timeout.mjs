// Loaded with `node --import` into `flowship step-functions simulate` by tests. aws-local-stepfunctions
// gives a Task state without TimeoutSeconds 60 seconds (AWS gives it 99,999,999); here that one
// default is 0.3 s, so a test sees within a second whether any state of a simulation still falls
// back on it. Every other timer, the interpreter's included, is left as it is.
import { promisify } from "node:util";

const INTERPRETER_DEFAULT_MS = 60_000;
const SHORTENED_MS = 300;
const original = globalThis.setTimeout;

function setTimeoutShortened(callback, ms, ...args) {
  const fromInterpreter =
    ms === INTERPRETER_DEFAULT_MS && new Error().stack?.includes("aws-local-stepfunctions");
  return original.call(this, callback, fromInterpreter ? SHORTENED_MS : ms, ...args);
}
setTimeoutShortened[promisify.custom] = original[promisify.custom];
globalThis.setTimeout = setTimeoutShortened;
