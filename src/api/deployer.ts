/**
 * `Deployer`: deploy a flow to AWS Step Functions from code, as `step-functions create` does, or
 * run it the way production will without an AWS account, as `step-functions simulate` does.
 */
import {
  DEFAULT_DISTRIBUTED_MAP,
  DEFAULT_MAX_WORKERS,
  DISTRIBUTED_MAP_SETTINGS,
  type DistributedMapSetting,
} from "../aws/compile/compile-options.js";
import { normalizeToken } from "../aws/deploy/deployment-metadata.js";
import type { SandboxKind } from "../aws/simulate/container-sandbox.js";
import type { Run } from "../client/run.js";
import { checkTag } from "../client/run-tags.js";
import { userCacheRoot } from "../config.js";
import type { StepDecorator } from "../flow/decorators.js";
import type { ParametersOf } from "../flow/flow-builder.js";
import type { FlowSpec } from "../flow/types.js";
import { FLOWSHIP_VERSION } from "../version.js";
import type { AwsOptions } from "./aws-session.js";
import { openAwsSession } from "./aws-session.js";
import { choiceOption, wholeOption, withDecorators } from "./check-options.js";
import { DeployedFlow } from "./deployed-flow.js";
import { API_ERROR_CODES, ApiUsageError } from "./errors.js";
import { type FlowInput, flowFileOf, loadFlowInput } from "./flow-source.js";
import type { RunArtifacts, WithoutParameters } from "./parameters.js";

/** How the flow is compiled and deployed: `step-functions create`'s options. */
export interface StepFunctionsOptions {
  /** The state machine's name. @default the flow's name (in a project, the branch's name for it) */
  name?: string;
  /** For a flow with a project: deploy this branch (`test.<branch>`). @default the user's own */
  branch?: string;
  /** For a flow with a project: deploy its production branch. @default false */
  production?: boolean;
  /** Most foreach iterations running at once; 0 means no limit. @default 100 */
  maxWorkers?: number;
  /** Run foreaches as Distributed Maps: always, never, or when needed. @default "auto" */
  distributedMap?: DistributedMapSetting;
  /** The widest foreach the deployment must run. @default what an inline Map's history holds */
  maxForeachWidth?: number;
  /** Fail an execution that runs longer than this. @default no limit */
  workflowTimeoutSeconds?: number;
  /** Time limit of a step's Batch job, queue time included, for steps without `timeout`. @default 86400 */
  taskTimeoutSeconds?: number;
  /** Published versions to keep, newest first. @default 20 */
  keepVersions?: number;
  /** Decorators added to every step that has none of their kind, as `--with`. @default [] */
  with?: readonly (StepDecorator | string)[];
  /** Tags of every production run. @default [] */
  tags?: readonly string[];
  /** The Client API namespace of the tasks. @default production:<token> */
  namespace?: string;
  /** The production token of the deployment, when someone else deployed it. */
  authorize?: string;
  /** The folder whose sources the code package ships. @default the current folder when it holds the flow file, else the flow file's folder */
  sourceRoot?: string;
}

/** Options of `create()` that change the production token. */
export interface CreateOptions {
  /** Move production runs to a new namespace with a generated token. @default false */
  generateNewToken?: boolean;
  /** Move production runs to namespace `production:<newToken>`. */
  newToken?: string;
}

/** Options of `simulate()`. */
export interface SimulateOptions {
  /** Where the run is stored: a local folder or `s3://bucket/prefix`. @default the local datastore (FLOWSHIP_DATASTORE_ROOT, else ./.flowship) */
  datastoreRoot?: string;
  /** The production token: the run lands in namespace `production:<token>`. @default FLOWSHIP_PRODUCTION_TOKEN, else the flow's name in lowercase */
  token?: string;
  /** The execution's name; the run id is `sfn-<name>`. @default local-<milliseconds since 1970> */
  executionName?: string;
  /** Where each job's command runs. @default "auto" (bubblewrap when it works) */
  sandbox?: SandboxKind;
  /** Variables every job gets, as the image would set them. @default {} */
  env?: Record<string, string>;
  /** Multiplies Retry intervals (0.01 to test retries quickly). @default 1 */
  retryIntervalScale?: number;
  /** Print the jobs' output here as the CLI does. @default false */
  showOutput?: boolean;
}

