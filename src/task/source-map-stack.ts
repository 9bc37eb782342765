/**
 * Maps stack traces of the compiled flow back to the TypeScript the user wrote. Task processes
 * start without Node's --enable-source-maps (it costs ~12 ms per task); only a failing task pays
 * for reading the map, here.
 */
import fs from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface LoadedMap {
  map: SourceMap;
  /** The map's source root as a folder; sources are named relative to it. */
  root: string;
  /**
   * What paths are shown relative to: the map's source root when it names one (a code package's
   * `source/`, which holds the project's files as they were below the project folder), else the
   * working folder — so a production task and a local run name the same `examples/x.ts`.
   */
  shownFrom: string;
  /** Sources in the map's ignoreList (flowship's own, the generated entry), as resolved paths. */
  ignored: Set<string>;
}

let cached: { bundle: string; loaded: LoadedMap | undefined } | undefined;

function mapFor(bundle: string): LoadedMap | undefined {
  if (cached?.bundle !== bundle) {
    let loaded: LoadedMap | undefined;
    try {
      const payload = JSON.parse(fs.readFileSync(`${bundle}.map`, "utf8")) as SourceMapPayload & {
        ignoreList?: number[];
      };
      // Node's SourceMap leaves sourceRoot out of the sources it reports: joined here.
      const root = path.resolve(path.dirname(bundle), payload.sourceRoot ?? "");
      const ignored = new Set((payload.ignoreList ?? []).map((i) => sourcePath(root, payload.sources[i]!)));
      loaded = {
        map: new SourceMap(payload),
        root,
        shownFrom: payload.sourceRoot ? root : process.cwd(),
        ignored,
      };
    } catch {
      loaded = undefined;
    }
    cached = { bundle, loaded };
  }
  return cached.loaded;
}

function sourcePath(root: string, source: string): string {
  return source.startsWith("file://") ? fileURLToPath(source) : path.resolve(root, source);
}

const FRAME = /(file:\/\/[^\s()]+|\/[^\s():]+\.mjs):(\d+):(\d+)/g;

/**
 * Rewrites every `bundle.mjs:line:col` in `stack` to `source.ts:line:col`, and leaves out the frames
 * of flowship's own code (listed in the map's ignoreList): what remains is where the user's code was.
 */
export function mapStack(stack: string, bundle = process.argv[1]): string {
  if (!bundle?.endsWith(".mjs")) return stack;
  const loaded = mapFor(bundle);
  if (!loaded) return stack;
  const lines: string[] = [];
  for (const line of stack.split("\n")) {
    let ignored = false;
    const mapped = line.replace(FRAME, (whole, file: string, row: string, column: string) => {
      const filePath = file.startsWith("file://") ? fileURLToPath(file) : file;
      if (filePath !== bundle) return whole;
      const entry = loaded.map.findEntry(Number(row) - 1, Number(column) - 1) as {
        originalSource?: string;
        originalLine?: number;
        originalColumn?: number;
      };
      if (!entry?.originalSource) return whole;
      const source = sourcePath(loaded.root, entry.originalSource);
      if (loaded.ignored.has(source)) ignored = true;
      return `${path.relative(loaded.shownFrom, source)}:${(entry.originalLine ?? 0) + 1}:${(entry.originalColumn ?? 0) + 1}`;
    });
    if (!ignored || !/^\s+at /.test(line)) lines.push(mapped);
  }
  return lines.join("\n");
}
