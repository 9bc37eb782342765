/**
 * Names of the flow, its steps and its parameters: legal, unique, not reserved. They become file
 * names in the datastore, CLI flags and AWS resource names, so the rules are strict.
 */
import { projectOf } from "../../flow/project.js";
import type { LintRule } from "./rule.js";
import { parameterLocation, stepIssue } from "./rule.js";

/** AWS state names are ≤ 80 characters; flowship adds prefixes of its own to some of them. */
export const MAX_NAME_LENGTH = 64;
const FLOW_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const STEP_NAME = /^[a-z][a-z0-9_]*$/;
const PARAMETER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/** Properties `self` already has in every step. */
export const RESERVED_ARTIFACT_NAMES = [
  "input",
  "index",
  "then",
  "constructor",
  "toJSON",
  "prototype",
  "__proto__",
];
/**
 * Options of the commands that take parameters (`run`, `resume`, `step-functions simulate` and
 * `trigger`, and the global ones) that a parameter would shadow or be mistaken for: compared
 * without case, `-` or `_`, so `maxWorkers`, `max_workers` and `--max-workers` are one name.
 * A test derives the options from the commands' --help and checks they are all here — except
 * `name`, too common a parameter to forbid: only `trigger` has a `--name` (the state machine's),
 * so there a parameter called `name` has no flag.
 */
export const RESERVED_PARAMETER_NAMES = [
  ...RESERVED_ARTIFACT_NAMES,
  "help",
  "version",
  "debug",
  "tag",
  "with",
  "namespace",
  "datastore",
  "max_workers",
  "max_foreach_width",
  "distributed_map",
  "run_id_file",
  "datastore_root",
  "origin_run_id",
  "isolation",
  "s3_root",
  "token",
  "execution_name",
  "retry_interval_scale",
  "sandbox",
  "source_root",
  "env",
  "max_loop_iterations",
  "scheduled_time",
];

/** A name as option parsing sees it: no case, no `-` or `_`. */
function optionKey(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, "");
}

const RESERVED_PARAMETER_KEYS = new Set(RESERVED_PARAMETER_NAMES.map(optionKey));

/** True when a parameter of this name would collide with an option or a property of `self`. */
export function isReservedParameterName(name: string): boolean {
  return RESERVED_PARAMETER_KEYS.has(optionKey(name));
}

export const flowName: LintRule = (flow, report) => {
  if (!FLOW_NAME.test(flow.name) || flow.name.length > MAX_NAME_LENGTH) {
    report({
      code: "FS_GRAPH_BAD_FLOW_NAME",
      message: `Invalid flow name '${flow.name}': use a letter then letters, digits or underscores, at most ${MAX_NAME_LENGTH} characters`,
      location: flow.location,
    });
  }
};

export const stepNames: LintRule = (flow, report) => {
  const seen = new Set<string>();
  for (const step of flow.steps) {
    if (!STEP_NAME.test(step.name) || step.name.length > MAX_NAME_LENGTH) {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_BAD_STEP_NAME",
          `Invalid step name '${step.name}': use a lowercase letter then lowercase letters, digits or underscores, at most ${MAX_NAME_LENGTH} characters`,
        ),
      );
    } else if (RESERVED_ARTIFACT_NAMES.includes(step.name)) {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_RESERVED_NAME",
          `Step name '${step.name}' is reserved; choose another name`,
        ),
      );
    }
    if (seen.has(step.name)) {
      report(stepIssue(flow, step, "FS_GRAPH_DUPLICATE_STEP", `Step '${step.name}' is defined twice`));
    }
    seen.add(step.name);
  }
};

export const parameterNames: LintRule = (flow, report) => {
  const seen = new Map<string, string>();
  for (const parameter of flow.parameters) {
    const location = parameterLocation(flow, parameter.name);
    const issue = (code: string, message: string) =>
      report({ code, message: `${message} (flow '${flow.name}')`, location });
    if (!PARAMETER_NAME.test(parameter.name) || parameter.name.length > MAX_NAME_LENGTH) {
      issue(
        "FS_GRAPH_BAD_PARAMETER_NAME",
        `Invalid parameter name '${parameter.name}': use a letter then letters, digits or underscores`,
      );
    } else if (
      projectOf(flow) !== undefined &&
      ["branch", "production"].includes(optionKey(parameter.name))
    ) {
      issue(
        "FS_GRAPH_RESERVED_NAME",
        `Parameter name '${parameter.name}' is reserved in a flow with a project (--${parameter.name.toLowerCase()} chooses the project branch); choose another name`,
      );
    } else if (
      flow.decorators.some((d) => d.kind === "trigger") &&
      ["event", "payload"].includes(optionKey(parameter.name))
    ) {
      issue(
        "FS_GRAPH_RESERVED_NAME",
        `Parameter name '${parameter.name}' is reserved in a flow with an event trigger (simulate --${parameter.name.toLowerCase()}); choose another name`,
      );
    } else if (isReservedParameterName(parameter.name)) {
      issue(
        "FS_GRAPH_RESERVED_NAME",
        `Parameter name '${parameter.name}' is reserved (it is an option or a property of every step); choose another name`,
      );
    }
    const key = parameter.name.toLowerCase();
    const clash = seen.get(key);
    if (clash !== undefined) {
      issue(
        "FS_GRAPH_DUPLICATE_PARAMETER",
        clash === parameter.name
          ? `Parameter '${parameter.name}' is defined twice`
          : `Parameters '${clash}' and '${parameter.name}' differ only in case; rename one`,
      );
    }
    seen.set(key, parameter.name);
    if (parameter.required && parameter.hasDefault) {
      issue(
        "FS_GRAPH_REQUIRED_WITH_DEFAULT",
        `Parameter '${parameter.name}' is required and has a default; drop one of the two`,
      );
    }
    if (parameter.separator !== undefined && (parameter.type !== "string" || parameter.separator === "")) {
      issue(
        "FS_GRAPH_BAD_SEPARATOR",
        `Parameter '${parameter.name}' has a separator, which needs type "string" and a non-empty separator (it is type "${parameter.type}", separator ${JSON.stringify(parameter.separator)})`,
      );
    }
  }
};

export const foreachNames: LintRule = (flow, report) => {
  for (const step of flow.steps) {
    if (step.foreach === undefined) continue;
    if (!PARAMETER_NAME.test(step.foreach) || RESERVED_ARTIFACT_NAMES.includes(step.foreach)) {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_BAD_FOREACH",
          `Step '${step.name}' has foreach ${JSON.stringify(step.foreach)}, which is not a valid artifact name`,
        ),
      );
    }
  }
};

export const NAME_RULES: readonly LintRule[] = [flowName, stepNames, parameterNames, foreachNames];