/**
 * Deploys a flow. Given the flow object, `simulate()` and the deployment's `trigger()` check
 * parameters against its declaration, and runs come back typed by its artifacts.
 *
 * @example
 * import { Deployer } from "flowship/api";
 * import parameterFlow from "./parameter_flow.js";
 *
 * const deployed = await new Deployer(parameterFlow).stepFunctions({ maxWorkers: 20 }).create();
 * const triggered = await deployed.trigger({ alpha: 0.5 });
 * console.log(await triggered.waitForCompletion({ timeoutMs: 600_000 }));
 */
export class Deployer<F extends FlowSpec = FlowSpec> {
  readonly #flow: FlowInput;
  readonly #options: AwsOptions;

  /** @param flow the flow object (`export default flow(…)` of a module of its own), or its file's path */
  constructor(flow: F | string, options: AwsOptions = {}) {
    this.#flow = flow;
    this.#options = options;
  }

  /** The flow on AWS Step Functions + AWS Batch, compiled with `options`. */
  stepFunctions(options: StepFunctionsOptions = {}): StepFunctionsDeployer<F> {
    return new StepFunctionsDeployer<F>(this.#flow, { ...options, ...this.#options });
  }
}

export class StepFunctionsDeployer<F extends FlowSpec = FlowSpec> {
  readonly #flow: FlowInput;
  readonly #options: StepFunctionsOptions & AwsOptions;

  /** @internal Use `new Deployer(flow).stepFunctions(options)`. */
  constructor(flow: FlowInput, options: StepFunctionsOptions & AwsOptions) {
    this.#flow = flow;
    this.#options = options;
  }

