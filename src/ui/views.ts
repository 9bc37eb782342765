/**
 * The JSON the UI server answers with: written by the read model (read-model.ts and the
 * modules it uses), read by the front-end (ui/app). Types only, with no imports, so both the
 * server and the browser code use them.
 */

export interface RunSummary {
  id: string;
  status: "running" | "succeeded" | "failed" | "killed";
  startedAt: string;
  endedAt?: string;
  user: string;
  namespace: string;
  tags: readonly string[];
  systemTags: readonly string[];
  /** The first line of why a failed run failed. */
  reason?: string;
}

export interface DeploymentView {
  name: string;
  version: number;
  namespace: string;
  deployedAt: string;
  deployedBy: string;
  schedule?: { expression: string; timezone: string; next: string[] };
}

export interface FlowView {
  name: string;
  /** The newest runs. */
  runs: RunSummary[];
  /** How many runs the flow has in all. */
  runCount: number;
  /** The newest failed run among the latest ones (see FAILURE_WINDOW), with its reason's first line. */
  latestFailure?: { runId: string; startedAt: string; reason: string };
  /** When the flow last did something: its newest run started or ended, or it was deployed. */
  lastActivity?: string;
  deployments: DeploymentView[];
}

/** `/api/flows/<Flow>/runs`: one page of a flow's runs, filtered. */
export interface FlowRunsView {
  flow: string;
  /** Runs of the flow in all, and those the filters let through. */
  total: number;
  matched: number;
  offset: number;
  limit: number;
  runs: RunSummary[];
  /** Runs whose records could not be read (corrupt): left out of the list, named here. */
  unreadable: string[];
  /** Values the filters can take, from every run of the flow. */
  facets: { users: string[]; tags: string[]; branches: string[] };
  deployments: DeploymentView[];
}

export interface AttemptView {
  attempt: number;
  /** `killed`: it never ended, and the run is no longer running. */
  status: "running" | "succeeded" | "failed" | "killed";
  /** It failed, and catchError let the flow go on. */
  caught?: boolean;
  startedAt: string;
  endedAt?: string;
  failure?: { type: string; message: string };
}

/**
 * A task as a reader should see it: `caught` (failed, handled by catchError), `cancelled` (the
 * run stopped it because another task failed), `killed` (never ended; the run is not running).
 */
export type TaskState = "succeeded" | "caught" | "failed" | "cancelled" | "running" | "killed";

export interface TaskSummary {
  id: string;
  /** Of the latest attempt, as recorded. */
  status: "running" | "succeeded" | "failed";
  state: TaskState;
  attempts: AttemptView[];
  /** The foreach item index of the innermost foreach, and the item itself on one line. */
  index?: number;
  item?: string;
  /** For a foreach step's task: how many items it fanned out to. */
  splits?: number;
  choice?: { value: string; next: string };
}

export interface RunView {
  flow: string;
  run: RunSummary & { failureReason?: string; originRunId?: string; scheduledTime?: string };
  parameters: Record<string, unknown>;
  graph: readonly {
    name: string;
    /** The graph's node type ("step": any, in runs recorded by older versions). */
    type: "linear" | "split" | "foreach" | "switch" | "join" | "end" | "step";
    next: readonly string[];
    cases?: Readonly<Record<string, string>>;
  }[];
  steps: Record<string, TaskSummary[]>;
  /** The server's clock, to draw bars of running attempts up to now. */
  now: string;
}

/** A value as the task page shows it (ui/artifact-preview.ts): what it is, cut to a budget. */
export type Shown =
  | { t: "null" }
  | { t: "undefined" }
  | { t: "absent" }
  | { t: "cut" }
  | { t: "circular" }
  | { t: "bool"; v: boolean }
  | { t: "num"; v: string }
  | { t: "bigint"; v: string }
  | { t: "other"; v: string }
  /** `v` is the first `v.length` of `len` characters. */
  | { t: "str"; v: string; len: number }
  | { t: "date"; v: string | null }
  | { t: "regexp"; v: string }
  | { t: "error"; name: string; message: string; stack?: string }
  /** The first items of `len`. */
  | { t: "arr"; len: number; items: Shown[] }
  | { t: "obj"; name?: string; size: number; entries: [string, Shown][] }
  | { t: "map"; size: number; entries: [Shown, Shown][] }
  | { t: "set"; size: number; items: Shown[] }
  /** A typed array of numbers: the first items of `len`, as text. */
  | { t: "typed"; name: string; len: number; items: string[] }
  /** Bytes: the first ones in hex, of `len`. */
  | { t: "bytes"; name: string; len: number; hex: string }
  /** An array of records: the first rows of `len`. */
  | { t: "table"; len: number; columns: string[]; rows: Shown[][] };

export interface ArtifactView {
  name: string;
  type: string;
  size: number;
  /** What the value is, cut to a budget; absent when it is too large to read for a preview. */
  preview?: Shown;
  /** The preview is of the first bytes only (a large array read in part). */
  partial?: boolean;
  /** Why the value could not be read (a missing or damaged blob). */
  error?: string;
}

export interface TaskView extends TaskSummary {
  flow: string;
  runId: string;
  step: string;
  /** The run's status: a task page stops reading again once the run is not running. */
  runStatus: RunSummary["status"];
  inputs: string[];
  origin?: string;
  /** A foreach task's item (`self.input`). */
  input?: Shown;
  artifacts: ArtifactView[];
}

export interface LogChunk {
  /** The text from byte `start` to byte `next` (whole lines while the log grows). */
  text: string;
  start: number;
  next: number;
  /** The log's size now, in bytes. */
  size: number;
  /** The attempt ended: no more bytes will come. */
  finished: boolean;
  /** When lines were printed: `[byte offset, epoch ms]`, the entries for this chunk (and the one before it). */
  times: [number, number][];
  /** A task cloned by resume prints nothing: the log shown is its origin's (`Flow/run/step/task`). */
  from?: string;
  /** The log was shorter than the offset asked for (cut, or written anew): this is its tail, to show instead of the lines before. */
  restarted?: boolean;
}

/** One card of a task attempt, drawn by the server (see card/render-html.ts). */
export interface CardView {
  id: string;
  title: string;
  /** False while the attempt runs: what its last refresh published. */
  final: boolean;
  updatedAt: string;
  /** The card as HTML, every piece of user text escaped; images point at /api/card-images/…. */
  html: string;
}

export interface CardsView {
  attempt: number;
  running: boolean;
  cards: CardView[];
}
