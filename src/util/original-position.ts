/**
 * Where a position in a compiled flow bundle (`<hash>.mjs`, its map beside it as `<hash>.mjs.map`)
 * came from in the user's TypeScript. Importing a flow with Node's source maps on costs ~130 ms
 * (every stack the flow's definition captures is formatted through the map), so flowship imports
 * it with them off and maps the few positions it shows, here, only when it shows them.
 */
import fs from "node:fs";
import { SourceMap, type SourceMapPayload } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface Position {
  file: string;
  line: number;
  column: number;
}

interface LoadedMap {
  map: SourceMap;
  /** The folder the map's sources are named relative to. */
  root: string;
}

const maps = new Map<string, LoadedMap | undefined>();

function mapOf(file: string): LoadedMap | undefined {
  if (!maps.has(file)) {
    let loaded: LoadedMap | undefined;
    try {
      const payload = JSON.parse(fs.readFileSync(`${file}.map`, "utf8")) as SourceMapPayload;
      loaded = {
        map: new SourceMap(payload),
        root: path.resolve(path.dirname(file), payload.sourceRoot ?? ""),
      };
    } catch {
      loaded = undefined;
    }
    maps.set(file, loaded);
  }
  return maps.get(file);
}

/**
 * The TypeScript position of 1-based `line`:`column` of `file`, or the position as it is when
 * `file` is not a bundle with a map beside it (a .ts file under tsx, whose stacks are mapped already).
 */
export function originalPosition(position: Position): Position {
  if (!position.file.endsWith(".mjs")) return position;
  const loaded = mapOf(position.file);
  if (!loaded) return position;
  const entry = loaded.map.findEntry(position.line - 1, position.column - 1) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
  };
  if (!entry?.originalSource) return position;
  const source = entry.originalSource.startsWith("file://")
    ? fileURLToPath(entry.originalSource)
    : path.resolve(loaded.root, entry.originalSource);
  return { file: source, line: (entry.originalLine ?? 0) + 1, column: (entry.originalColumn ?? 0) + 1 };
}

const FRAME = /((?:file:\/\/)?\/[^\s():]+\.mjs):(\d+):(\d+)/g;

/** `stack` with every `bundle.mjs:line:column` in it rewritten to the TypeScript it came from. */
export function mapStackPositions(stack: string): string {
  return stack.replace(FRAME, (whole, url: string, line: string, column: string) => {
    const file = url.startsWith("file://") ? fileURLToPath(url) : url;
    const original = originalPosition({ file, line: Number(line), column: Number(column) });
    return original.file === file ? whole : `${original.file}:${original.line}:${original.column}`;
  });
}
