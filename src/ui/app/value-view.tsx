/**
 * An artifact's value as what it is (ui/artifact-preview.ts made the tree): strings with newlines
 * as text, Maps and Sets as such, dates as dates, bytes as a hex dump, an array of records as a
 * table that pages and sorts; long lists cut to their first items with their full length said.
 */
import { useState } from "preact/hooks";
import type { Shown } from "./api.js";
import { quoted } from "./quoted.js";

const TABLE_PAGE = 25;
const n = (x: number) => x.toLocaleString("en-US");

/** A value on one line: a table cell, a Map key, a collapsed container. */
export function inline(v: Shown): string {
  switch (v.t) {
    case "null":
    case "undefined":
      return v.t;
    case "absent":
      return "";
    case "cut":
      return "…";
    case "circular":
      return "[circular]";
    case "bool":
      return String(v.v);
    case "num":
    case "other":
      return v.v;
    case "bigint":
      return `${v.v}n`;
    case "str":
      return v.v.length < v.len ? `${v.v}…` : v.v;
    case "date":
      return v.v ?? "Invalid Date";
    case "regexp":
      return v.v;
    case "error":
      return `${v.name}: ${v.message}`;
    case "arr":
      return `Array(${n(v.len)})`;
    case "obj":
      return `${v.name ?? "Object"} {${v.size} keys}`;
    case "map":
      return `Map(${n(v.size)})`;
    case "set":
      return `Set(${n(v.size)})`;
    case "typed":
    case "bytes":
      return `${v.name}(${n(v.len)})`;
    case "table":
      return `Array(${n(v.len)}) of records`;
  }
}

function More({ shown, of, what }: { shown: number; of: number; what: string }) {
  return of > shown ? (
    <li class="more muted">
      … {n(of - shown)} more {what} (the first {n(shown)} of {n(of)} are shown; download for all)
    </li>
  ) : null;
}

/** `00000010  48 65 6c 6c 6f …  |Hello…|`: offsets, 16 bytes a line, and what they spell in ASCII. */
function HexDump({ hex, len }: { hex: string; len: number }) {
  const bytes = hex.match(/../g)?.map((b) => Number.parseInt(b, 16)) ?? [];
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const row = bytes.slice(at, at + 16);
    const hexes = row.map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : ".")).join("");
    lines.push(`${at.toString(16).padStart(8, "0")}  ${hexes.padEnd(47)}  |${ascii}|`);
  }
  return (
    <>
      <pre class="hexdump">{lines.join("\n")}</pre>
      {len > bytes.length ? (
        <p class="muted">
          The first {n(bytes.length)} of {n(len)} bytes; download for all.
        </p>
      ) : null}
    </>
  );
}

function compareCells(a: Shown, b: Shown): number {
  const num = (v: Shown) => (v.t === "num" || v.t === "bigint" ? Number(v.v) : Number.NaN);
  const [x, y] = [num(a), num(b)];
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x - y;
  return inline(a).localeCompare(inline(b));
}

