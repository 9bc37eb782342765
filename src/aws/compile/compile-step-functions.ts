/**
 * Everything a deploy of a flow to Step Functions needs, compiled at once and without network
 * access: the state machine definition and the Batch job definition its steps run with.
 */
import type { FlowSpec } from "../../flow/types.js";
import type { FlowGraph } from "../../graph/flow-graph.js";
import { validateFlow } from "../../graph/validate.js";
import { PLACEHOLDERS, type StepFunctionsCompileOptions } from "./compile-options.js";
import { type CompiledStateMachine, compileStateMachine } from "./compile-state-machine.js";
import {
  compileJobDefinition,
  type JobDefinitionInput,
  type JobDefinitionOptions,
} from "./job-definition.js";

/** Placeholders for what only exists once the code package is uploaded. */
export const CODE_PACKAGE_PLACEHOLDERS = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's placeholder syntax, meant literally
  url: "${FlowshipCodePackageUrl}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's placeholder syntax, meant literally
  sha256: "${FlowshipCodePackageSha256}",
} as const;

export interface StepFunctionsDeploymentOptions extends StepFunctionsCompileOptions {
  /**
   * The job definition's settings; the code package ones (and a Fargate job's execution role)
   * default to placeholders. Its compute kind is the top-level `compute`.
   */
  job?: Partial<Omit<JobDefinitionOptions, "flow" | "datastoreRoot" | "compute">>;
}

export interface StepFunctionsDeployment extends CompiledStateMachine {
  /** RegisterJobDefinition inputs; the state machine submits every step with the first one. */
  jobDefinitions: JobDefinitionInput[];
}

function isGraph(value: FlowSpec | FlowGraph): value is FlowGraph {
  return "nodes" in value && value.nodes instanceof Map;
}

/**
 * Compiles a flow (validated first) or a flow graph into a state machine definition and its
 * Batch job definition.
 *
 * @example
 * const { definition, jobDefinitions, stats } = compileStepFunctions(myFlow, {
 *   jobQueue: "flows",
 *   datastoreRoot: "s3://my-bucket/flowship",
 * });
 */
export function compileStepFunctions(
  flow: FlowSpec | FlowGraph,
  options: StepFunctionsDeploymentOptions = {},
): StepFunctionsDeployment {
  const graph = isGraph(flow) ? flow : validateFlow(flow);
  const { job = {}, ...compileOptions } = options;
  const jobDefinition = compileJobDefinition({
    ...job,
    flow: graph.flow.name,
    datastoreRoot: options.datastoreRoot ?? PLACEHOLDERS.datastoreRoot,
    codePackageUrl: job.codePackageUrl ?? CODE_PACKAGE_PLACEHOLDERS.url,
    codePackageSha256: job.codePackageSha256 ?? CODE_PACKAGE_PLACEHOLDERS.sha256,
    ...(options.compute === "fargate"
      ? { compute: "fargate", executionRoleArn: job.executionRoleArn ?? PLACEHOLDERS.executionRole }
      : {}),
  });
  const machine = compileStateMachine(graph, {
    ...compileOptions,
    jobDefinition: compileOptions.jobDefinition ?? jobDefinition.jobDefinitionName,
  });
  return { ...machine, jobDefinitions: [jobDefinition] };
}
