/**
 * The run's timeline: a group per step with a summary bar (first start to last end), opened to
 * a row per task and a bar per attempt (a failed attempt red, a running one growing up to now)
 * on one time axis from the run's start, which stays in view as the rows scroll. Rows sort by
 * task, start or duration; "failed only" keeps the tasks that failed, were cancelled or killed,
 * or needed more than one attempt. Only the rows in view are drawn, so 10,000 tasks scroll as
 * easily as ten; a step of many tasks starts closed.
 */
import type { RefObject } from "preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { RunView, TaskSummary } from "./api.js";
import { between, duration } from "./format.js";
import { taskHref } from "./router.js";
import type { StepState } from "./step-states.js";

const ROW = 22;
/** Rows drawn beyond the visible ones, above and below. */
const OVERSCAN = 15;
/** Steps with more tasks than this start closed. */
const OPEN_UP_TO = 30;

type Sort = "task" | "start" | "duration";
type Row =
  | { kind: "group"; step: string; tasks: TaskSummary[] }
  | { kind: "task"; step: string; task: TaskSummary };

const startOf = (t: TaskSummary) => Date.parse(t.attempts[0]?.startedAt ?? "");
const endOf = (t: TaskSummary, now: number) => {
  const last = t.attempts.at(-1);
  return last?.endedAt ? Date.parse(last.endedAt) : now;
};
const troubled = (t: TaskSummary) =>
  t.state === "failed" ||
  t.state === "cancelled" ||
  t.state === "killed" ||
  t.state === "caught" ||
  t.attempts.length > 1;

function sortTasks(tasks: TaskSummary[], sort: Sort, now: number): TaskSummary[] {
  if (sort === "task") return tasks;
  const key = sort === "start" ? startOf : (t: TaskSummary) => -(endOf(t, now) - startOf(t));
  return [...tasks].sort((a, b) => key(a) - key(b));
}

interface Props {
  view: RunView;
  states: Map<string, StepState>;
}

/** The last time the run's records name: where an attempt that never ended is drawn to end. */
function lastRecorded(view: RunView): number {
  let last = Date.parse(view.run.endedAt ?? view.run.startedAt);
  for (const tasks of Object.values(view.steps))
    for (const t of tasks)
      for (const a of t.attempts) last = Math.max(last, Date.parse(a.endedAt ?? a.startedAt));
  return last;
}

/** The rows: per step (in the graph's order) its group, then its tasks when the group is open. */
function timelineRows(
  view: RunView,
  now: number,
  sort: Sort,
  failedOnly: boolean,
  isOpen: (step: string, count: number) => boolean,
): { rows: Row[]; span: number; start: number } {
  const start = Date.parse(view.run.startedAt);
  let last = start;
  const rows: Row[] = [];
  for (const step of view.graph) {
    const all = view.steps[step.name] ?? [];
    const tasks = failedOnly ? all.filter(troubled) : all;
    if (tasks.length === 0) continue;
    for (const t of all) last = Math.max(last, endOf(t, now));
    rows.push({ kind: "group", step: step.name, tasks });
    if (isOpen(step.name, tasks.length)) {
      for (const task of sortTasks(tasks, sort, now)) rows.push({ kind: "task", step: step.name, task });
    }
  }
  return { rows, span: Math.max(1, last - start), start };
}