function RecordTable({ value }: { value: Extract<Shown, { t: "table" }> }) {
  const [page, setPage] = useState(0);
  const [sort, setSort] = useState<{ column: number; down: boolean } | undefined>(undefined);
  const rows = sort
    ? [...value.rows].sort((a, b) => compareCells(a[sort.column]!, b[sort.column]!) * (sort.down ? -1 : 1))
    : value.rows;
  const pages = Math.max(1, Math.ceil(rows.length / TABLE_PAGE));
  const shown = rows.slice(page * TABLE_PAGE, (page + 1) * TABLE_PAGE);
  return (
    <div class="record-table">
      <table class="value-table">
        <thead>
          <tr>
            {value.columns.map((c, i) => (
              <th
                scope="col"
                aria-sort={sort?.column === i ? (sort.down ? "descending" : "ascending") : undefined}
              >
                <button
                  type="button"
                  class="sort"
                  onClick={() => setSort({ column: i, down: sort?.column === i ? !sort.down : false })}
                >
                  {c} {sort?.column === i ? (sort.down ? "▼" : "▲") : ""}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => (
            <tr>
              {row.map((cell) => (
                <td>{inline(cell)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <div class="pager">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)}>
          ← previous
        </button>
        <span>
          rows {n(page * TABLE_PAGE + 1)}–{n(page * TABLE_PAGE + shown.length)} of {n(value.len)}
          {value.rows.length < value.len
            ? ` (sorting and paging the first ${n(value.rows.length)}; download for all)`
            : ""}
        </span>
        <button type="button" disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
          next →
        </button>
      </div>
    </div>
  );
}

/** A container's parts as a list, open at the top and closed deeper down. */
function Parts({
  label,
  depth,
  children,
}: {
  label: string;
  depth: number;
  children: preact.ComponentChildren;
}) {
  return (
    <details class="parts" open={depth < 2}>
      <summary>{label}</summary>
      <ul>{children}</ul>
    </details>
  );
}

type Container = Extract<Shown, { t: "arr" | "obj" | "map" | "set" }>;

/** An array, object, Map or Set: its parts, each a value of its own one level down. */
function ContainerView({ value, depth }: { value: Container; depth: number }) {
  switch (value.t) {
    case "arr":
      return (
        <Parts label={`Array(${n(value.len)})`} depth={depth}>
          {value.items.map((item, i) => (
            <li>
              <span class="key">[{i}]</span> <ValueView value={item} depth={depth + 1} />
            </li>
          ))}
          <More shown={value.items.length} of={value.len} what="items" />
        </Parts>
      );
    case "obj":
      return (
        <Parts
          label={`${value.name ?? "Object"} {${n(value.size)} key${value.size === 1 ? "" : "s"}}`}
          depth={depth}
        >
          {value.entries.map(([key, v]) => (
            <li>
              <span class="key">{key}:</span> <ValueView value={v} depth={depth + 1} />
            </li>
          ))}
          <More shown={value.entries.length} of={value.size} what="keys" />
        </Parts>
      );
    case "map":
      return (
        <Parts label={`Map(${n(value.size)})`} depth={depth}>
          {value.entries.map(([k, v]) => (
            <li>
              <span class="key">{inline(k)} →</span> <ValueView value={v} depth={depth + 1} />
            </li>
          ))}
          <More shown={value.entries.length} of={value.size} what="entries" />
        </Parts>
      );
    case "set":
      return (
        <Parts label={`Set(${n(value.size)})`} depth={depth}>
          {value.items.map((item) => (
            <li>
              <ValueView value={item} depth={depth + 1} />
            </li>
          ))}
          <More shown={value.items.length} of={value.size} what="values" />
        </Parts>
      );
  }
}

/** A string: quoted on one line when short, else as text, with how much of it is shown. */
function StringView({ value }: { value: Extract<Shown, { t: "str" }> }) {
  const cut = value.v.length < value.len;
  if (!value.v.includes("\n") && !cut && value.len <= 200) return <code class="str">{quoted(value.v)}</code>;
  return (
    <>
      <pre class="text">{value.v}</pre>
      {cut ? (
        <p class="muted">
          The first {n(value.v.length)} of {n(value.len)} characters; download for all.
        </p>
      ) : null}
    </>
  );
}

export function ValueView({ value, depth = 0 }: { value: Shown; depth?: number }) {
  switch (value.t) {
    case "str":
      return <StringView value={value} />;
    case "date":
      return <code class="date">Date {value.v ?? "Invalid Date"}</code>;
    case "regexp":
      return <code class="regexp">RegExp {value.v}</code>;
    case "error":
      return (
        <div class="error-value">
          <b>
            {value.name}: {value.message}
          </b>
          {value.stack ? <pre class="text">{value.stack}</pre> : null}
        </div>
      );
    case "bytes":
      return (
        <div class="bytes">
          <span class="muted">
            {value.name}, {n(value.len)} bytes
          </span>
          <HexDump hex={value.hex} len={value.len} />
        </div>
      );
    case "typed":
      return (
        <div class="typed">
          <span class="muted">
            {value.name}({n(value.len)})
          </span>{" "}
          <code>
            [{value.items.join(", ")}
            {value.len > value.items.length ? `, … ${n(value.len - value.items.length)} more` : ""}]
          </code>
        </div>
      );
    case "table":
      return <RecordTable value={value} />;
    case "arr":
    case "obj":
    case "map":
    case "set":
      return <ContainerView value={value} depth={depth} />;
    default:
      return <code class={`scalar scalar-${value.t}`}>{inline(value)}</code>;
  }
}
