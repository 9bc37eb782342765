/** One task: its attempts, its output (tailed while it runs) and its artifacts. */
import { useState } from "preact/hooks";
import type { ArtifactView, TaskView } from "./api.js";
import { encodePath } from "./api.js";
import { TaskCards } from "./card-view.js";
import { between, bytes } from "./format.js";
import { LogPanel } from "./log-panel.js";
import { flowHref, pathspecHref, runHref, useTitle } from "./router.js";
import { usePoll } from "./use-poll.js";
import { ValueView } from "./value-view.js";
import { NotFound, StatusBadge, When } from "./widgets.js";

function Artifact({ pathspec, artifact }: { pathspec: string; artifact: ArtifactView }) {
  return (
    <tr class="artifact" data-artifact={artifact.name}>
      <th scope="row">{artifact.name}</th>
      <td class="artifact-type">
        {artifact.type}
        <br />
        <span class="muted">{bytes(artifact.size)}</span>
        <br />
        <a href={`/api/artifacts/${pathspec}/${encodeURIComponent(artifact.name)}`} download>
          download
        </a>
      </td>
      <td class="value">
        {artifact.preview ? (
          <>
            <ValueView value={artifact.preview} />
            {artifact.partial ? <p class="muted">Its first values; download for all.</p> : null}
          </>
        ) : artifact.error ? (
          <span class="failure">{artifact.error}</span>
        ) : (
          <span class="muted">too large to show ({bytes(artifact.size)}): download it</span>
        )}
      </td>
    </tr>
  );
}

/** A task `resume` cloned ran nowhere: its cards (and what else it drew) are the origin task's. */
function CloneNotice({ origin }: { origin: string }) {
  return (
    <p class="muted clone-notice">
      Cloned by resume from <a href={pathspecHref(origin)}>{origin}</a>, the task that ran; its logs and any
      cards it drew are there.
    </p>
  );
}

/** The crumbs, the name and state, and what else the task's record says about how it came to run. */
function TaskHeader(props: { flow: string; run: string; step: string; task: string; view: TaskView }) {
  const { view: task } = props;
  return (
    <>
      <p class="crumbs">
        <a href="/">Flows</a> / <a href={flowHref(props.flow)}>{props.flow}</a> /{" "}
        <a href={runHref(props.flow, props.run)}>{props.run}</a> / {props.step}
      </p>
      <h1>
        {props.step}/{props.task} <StatusBadge status={task.state} />
      </h1>
      {task.state === "killed" ? (
        <p class="error">This task never finished: its run is no longer running (killed).</p>
      ) : null}
      {task.choice ? (
        <p>
          Switch: the condition was <code>{task.choice.value}</code>, so <b>{task.choice.next}</b> ran next.
        </p>
      ) : null}
      {task.index !== undefined ? (
        <div class="foreach-item">
          Foreach item {task.index}
          {task.input ? (
            <>
              : <ValueView value={task.input} />
            </>
          ) : null}
        </div>
      ) : null}
      {task.origin ? <CloneNotice origin={task.origin} /> : null}
    </>
  );
}

/**
 * A row per attempt. A click on the row shows that attempt on the stream already picked; its button
 * also forgets the pick, so the attempt opens on the stream its status suggests.
 */