  /**
   * Deploys a new version and makes it the production version; the first deploy chooses the
   * production token. Checks every setting and limit before the first AWS call that changes anything.
   */
  async create(options: CreateOptions = {}): Promise<DeployedFlow<F>> {
    const { deployFlow, planDeploy } = await import("../aws/deploy/create.js");
    const { parameterSchema } = await import("../aws/deploy/deployment-metadata.js");
    const { datastoreLocation } = await import("../aws/batch/datastore-location.js");
    const { openStorage } = await import("../datastore/open-storage.js");
    const o = this.#options;
    const { keepVersions, ...compile } = deployNumbers(o);
    for (const tag of o.tags ?? []) checkTag(tag);
    const tokens = checkTokens(o, options);
    const decorators = withDecorators(o.with);
    // Compiled into the user's cache with the S3 backend: the code package's bundle.
    const { flow, compiled } = await loadFlowInput(this.#flow, { codeRoot: userCacheRoot(), withS3: true });
    const plan = planDeploy(flow);
    const session = await openAwsSession({
      flow,
      call: CREATE,
      name: o.name,
      branch: o.branch,
      production: o.production,
      required: plan.settings,
      aws: o.aws,
    });
    const result = await deployFlow({
      flow,
      compiled,
      ...session,
      storage: await openStorage(datastoreLocation(session.settings.s3Root!)),
      ...(o.sourceRoot === undefined ? {} : { sourceRoot: o.sourceRoot }),
      ...tokens,
      ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
      tags: o.tags ?? [],
      ...(keepVersions === undefined ? {} : { keepVersions }),
      compile,
      withDecorators: decorators,
    });
    return new DeployedFlow<F>({
      session,
      // What the deploy just wrote into the state machine's tags.
      metadata: {
        flow: flow.name,
        owner: session.user,
        token: result.token,
        flowshipVersion: FLOWSHIP_VERSION,
        parameters: parameterSchema(flow),
        runTags: [...(o.tags ?? [])],
        ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
      },
      spec: flow,
      withDecorators: decorators,
      authorize: tokens.authorize,
    });
  }

  /**
   * Runs the flow the way production will — its compiled state machine, its code package, each
   * Batch job's command in a sandbox — on this machine, and returns the finished run (in the
   * production namespace). A failed execution is a RunFailedError with FS_SIMULATE_FAILED.
   */
  simulate(parameters: ParametersOf<F>, options?: SimulateOptions): Promise<Run<RunArtifacts<F>>>;
  /** Without parameters: only for a flow whose parameters all have defaults (the type error names those missing). */
  simulate(
    this: WithoutParameters<F, "simulate">,
    parameters?: undefined,
    options?: SimulateOptions,
  ): Promise<Run<RunArtifacts<F>>>;
  async simulate(parameters?: object, options: SimulateOptions = {}): Promise<Run<RunArtifacts<F>>> {
    const { simulateFlow } = await import("./simulate.js");
    const o = this.#options;
    const numbers = deployNumbers(o);
    return simulateFlow<RunArtifacts<F>>({
      flow: this.#flow,
      file: flowFileOf(this.#flow),
      parameters,
      ...options,
      ...(o.branch === undefined ? {} : { branch: o.branch }),
      ...(o.production ? { production: true } : {}),
      compile: {
        maxWorkers: numbers.maxWorkers,
        distributedMap: numbers.distributedMap ?? DEFAULT_DISTRIBUTED_MAP,
        ...(numbers.maxForeachWidth === undefined ? {} : { maxForeachWidth: numbers.maxForeachWidth }),
        withDecorators: withDecorators(o.with),
      },
      tags: o.tags ?? [],
      ...(o.sourceRoot === undefined ? {} : { sourceRoot: o.sourceRoot }),
    });
  }
}

/** How messages name the calls whose options these are. */
const CREATE = "new Deployer(…).stepFunctions().create()";
const STEP_FUNCTIONS = "stepFunctions()";

/** The production tokens given, checked and without their `production:` prefix; both new-token options at once are refused. */
function checkTokens(o: StepFunctionsOptions, create: CreateOptions) {
  if (create.newToken !== undefined && create.generateNewToken) {
    throw new ApiUsageError(
      API_ERROR_CODES.badOption,
      `Conflicting options of create(): 'newToken and generateNewToken'. Give one of them.`,
    );
  }
  return {
    ...(o.authorize === undefined
      ? {}
      : { authorize: normalizeToken(o.authorize, `option authorize of ${STEP_FUNCTIONS}`) }),
    generateNewToken: create.generateNewToken ?? false,
    ...(create.newToken === undefined
      ? {}
      : { newToken: normalizeToken(create.newToken, "option newToken of create()") }),
  };
}

/** The numeric options, checked as the CLI checks its flags. */
function deployNumbers(o: StepFunctionsOptions) {
  const whole = (name: string, value: number | undefined, min: number) =>
    wholeOption(STEP_FUNCTIONS, name, value, min);
  const numbers = {
    maxWorkers: whole("maxWorkers", o.maxWorkers, 0) ?? DEFAULT_MAX_WORKERS,
    taskTimeoutSeconds: whole("taskTimeoutSeconds", o.taskTimeoutSeconds, 60),
    keepVersions: whole("keepVersions", o.keepVersions, 1),
    workflowTimeoutSeconds: whole("workflowTimeoutSeconds", o.workflowTimeoutSeconds, 1),
    maxForeachWidth: whole("maxForeachWidth", o.maxForeachWidth, 1),
    distributedMap: choiceOption(
      STEP_FUNCTIONS,
      "distributedMap",
      o.distributedMap,
      DISTRIBUTED_MAP_SETTINGS,
    ),
  };
  return Object.fromEntries(Object.entries(numbers).filter(([, v]) => v !== undefined)) as {
    maxWorkers: number;
    taskTimeoutSeconds?: number;
    keepVersions?: number;
    workflowTimeoutSeconds?: number;
    maxForeachWidth?: number;
    distributedMap?: DistributedMapSetting;
  };
}
