/**
 * `DeployedFlow`: a flow deployed to AWS Step Functions — made by `Deployer(…).stepFunctions().create()`,
 * opened by its state machine's name, or listed — and what the CLI's step-functions commands do
 * to it: trigger, list-runs, rollback, delete. A deployment is recognised by the metadata flowship
 * keeps in its state machine's tags (aws/deploy/deployment-metadata.ts).
 */

import type { DeleteResult } from "../aws/deploy/delete.js";
import type { DeploymentMetadata } from "../aws/deploy/deployment-metadata.js";
import type { RunStatusFilter } from "../aws/deploy/list-runs.js";
import type { RollbackResult } from "../aws/deploy/rollback.js";
import type { StepDecorator } from "../flow/decorators.js";
import type { ParametersOf } from "../flow/flow-builder.js";
import type { FlowSpec } from "../flow/types.js";
import { resolveParameters } from "../run/resolve-parameters.js";
import { type AwsOptions, type AwsSession, openAwsSession } from "./aws-session.js";
import { choiceOption } from "./check-options.js";
import { givenValues, type WithoutParameters } from "./parameters.js";
import { TriggeredRun } from "./triggered-run.js";

/** Options of a deployment opened by name. */
export interface DeployedFlowOptions extends AwsOptions {
  /** Its production token, when someone else deployed it: rollback, delete and terminate need it. */
  authorize?: string;
}

/** Which runs `listRuns` lists. */
export interface ListRunsOptions {
  /** Only runs of these Step Functions statuses. @default every run */
  status?: RunStatusFilter | readonly RunStatusFilter[];
}

export class DeployedFlow<F = FlowSpec> {
  /** The state machine's name. */
  readonly name: string;
  /** The flow's name. */
  readonly flow: string;
  /** Who deployed it last. */
  readonly owner: string;
  /** Production runs land in namespace `production:<token>`; others change the deployment with it. */
  readonly productionToken: string;
  /** The Client API namespace of its runs. */
  readonly namespace: string;
  readonly stateMachineArn: string;
  readonly #session: AwsSession;
  readonly #metadata: DeploymentMetadata;
  readonly #spec: FlowSpec | undefined;
  readonly #withDecorators: readonly StepDecorator[];
  readonly #authorize: string | undefined;

  /** @internal Use `Deployer(…).stepFunctions().create()`, `fromDeployment()` or `listDeployed()`. */
  constructor(options: {
    session: AwsSession;
    metadata: DeploymentMetadata;
    /** The flow's definition, when it was deployed from here: parameters are checked against it. */
    spec?: FlowSpec;
    withDecorators?: readonly StepDecorator[];
    authorize?: string | undefined;
  }) {
    const { session, metadata } = options;
    this.#session = session;
    this.#metadata = metadata;
    this.#spec = options.spec;
    this.#withDecorators = options.withDecorators ?? [];
    this.#authorize = options.authorize;
    this.name = session.target.name;
    this.flow = metadata.flow;
    this.owner = metadata.owner;
    this.productionToken = metadata.token;
    this.namespace = metadata.namespace ?? `production:${metadata.token}`;
    this.stateMachineArn = session.target.stateMachineArn;
  }

  /**
   * Opens the deployment whose state machine is `name`; FS_SFN_NOT_DEPLOYED when there is none,
   * FS_SFN_NOT_FLOWSHIP when flowship did not make it.
   *
   * @example
   * const deployed = await DeployedFlow.fromDeployment<typeof parameterFlow>("ParameterFlow");
   */
  static async fromDeployment<F = FlowSpec>(
    name: string,
    options: DeployedFlowOptions = {},
  ): Promise<DeployedFlow<F>> {
    const { requireDeployment } = await import("../aws/deploy/deployment.js");
    const { normalizeToken } = await import("../aws/deploy/deployment-metadata.js");
    const authorize =
      options.authorize === undefined
        ? undefined
        : normalizeToken(options.authorize, "option authorize of DeployedFlow.fromDeployment()");
    const session = await openAwsSession({
      call: "DeployedFlow.fromDeployment()",
      name,
      aws: options.aws,
    });
    const { metadata } = await requireDeployment(session.clients.sfn, session.target, { anyFlow: true });
    session.target = { ...session.target, flow: metadata.flow };
    return new DeployedFlow<F>({ session, metadata, authorize });
  }

