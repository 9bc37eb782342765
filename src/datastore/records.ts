/**
 * Metadata records are JSON files wrapped with the sha256 of their body, so a flipped byte is
 * reported as corruption instead of being read as a different value.
 */
import { FlowshipError } from "../errors.js";
import { sha256 } from "../util/hash.js";
import { CorruptObjectError } from "./content-store.js";
import type { Storage } from "./storage.js";

export function encodeRecord(body: unknown): string {
  const text = JSON.stringify(body);
  return `{"sha256":"${sha256(text)}","body":${text}}\n`;
}

export function decodeRecord<T>(key: string, bytes: Buffer | string, where: string): T {
  const text = typeof bytes === "string" ? bytes : bytes.toString("utf8");
  const match = /^\{"sha256":"([0-9a-f]{64})","body":([\s\S]*)\}\n?$/.exec(text);
  if (!match || sha256(match[2]!) !== match[1]) {
    throw new CorruptObjectError(
      "FS_DATASTORE_CORRUPT",
      `Corrupt metadata record '${key}' in ${where}: its checksum does not match; it was changed or cut short.`,
    );
  }
  return JSON.parse(match[2]!) as T;
}

export async function readRecord<T>(storage: Storage, key: string): Promise<T | undefined> {
  const bytes = storage.readText ? await storage.readText(key) : await storage.read(key);
  return bytes === undefined ? undefined : decodeRecord<T>(key, bytes, storage.description);
}

export async function writeRecord(storage: Storage, key: string, body: unknown): Promise<void> {
  await storage.write(key, [encodeRecord(body)]);
}

/** Writes a record only if none exists; false when one already did. */
export async function createRecord(storage: Storage, key: string, body: unknown): Promise<boolean> {
  return storage.create(key, encodeRecord(body));
}

export function requireRecord<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new FlowshipError("FS_DATASTORE_MISSING", `${what} does not exist.`);
  return value;
}