/** A graph node links here (#lanes-<step>): open that group and bring it into view. */
function useFollowLaneHash(
  view: RunView,
  rows: Row[],
  box: RefObject<HTMLDivElement | null>,
  setOpen: (update: (open: Record<string, boolean>) => Record<string, boolean>) => void,
): void {
  useEffect(() => {
    const follow = () => {
      const step = decodeURIComponent(location.hash.replace(/^#lanes-/, ""));
      if (!location.hash.startsWith("#lanes-") || !view.steps[step]) return;
      setOpen((o) => ({ ...o, [step]: true }));
      requestAnimationFrame(() => {
        const at = rows.findIndex((r) => r.kind === "group" && r.step === step);
        if (box.current && at >= 0) {
          box.current.scrollTop = at * ROW;
          box.current.scrollIntoView({ block: "nearest" });
        }
      });
    };
    follow();
    addEventListener("hashchange", follow);
    return () => removeEventListener("hashchange", follow);
  }, [rows]);
}

/** Where on the axis a time falls, and how wide a stretch is drawn (2px at least, to be seen). */
interface Scale {
  left: (t: number) => string;
  width: (from: number, to: number) => string;
}

function scaleOf(start: number, span: number): Scale {
  return {
    left: (t) => `${(((t - start) / span) * 100).toFixed(3)}%`,
    width: (from, to) => `max(2px, ${(((to - from) / span) * 100).toFixed(3)}%)`,
  };
}

function TimelineTools(props: {
  sort: Sort;
  setSort: (sort: Sort) => void;
  failedOnly: boolean;
  setFailedOnly: (failedOnly: boolean) => void;
}) {
  return (
    <div class="timeline-tools">
      <label>
        sort{" "}
        <select value={props.sort} onChange={(e) => props.setSort(e.currentTarget.value as Sort)}>
          <option value="task">by task</option>
          <option value="start">by start</option>
          <option value="duration">longest first</option>
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          checked={props.failedOnly}
          onChange={(e) => props.setFailedOnly(e.currentTarget.checked)}
        />{" "}
        failed or retried only
      </label>
    </div>
  );
}

function Axis({ span }: { span: number }) {
  return (
    <div class="axis">
      {[0, 0.25, 0.5, 0.75, 1].map((f) => (
        <span style={{ left: `${f * 100}%` }}>{f === 0 ? "0" : duration(span * f)}</span>
      ))}
    </div>
  );
}

/** A step's row: its open/close button and a bar from its first task's start to its last one's end. */
function GroupLane(props: {
  step: string;
  tasks: TaskSummary[];
  top: string;
  opened: boolean;
  toggle: () => void;
  state: StepState;
  scale: Scale;
  now: number;
}) {
  const { step, tasks, opened, scale } = props;
  const from = Math.min(...tasks.map(startOf));
  const to = Math.max(...tasks.map((t) => endOf(t, props.now)));
  return (
    <div class="lane group" id={`lanes-${step}`} data-step={step} style={{ top: props.top }}>
      <button type="button" class="lane-label" aria-expanded={opened} onClick={props.toggle}>
        {opened ? "▾" : "▸"} {step} <span class="muted">({tasks.length.toLocaleString("en-US")})</span>
      </button>
      <div class="lane-track">
        <div
          class={`bar summary bar-${props.state}`}
          title={`${step}: ${tasks.length} tasks, ${duration(to - from)}`}
          style={{ left: scale.left(from), width: scale.width(from, to) }}
        />
      </div>
    </div>
  );
}

/** A task's row: its link and a bar per attempt. */
function TaskLane(props: {
  view: RunView;
  step: string;
  task: TaskSummary;
  top: string;
  scale: Scale;
  now: number;
}) {
  const { view, step, task, scale, now } = props;
  const label = `${step}/${task.id}${task.item !== undefined ? ` · ${task.item}` : ""}`;
  return (
    <div class="lane" data-task={`${step}/${task.id}`} data-state={task.state} style={{ top: props.top }}>
      <a class="lane-label" href={taskHref(view.flow, view.run.id, step, task.id)} title={label}>
        {label}
      </a>
      <div class="lane-track">
        {task.attempts.map((a) => {
          const from = Date.parse(a.startedAt);
          const to = a.endedAt ? Date.parse(a.endedAt) : now;
          const shownEnd = a.endedAt ?? new Date(now).toISOString();
          return (
            <div
              class={`bar bar-${a.status}${a.caught ? " bar-caught" : ""}`}
              data-attempt={a.attempt}
              title={`${step}/${task.id} attempt ${a.attempt}: ${a.caught ? "failed, caught" : a.status}, ${between(a.startedAt, shownEnd, view.now)}${a.status === "killed" ? " (then the run was killed)" : ""}`}
              style={{ left: scale.left(from), width: scale.width(from, to) }}
            />
          );
        })}
      </div>
    </div>
  );
}

export function Timeline({ view, states }: Props) {
  // While the run runs, open attempts grow up to now; once it stopped, they end where its records do.
  const now = useMemo(
    () => (view.run.status === "running" ? Date.parse(view.now) : lastRecorded(view)),
    [view],
  );
  const [sort, setSort] = useState<Sort>("task");
  const [failedOnly, setFailedOnly] = useState(false);
  const [open, setOpen] = useState<Record<string, boolean>>({});
  const [scrollTop, setScrollTop] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const isOpen = (step: string, count: number) => open[step] ?? (failedOnly || count <= OPEN_UP_TO);
  const { rows, span, start } = useMemo(
    () => timelineRows(view, now, sort, failedOnly, isOpen),
    [view, sort, failedOnly, open],
  );
  useFollowLaneHash(view, rows, box, setOpen);

  const scale = scaleOf(start, span);
  const visible = Math.ceil((box.current?.clientHeight ?? 600) / ROW);
  const first = Math.max(0, Math.floor(scrollTop / ROW) - OVERSCAN);
  const shown = rows.slice(first, first + visible + 2 * OVERSCAN);
  return (
    <div class="timeline-wrap">
      <TimelineTools sort={sort} setSort={setSort} failedOnly={failedOnly} setFailedOnly={setFailedOnly} />
      <div
        class="timeline"
        ref={box}
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
        data-rows={rows.length}
      >
        <Axis span={span} />
        <div style={{ height: `${rows.length * ROW}px`, position: "relative" }}>
          {shown.map((row, i) => {
            const top = `${(first + i) * ROW}px`;
            if (row.kind === "task")
              return (
                <TaskLane view={view} step={row.step} task={row.task} top={top} scale={scale} now={now} />
              );
            const opened = isOpen(row.step, row.tasks.length);
            return (
              <GroupLane
                step={row.step}
                tasks={row.tasks}
                top={top}
                opened={opened}
                toggle={() => setOpen((o) => ({ ...o, [row.step]: !opened }))}
                state={states.get(row.step) ?? "running"}
                scale={scale}
                now={now}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}
