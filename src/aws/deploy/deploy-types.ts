/**
 * What `step-functions create` takes and gives back: the plan made before any AWS call, the
 * options of a deploy and its result. Their own module, so that the parts of a deploy
 * (apply-triggers.ts) name them without importing the deploy itself.
 */
import type { Storage } from "../../datastore/storage.js";
import type { StepDecorator } from "../../flow/decorators.js";
import type { ProjectBranch } from "../../flow/project.js";
import type { FlowSpec } from "../../flow/types.js";
import type { FlowGraph } from "../../graph/flow-graph.js";
import type { CompiledFlow } from "../../run/compile-flow.js";
import type { StepFunctionsCompileOptions } from "../compile/compile-options.js";
import type { StepFunctionsDeployment } from "../compile/compile-step-functions.js";
import type { StoredCodePackage } from "../package/code-package-store.js";
import type { SchedulePlan } from "../schedule/schedule-plan.js";
import type { AwsSettingName, AwsSettings } from "./aws-settings.js";
import type { DeployClients } from "./deployment.js";
import type { DeployedEventTrigger, EventTrigger } from "./event-triggers.js";
import type { DeployedNotify, NotifyChoice } from "./notify.js";
import type { DeployTarget } from "./resource-names.js";
import type { DeployedSchedule } from "./schedule.js";
import type { DeployedTrigger } from "./trigger-on-finish.js";

/** What can be known about a deploy before any AWS call. */
export interface DeployPlan {
  graph: FlowGraph;
  schedule?: SchedulePlan;
  /** Flows whose success starts this one (`triggerOnFinish`). */
  upstream: string[];
  /** Events that start it (`trigger`). */
  eventTriggers: EventTrigger[];
  /** The settings this deploy needs. */
  settings: AwsSettingName[];
}

/** The compile options a deploy takes from its caller; `withDecorators` is its own option (the tasks get it too). */
export type DeployCompileOptions = Pick<
  StepFunctionsCompileOptions,
  "maxWorkers" | "distributedMap" | "maxForeachWidth" | "workflowTimeoutSeconds" | "taskTimeoutSeconds"
>;

/** What a deploy is given. */
export interface DeployFlowOptions {
  flow: FlowSpec;
  /** The flow compiled with the S3 backend: `compileFlow({ file, outDir, withS3: true })`. */
  compiled: CompiledFlow;
  target: DeployTarget;
  settings: AwsSettings;
  clients: DeployClients;
  /** The S3 datastore at `settings.s3Root`, where the code package goes. */
  storage: Storage;
  /** Who deploys (recorded as the owner). */
  user: string;
  /** The production token of the existing deployment, when `user` did not deploy it. */
  authorize?: string;
  /** Move production runs to a new namespace with a generated token. @default false */
  generateNewToken?: boolean;
  /** Move production runs to namespace `production:<newToken>`. */
  newToken?: string;
  /** Client API namespace of the tasks instead of `production:<token>`. */
  namespace?: string;
  /** Tags every production run gets. @default [] */
  tags?: readonly string[];
  /**
   * Published versions to keep, newest first (the production one is always kept); older ones are
   * deleted after the deploy. @default 20
   */
  keepVersions?: number;
  /**
   * The compile options chosen for the deployment (foreach, timeouts), carried whole to the
   * compiler; their defaults are the compiler's. Where jobs run, the job definition and the
   * compute come from the deploy itself. @default {}
   */
  compile?: DeployCompileOptions;
  /** `--with` decorators, applied in the state machine and in the tasks. @default [] */
  withDecorators?: readonly StepDecorator[];
  /** Folder the flow's sources are packaged relative to. @default process.cwd() */
  sourceRoot?: string;
  /** When the schedule's next fire times are counted from. @default now */
  now?: Date;
  /** Waits while a webhook's new EventBridge connection authorizes. @default a timer */
  sleep?: (ms: number) => Promise<void>;
  /** Alerts on finished runs; without it a redeploy removes them. */
  notify?: NotifyChoice;
}

/** What a deploy did. */
export interface DeployResult {
  name: string;
  /** The project branch deployed, for a flow with a project. */
  project?: ProjectBranch;
  stateMachineArn: string;
  aliasArn: string;
  /** The version just published, now the production version. */
  version: number;
  token: string;
  /** True when this deploy chose a new token (first deploy, or asked for). */
  newToken: boolean;
  /** `production:<token>`. */
  namespace: string;
  firstDeploy: boolean;
  /** Versions deleted because more than `keepVersions` were kept. */
  prunedVersions: number[];
  /** What went wrong after production moved to the new version (the deploy itself succeeded). */
  warnings: string[];
  codePackage: StoredCodePackage;
  jobDefinitionArn: string;
  deployment: StepFunctionsDeployment;
  schedule?: DeployedSchedule;
  triggerOnFinish?: DeployedTrigger;
  notify?: DeployedNotify;
  /** The previous deployment had alerts, and this one, deployed without `notify`, removed them. */
  notifyRemoved?: true;
  /** The events that start the flow, with their rules. */
  eventTriggers?: DeployedEventTrigger[];
}
