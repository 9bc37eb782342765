/**
 * Reads every object a datastore folder holds the way flowship's readers would, to prove that
 * none is half-written: records must pass their checksum, blobs must match their hash.
 */
import fs from "node:fs";
import path from "node:path";
import {
  CONTENT_NAME,
  FAST_HASH_FROM,
  matchesContentName,
  prepareContentHash,
} from "../../src/datastore/content-hash.js";
import { decodeRecord } from "../../src/datastore/records.js";

// Blobs of 64 MiB and more are named by XXH3-128, which must be loaded before a synchronous check.
await prepareContentHash({ sizes: [FAST_HASH_FROM] });

export interface ScanResult {
  records: number;
  blobs: number;
  /** Temporary files left by writers that were killed: never read by flowship. */
  leftovers: number;
  problems: string[];
}

/**
 * Files in Step Functions' formats, not flowship records: a Distributed Map's items (a bare JSON
 * array its ItemReader reads) and its Map Run results (written by its ResultWriter). They must
 * still be whole JSON.
 */
export function isStepFunctionsFile(key: string): boolean {
  return key.endsWith("/foreach-items.json") || key.includes("/map-results/");
}

/** The problem with a Step Functions file, if it is not whole JSON. */
export function stepFunctionsFileProblem(key: string, bytes: Buffer): string | undefined {
  try {
    JSON.parse(bytes.toString("utf8"));
    return undefined;
  } catch (error) {
    return `${key}: not whole JSON (${(error as Error).message})`;
  }
}

export function scanDatastore(root: string): ScanResult {
  const result: ScanResult = { records: 0, blobs: 0, leftovers: 0, problems: [] };
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.includes(".tmp-")) {
        result.leftovers++;
      } else if (isStepFunctionsFile(full.split(path.sep).join("/"))) {
        const problem = stepFunctionsFileProblem(full, fs.readFileSync(full));
        if (problem) result.problems.push(problem);
      } else if (entry.name.endsWith(".json") || entry.name === "latest_run") {
        result.records++;
        try {
          decodeRecord(full, fs.readFileSync(full), root);
        } catch (error) {
          result.problems.push(`${full}: ${(error as Error).message}`);
        }
      } else if (CONTENT_NAME.test(entry.name) && path.basename(dir) === entry.name.slice(0, 2)) {
        result.blobs++;
        if (!matchesContentName(entry.name, fs.readFileSync(full)))
          result.problems.push(`${full}: content does not match its name`);
      }
    }
  };
  if (fs.existsSync(root)) walk(root);
  return result;
}