function Attempts(props: {
  attempts: TaskView["attempts"];
  shown: number;
  now: string;
  setAttempt: (attempt: number) => void;
  setStream: (stream: string | undefined) => void;
}) {
  const { shown, now, setAttempt, setStream } = props;
  return (
    <table class="attempts">
      <thead>
        <tr>
          <th scope="col">attempt</th>
          <th scope="col">status</th>
          <th scope="col">started</th>
          <th scope="col">duration</th>
          <th scope="col">error</th>
        </tr>
      </thead>
      <tbody>
        {props.attempts.map((a) => (
          <tr class={a.attempt === shown ? "selected" : ""} onClick={() => setAttempt(a.attempt)}>
            <td>
              <button
                type="button"
                class="attempt-button"
                aria-pressed={a.attempt === shown}
                onClick={(e) => {
                  e.stopPropagation();
                  setAttempt(a.attempt);
                  setStream(undefined);
                }}
              >
                {a.attempt}
              </button>
            </td>
            <td>
              <StatusBadge status={a.caught ? "caught" : a.status} />
            </td>
            <td>
              <When iso={a.startedAt} now={now} />
            </td>
            <td>{a.status === "killed" ? "unknown" : between(a.startedAt, a.endedAt, now)}</td>
            <td class="failure">{a.failure ? `${a.failure.type}: ${a.failure.message}` : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** "Output of attempt 2" with the stdout / stderr tabs. */
function OutputHeading(props: { attempt: number; stream: string; setStream: (stream: string) => void }) {
  const { stream, setStream } = props;
  return (
    <h2>
      Output of attempt {props.attempt}{" "}
      <span role="tablist" aria-label="stream">
        {["stdout", "stderr"].map((s) => (
          <button
            type="button"
            role="tab"
            aria-selected={s === stream}
            class={s === stream ? "tab active" : "tab"}
            onClick={() => setStream(s)}
          >
            {s}
          </button>
        ))}
      </span>
    </h2>
  );
}

function Artifacts({ pathspec, artifacts }: { pathspec: string; artifacts: ArtifactView[] }) {
  if (artifacts.length === 0) return <p class="muted">No artifacts.</p>;
  return (
    <table class="artifacts">
      <colgroup>
        <col class="artifact-name" />
        <col class="artifact-meta" />
        <col />
      </colgroup>
      <thead>
        <tr>
          <th scope="col">name</th>
          <th scope="col">type</th>
          <th scope="col">value</th>
        </tr>
      </thead>
      <tbody>
        {artifacts.map((a) => (
          <Artifact pathspec={pathspec} artifact={a} />
        ))}
      </tbody>
    </table>
  );
}

/** The tasks this one read from, the first 20 of them linked. */
function Inputs({ inputs }: { inputs: string[] }) {
  if (inputs.length === 0) return null;
  return (
    <p class="muted inputs">
      Inputs:{" "}
      {inputs.slice(0, 20).map((input, i) => (
        <>
          {i > 0 ? ", " : ""}
          <a href={pathspecHref(input)}>{input.split("/").slice(2).join("/")}</a>
        </>
      ))}
      {inputs.length > 20 ? `, … (${inputs.length} in all)` : ""}
    </p>
  );
}

export function TaskPage(props: { flow: string; run: string; step: string; task: string }) {
  useTitle(`${props.step}/${props.task} · ${props.flow}/${props.run}`);
  const pathspec = encodePath(props.flow, props.run, props.step, props.task);
  // Read again while the task runs, or may be tried again, and its run runs: a killed run's tasks never end.
  const {
    value: task,
    error,
    missing,
  } = usePoll<TaskView>(
    `/api/tasks/${pathspec}`,
    1000,
    (t) => t.state === "running" || (t.runStatus === "running" && t.state === "failed"),
  );
  const [chosen, setStream] = useState<string | undefined>(undefined);
  const [attempt, setAttempt] = useState<number | undefined>(undefined);
  if (missing)
    return (
      <NotFound
        what={error ?? `No task ${props.step}/${props.task}.`}
        back={{ href: runHref(props.flow, props.run), label: `${props.flow}/${props.run}` }}
      />
    );
  if (!task) return <p class="muted">{error ?? "Loading the task…"}</p>;
  const shown = task.attempts.find((a) => a.attempt === attempt) ?? task.attempts.at(-1)!;
  // A failed attempt's stack is on stderr (a caught one's too): open there unless a stream was picked.
  const stream =
    chosen ?? (shown.status === "failed" || shown.status === "killed" || shown.caught ? "stderr" : "stdout");
  return (
    <div class="task-page" data-status={task.status} data-state={task.state}>
      <TaskHeader {...props} view={task} />
      <Attempts
        attempts={task.attempts}
        shown={shown.attempt}
        now={new Date().toISOString()}
        setAttempt={setAttempt}
        setStream={setStream}
      />
      <TaskCards pathspec={pathspec} attempt={shown.attempt} live={shown.status === "running"} />
      <OutputHeading attempt={shown.attempt} stream={stream} setStream={setStream} />
      <LogPanel pathspec={pathspec} stream={stream} attempt={shown.attempt} live={task.state === "running"} />
      <h2>Artifacts</h2>
      <Artifacts pathspec={pathspec} artifacts={task.artifacts} />
      <Inputs inputs={task.inputs} />
    </div>
  );
}
