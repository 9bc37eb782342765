/**
 * The JSON the UI server answers with: written by read-model.ts, read by the front-end
 * (ui/app). Types only, with no imports, so both the server and the browser code use them.
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
  runs: RunSummary[];
  deployments: DeploymentView[];
}

export interface AttemptView {
  attempt: number;
  status: string;
  startedAt: string;
  endedAt?: string;
  failure?: { type: string; message: string };
}

export interface TaskSummary {
  id: string;
  status: string;
  attempts: AttemptView[];
  /** The foreach item index of the innermost foreach. */
  index?: number;
  choice?: { value: string; next: string };
}

export interface RunView {
  flow: string;
  run: RunSummary & { failureReason?: string; originRunId?: string; scheduledTime?: string };
  parameters: Record<string, unknown>;
  graph: readonly {
    name: string;
    type: string;
    next: readonly string[];
    cases?: Readonly<Record<string, string>>;
  }[];
  steps: Record<string, TaskSummary[]>;
  /** The server's clock, to draw bars of running attempts up to now. */
  now: string;
}

export interface ArtifactView {
  name: string;
  type: string;
  size: number;
  /** The value as JSON, for small artifacts. */
  value?: unknown;
}

export interface TaskView extends TaskSummary {
  flow: string;
  runId: string;
  step: string;
  inputs: string[];
  origin?: string;
  artifacts: ArtifactView[];
}

export interface LogChunk {
  text: string;
  /** The offset to ask from next. */
  next: number;
  finished: boolean;
}
