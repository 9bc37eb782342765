/**
 * Maps stack traces of the compiled flow back to the TypeScript the user wrote. Task processes
 * start without Node's --enable-source-maps (it costs ~12 ms per task); only a failing task pays
 * for reading the map, here.
 */
import fs from "node:fs";
import { SourceMap } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: { bundle: string; map: SourceMap | undefined } | undefined;

function mapFor(bundle: string): SourceMap | undefined {
  if (cached?.bundle !== bundle) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(fs.readFileSync(`${bundle}.map`, "utf8")));
    } catch {
      map = undefined;
    }
    cached = { bundle, map };
  }
  return cached.map;
}

const FRAME = /(file:\/\/[^\s()]+|\/[^\s():]+\.mjs):(\d+):(\d+)/g;

/** Rewrites every `bundle.mjs:line:col` in `stack` to `source.ts:line:col`. */
export function mapStack(stack: string, bundle = process.argv[1]): string {
  if (!bundle?.endsWith(".mjs")) return stack;
  const map = mapFor(bundle);
  if (!map) return stack;
  return stack.replace(FRAME, (whole, file: string, line: string, column: string) => {
    const filePath = file.startsWith("file://") ? fileURLToPath(file) : file;
    if (filePath !== bundle) return whole;
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as {
      originalSource?: string;
      originalLine?: number;
      originalColumn?: number;
    };
    if (!entry?.originalSource) return whole;
    const source = entry.originalSource.startsWith("file://")
      ? fileURLToPath(entry.originalSource)
      : path.resolve(path.dirname(bundle), entry.originalSource);
    return `${path.relative(process.cwd(), source)}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}
