/**
 * A task attempt's stdout or stderr: opened on its tail, then followed as it grows (the server
 * sends only new bytes), with line numbers, the time each line was printed, a search with its
 * match count, a raw download, and a "jump to end" once one scrolls away from the end.
 */
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { LogChunk } from "./api.js";
import { getJson } from "./api.js";
import { bytes, clock } from "./format.js";
import { pathspecHref } from "./router.js";

/** Lines kept on the page; older ones give way (the download has them all). */
const KEEP_LINES = 5000;

interface Line {
  /** Byte offset of its start in the log. */
  at: number;
  text: string;
}

interface LogState {
  lines: Line[];
  /** Bytes before the first line shown (a tail, or lines that gave way). */
  skipped: number;
  times: [number, number][];
  from?: string;
  done: boolean;
}

const EMPTY: LogState = { lines: [], skipped: 0, times: [], done: false };

function splitLines(chunk: LogChunk): Line[] {
  const lines: Line[] = [];
  const encoder = new TextEncoder();
  let at = chunk.start;
  const parts = chunk.text.split("\n");
  if (parts.at(-1) === "") parts.pop();
  for (const text of parts) {
    lines.push({ at, text });
    at += encoder.encode(text).length + 1;
  }
  return lines;
}

/** The time of the last index entry at or before `at`. */
function timeAt(times: [number, number][], at: number): number | undefined {
  let lo = 0;
  let hi = times.length - 1;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]![0] <= at) {
      found = times[mid]![1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function Highlighted({ text, term }: { text: string; term: string }) {
  if (!term) return <>{text}</>;
  const parts = text.split(term);
  return (
    <>
      {parts.map((part, i) => (
        <>
          {i > 0 ? <mark>{term}</mark> : null}
          {part}
        </>
      ))}
    </>
  );
}

/**
 * The log at `base`, its tail first, then read again while `live` until it is finished; read anew
 * from its tail when either changes.
 */
function useLogTail(base: string, live: boolean): LogState {
  const [log, setLog] = useState<LogState>(EMPTY);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let next: { offset: number; times: number } | undefined;
    setLog(EMPTY);
    const read = async () => {
      try {
        const query = next ? `&offset=${next.offset}&times=${next.times}` : "";
        const chunk = await getJson<LogChunk & { timesNext: number }>(`${base}${query}`);
        if (stopped) return;
        const first = next === undefined || chunk.restarted === true;
        next = { offset: chunk.next, times: chunk.timesNext };
        setLog((before) => appendChunk(before, chunk, first));
        // More than one answer holds: ask at once; a growing log: in a second.
        if (chunk.next < chunk.size) timer = setTimeout(read, 0);
        else if (live && !chunk.finished) timer = setTimeout(read, 1000);
      } catch {
        if (!stopped && live) timer = setTimeout(read, 2000);
      }
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [base, live]);
  return log;
}

/** The log with a chunk read added; `first` when the chunk is its tail (the first read, or a restart). */
function appendChunk(before: LogState, chunk: LogChunk, first: boolean): LogState {
  // A log cut short since the last read starts over: its lines shown so far are gone.
  const old = chunk.restarted ? EMPTY : before;
  const lines = [...old.lines, ...splitLines(chunk)];
  const drop = Math.max(0, lines.length - KEEP_LINES);
  return {
    lines: lines.slice(drop),
    skipped: drop > 0 ? lines[drop]!.at : first ? chunk.start : old.skipped,
    times: [...old.times, ...chunk.times.filter(([at]) => at > (old.times.at(-1)?.[0] ?? -1))],
    ...(chunk.from ? { from: chunk.from } : {}),
    done: chunk.finished,
  };
}

interface ToolsProps {
  term: string;
  setTerm: (term: string) => void;
  matches: number;
  jumpToMatch: () => void;
  showTimes: boolean;
  setShowTimes: (show: boolean) => void;
  download: string;
  follow: boolean;
  jumpToEnd: () => void;
}

/** Search with its match count, the times switch, the raw download and "jump to end". */
function LogTools(props: ToolsProps) {
  const { term, matches, jumpToMatch } = props;
  return (
    <div class="log-tools">
      <label>
        search{" "}
        <input
          type="search"
          class="log-search"
          value={term}
          onInput={(e) => props.setTerm(e.currentTarget.value)}
          onKeyDown={(e) => e.key === "Enter" && jumpToMatch()}
        />
      </label>
      {term ? (
        <span class="match-count" aria-live="polite">
          {matches} match{matches === 1 ? "" : "es"}
          {matches > 0 ? (
            <button type="button" onClick={jumpToMatch}>
              next
            </button>
          ) : null}
        </span>
      ) : null}
      <label>
        <input
          type="checkbox"
          checked={props.showTimes}
          onChange={(e) => props.setShowTimes(e.currentTarget.checked)}
        />{" "}
        times
      </label>
      <a class="log-download" href={props.download} download>
        download raw
      </a>
      {!props.follow ? (
        <button type="button" class="jump" onClick={props.jumpToEnd}>
          jump to end ↓
        </button>
      ) : null}
    </div>
  );
}

/** What the lines below are not: another task's output (a clone's), or the whole log (a tail). */
function LogNotices({ log }: { log: LogState }) {
  return (
    <>
      {log.from ? (
        <p class="muted log-from">
          Cloned by resume: this is the output of <a href={pathspecHref(log.from)}>{log.from}</a>, which ran
          it.
        </p>
      ) : null}
      {log.skipped > 0 ? (
        <p class="muted log-skipped">
          The first {bytes(log.skipped)} are not shown (line numbers count from here); download raw for all.
        </p>
      ) : null}
    </>
  );
}

/** The lines, numbered (from the tail's start, `+n`, when the log's start is not shown) and timed. */
function LogLines(props: { log: LogState; live: boolean; term: string; showTimes: boolean }) {
  const { log, term, showTimes } = props;
  if (log.lines.length === 0)
    return (
      <span class="muted">{log.done || !props.live ? "(nothing printed)" : "(nothing printed yet)"}</span>
    );
  const firstNumber = log.skipped === 0 ? 1 : undefined;
  return (
    <>
      {log.lines.map((line, i) => {
        const ms = showTimes ? timeAt(log.times, line.at) : undefined;
        return (
          <div class={term && line.text.includes(term) ? "log-line match" : "log-line"}>
            <span class="ln" aria-hidden="true">
              {firstNumber === undefined ? `+${i + 1}` : i + 1}
            </span>
            {showTimes ? <span class="lt">{ms === undefined ? "" : clock(ms)}</span> : null}
            <span class="lx">
              <Highlighted text={line.text} term={term} />
            </span>
          </div>
        );
      })}
    </>
  );
}

export function LogPanel(props: { pathspec: string; stream: string; attempt: number; live: boolean }) {
  const { pathspec, stream, attempt, live } = props;
  const [follow, setFollow] = useState(true);
  const [term, setTerm] = useState("");
  const [showTimes, setShowTimes] = useState(true);
  const box = useRef<HTMLDivElement>(null);
  const base = `/api/logs/${pathspec}?stream=${stream}&attempt=${attempt}`;
  const log = useLogTail(base, live);

  // Following: each new line brings the end into view.
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [log.lines.length, follow]);

  const matches = useMemo(
    () => (term ? log.lines.reduce((n, l) => n + (l.text.split(term).length - 1), 0) : 0),
    [log.lines, term],
  );
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atEnd !== follow) setFollow(atEnd);
  };
  const jumpToMatch = () => {
    const marks = box.current?.querySelectorAll("mark");
    if (!marks || marks.length === 0) return;
    const current = [...marks].findIndex((m) => m.classList.contains("current"));
    marks[current]?.classList.remove("current");
    const target = marks[(current + 1) % marks.length]!;
    target.classList.add("current");
    setFollow(false);
    target.scrollIntoView({ block: "center" });
  };
  return (
    <div class={`log-panel log-panel-${stream}`}>
      <LogTools
        term={term}
        setTerm={setTerm}
        matches={matches}
        jumpToMatch={jumpToMatch}
        showTimes={showTimes}
        setShowTimes={setShowTimes}
        download={`${base}&download=1`}
        follow={follow}
        jumpToEnd={() => setFollow(true)}
      />
      <LogNotices log={log} />
      <div class={`log log-${stream}`} data-stream={stream} ref={box} onScroll={onScroll}>
        <LogLines log={log} live={live} term={term} showTimes={showTimes} />
      </div>
    </div>
  );
}
