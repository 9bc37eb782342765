/** One task: its attempts, its output (tailed while it runs) and its artifacts. */
import { useEffect, useState } from "preact/hooks";
import type { ArtifactView, LogChunk, TaskView } from "./api.js";
import { encodePath, getJson } from "./api.js";
import { TaskCards } from "./card-view.js";
import { StatusBadge } from "./flows-page.js";
import { between, bytes, when } from "./format.js";
import { runHref, taskHref } from "./router.js";
import { usePoll } from "./use-poll.js";

function Log({
  pathspec,
  stream,
  attempt,
  live,
}: {
  pathspec: string;
  stream: string;
  attempt: number;
  live: boolean;
}) {
  const [text, setText] = useState("");
  useEffect(() => {
    let offset = 0;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setText("");
    const read = async () => {
      try {
        const chunk = await getJson<LogChunk>(
          `/api/logs/${pathspec}?stream=${stream}&attempt=${attempt}&offset=${offset}`,
        );
        if (stopped) return;
        offset = chunk.next;
        if (chunk.text) setText((t) => t + chunk.text);
        if (live && !chunk.finished) timer = setTimeout(read, 1000);
      } catch {
        if (!stopped && live) timer = setTimeout(read, 2000);
      }
    };
    void read();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [pathspec, stream, attempt, live]);
  return (
    <pre class={`log log-${stream}`} data-stream={stream}>
      {text || <span class="muted">(nothing printed)</span>}
    </pre>
  );
}

/** Arrays of flat objects as a table, everything else as JSON. */
function Value({ value }: { value: unknown }) {
  if (
    Array.isArray(value) &&
    value.length > 0 &&
    value.length <= 200 &&
    value.every((v) => v && typeof v === "object" && !Array.isArray(v))
  ) {
    const columns = [...new Set(value.flatMap((row) => Object.keys(row as object)))];
    return (
      <table class="value-table">
        <thead>
          <tr>
            {columns.map((c) => (
              <th>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {value.map((row) => (
            <tr>
              {columns.map((c) => (
                <td>{JSON.stringify((row as Record<string, unknown>)[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  const line = JSON.stringify(value);
  return <pre class="value">{line.length <= 80 ? line : JSON.stringify(value, null, 2)}</pre>;
}

function Artifact({ pathspec, artifact }: { pathspec: string; artifact: ArtifactView }) {
  return (
    <tr class="artifact" data-artifact={artifact.name}>
      <th>{artifact.name}</th>
      <td>{artifact.type}</td>
      <td>{bytes(artifact.size)}</td>
      <td>
        {"value" in artifact ? (
          <Value value={artifact.value} />
        ) : (
          <span class="muted">too large to show</span>
        )}
      </td>
      <td>
        <a href={`/api/artifacts/${pathspec}/${encodeURIComponent(artifact.name)}`} download>
          download
        </a>
      </td>
    </tr>
  );
}

/** A task `resume` cloned ran nowhere: its cards (and what else it drew) are the origin task's. */
function CloneNotice({ origin }: { origin: string }) {
  const [flow, run, step, task] = origin.split("/");
  if (!flow || !run || !step || !task) return <p class="muted">Cloned by resume from {origin}.</p>;
  return (
    <p class="muted clone-notice">
      Cloned by resume from <a href={taskHref(flow, run, step, task)}>{origin}</a>, the task that ran; its
      cards are there.
    </p>
  );
}

export function TaskPage(props: { flow: string; run: string; step: string; task: string }) {
  const pathspec = encodePath(props.flow, props.run, props.step, props.task);
  const { value: task, error } = usePoll<TaskView>(
    `/api/tasks/${pathspec}`,
    1000,
    (t) => t.status === "running",
  );
  const [stream, setStream] = useState("stdout");
  const [attempt, setAttempt] = useState<number | undefined>(undefined);
  if (!task) return <p class="muted">{error ?? "Loading the task…"}</p>;
  const shown = attempt ?? task.attempts.at(-1)?.attempt ?? 0;
  const now = new Date().toISOString();
  return (
    <div class="task-page" data-status={task.status}>
      <p class="crumbs">
        <a href="/">Flows</a> / {props.flow} / <a href={runHref(props.flow, props.run)}>{props.run}</a> /{" "}
        {props.step}
      </p>
      <h1>
        {props.step}/{props.task} <StatusBadge status={task.status} />
      </h1>
      {task.choice ? (
        <p>
          Switch: the condition was <code>{task.choice.value}</code>, so <b>{task.choice.next}</b> ran next.
        </p>
      ) : null}
      {task.index !== undefined ? <p class="muted">Foreach item {task.index}.</p> : null}
      {task.origin ? <CloneNotice origin={task.origin} /> : null}
      <table class="attempts">
        <thead>
          <tr>
            <th>attempt</th>
            <th>status</th>
            <th>started</th>
            <th>duration</th>
            <th>error</th>
          </tr>
        </thead>
        <tbody>
          {task.attempts.map((a) => (
            <tr class={a.attempt === shown ? "selected" : ""} onClick={() => setAttempt(a.attempt)}>
              <td>{a.attempt}</td>
              <td>
                <StatusBadge status={a.status} />
              </td>
              <td>{when(a.startedAt)}</td>
              <td>{between(a.startedAt, a.endedAt, now)}</td>
              <td class="failure">{a.failure ? `${a.failure.type}: ${a.failure.message}` : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <TaskCards pathspec={pathspec} attempt={shown} live={task.status === "running"} />
      <h2>
        Output of attempt {shown}{" "}
        {["stdout", "stderr"].map((s) => (
          <button type="button" class={s === stream ? "tab active" : "tab"} onClick={() => setStream(s)}>
            {s}
          </button>
        ))}
      </h2>
      <Log pathspec={pathspec} stream={stream} attempt={shown} live={task.status === "running"} />
      <h2>Artifacts</h2>
      {task.artifacts.length === 0 ? (
        <p class="muted">No artifacts.</p>
      ) : (
        <table class="artifacts">
          <thead>
            <tr>
              <th>name</th>
              <th>type</th>
              <th>size</th>
              <th>value</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {task.artifacts.map((a) => (
              <Artifact pathspec={pathspec} artifact={a} />
            ))}
          </tbody>
        </table>
      )}
      {task.inputs.length > 0 ? (
        <p class="muted inputs">
          Inputs: {task.inputs.slice(0, 20).join(", ")}
          {task.inputs.length > 20 ? ", …" : ""}
        </p>
      ) : null}
    </div>
  );
}