  /** Every flowship deployment of the region, by state machine name. */
  static async listDeployed(options: AwsOptions = {}): Promise<DeployedFlow[]> {
    const { readMetadata } = await import("../aws/deploy/deployment-metadata.js");
    const { PRODUCTION_ALIAS } = await import("../aws/deploy/resource-names.js");
    const { isNotFound } = await import("../aws/deploy/errors.js");
    const session = await openAwsSession({
      call: "DeployedFlow.listDeployed()",
      name: "list",
      aws: options.aws,
    });
    const { sfn } = session.clients;
    const deployed: DeployedFlow[] = [];
    // One ListTagsForResource per state machine, one at a time: an account with hundreds of
    // them would otherwise meet Step Functions' request rate limit.
    for (const machine of await sfn.listStateMachines()) {
      if (!machine.stateMachineArn || !machine.name) continue;
      // A state machine deleted since the listing has no tags to read: it is not deployed.
      const tags = await sfn.listTags(machine.stateMachineArn).catch((error: { cause?: unknown }) => {
        if (isNotFound(error.cause)) return {};
        throw error;
      });
      const metadata = readMetadata(tags);
      if (!metadata) continue;
      const target = {
        ...session.target,
        name: machine.name,
        flow: metadata.flow,
        stateMachineArn: machine.stateMachineArn,
        aliasArn: `${machine.stateMachineArn}:${PRODUCTION_ALIAS}`,
      };
      deployed.push(new DeployedFlow({ session: { ...session, target }, metadata }));
    }
    return deployed.sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Starts a run of the production version, as `step-functions trigger` does: only the
   * parameters given are sent, checked against the flow's declaration (for a deployment opened by
   * name, against the parameters it was deployed with).
   */
  trigger(parameters: ParametersOf<F>): Promise<TriggeredRun<F>>;
  /** Without parameters: only for a flow whose parameters all have defaults (the type error names those missing). */
  trigger(this: WithoutParameters<F, "trigger">): Promise<TriggeredRun<F>>;
  async trigger(parameters?: object): Promise<TriggeredRun<F>> {
    const { executionInput, triggerFlow, MAX_INPUT_CHARS } = await import("../aws/deploy/trigger.js");
    const spec = this.#spec ?? deployedSpec(this.#metadata);
    const given = givenValues(spec, parameters);
    const values = await resolveParameters(spec, given, { user: this.#session.user });
    const sent = Object.fromEntries(
      [...Object.keys(given.text), ...Object.keys(given.json)].map((name) => [name, values[name]]),
    );
    // The room for parameters depends on the start step, which only the flow's definition tells.
    const budget = this.#spec
      ? (await import("../aws/compile/compile-step-functions.js")).compileStepFunctions(this.#spec, {
          name: this.name,
          withDecorators: this.#withDecorators,
        }).stats.parametersBudgetChars
      : MAX_INPUT_CHARS;
    const { sfn } = this.#session.clients;
    const started = await triggerFlow({
      sfn,
      target: this.#session.target,
      input: executionInput(this.flow, sent, budget),
    });
    return this.#triggered(started.runId, started.executionArn);
  }

  /** Its runs as Step Functions lists them, newest first. */
  async listRuns(options: ListRunsOptions = {}): Promise<TriggeredRun<F>[]> {
    const { listRuns, RUN_STATUSES } = await import("../aws/deploy/list-runs.js");
    const { executionArnOf } = await import("../aws/deploy/resource-names.js");
    // A status Step Functions does not have is named here, before any AWS call (moto lists nothing for it).
    const statuses = (options.status === undefined ? [] : [options.status].flat()).map(
      (status) => choiceOption("listRuns()", "status", status, Object.values(RUN_STATUSES))!,
    );
    const runs = await listRuns({ sfn: this.#session.clients.sfn, target: this.#session.target, statuses });
    return runs.map((r) => this.#triggered(r.runId, executionArnOf(this.#session.target, r.runId)));
  }

  /** Makes an earlier version the production version: `version`, else the one before the current. */
  async rollback(options: { version?: number } = {}): Promise<RollbackResult> {
    const { rollbackDeployment } = await import("../aws/deploy/rollback.js");
    return rollbackDeployment({
      ...this.#change(),
      ...(options.version === undefined ? {} : { version: options.version }),
    });
  }

  /** Deletes the state machine, its schedule, its triggerOnFinish, event and alert rules. Running runs go on. */
  async delete(): Promise<DeleteResult> {
    const { deleteDeployment } = await import("../aws/deploy/delete.js");
    const { datastoreLocation } = await import("../aws/batch/datastore-location.js");
    const { openStorage } = await import("../datastore/open-storage.js");
    const s3Root = this.#session.settings.s3Root;
    return deleteDeployment({
      ...this.#change(),
      ...(s3Root ? { storage: await openStorage(datastoreLocation(s3Root)) } : {}),
    });
  }

  #change() {
    const { clients, target, user } = this.#session;
    return {
      clients,
      target,
      user,
      ...(this.#authorize === undefined ? {} : { authorize: this.#authorize }),
    };
  }

  #triggered(runId: string, executionArn: string): TriggeredRun<F> {
    return new TriggeredRun<F>({
      flow: this.flow,
      runId,
      executionArn,
      session: this.#session,
      authorize: this.#authorize,
    });
  }
}

/**
 * The parameters a deployment was made with, as a flow whose values can be checked: types and
 * required ones. Defaults are the deployment's to apply when the run starts, so none is read here.
 */
function deployedSpec(metadata: DeploymentMetadata): FlowSpec {
  return {
    name: metadata.flow,
    steps: [],
    decorators: [],
    parameters: metadata.parameters.map((p) => ({
      name: p.name,
      type: p.type as FlowSpec["parameters"][number]["type"],
      required: p.required && p.default === undefined && !p.deployTime,
      hasDefault: false,
      // Deployments made before these were recorded take a list's text only, an included file's text as given.
      ...(p.separator === undefined ? {} : { separator: p.separator }),
      ...(p.includeFile ? { includeFile: true } : {}),
    })),
  };
}
