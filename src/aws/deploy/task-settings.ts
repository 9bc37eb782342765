/**
 * What a deployment hands its tasks through the Batch job definition, on top of the compiler's
 * variables: the production token, `--with` decorators, run tags, namespace, project branch, and,
 * with error alerts, what a failing step needs to send its own (aws/batch/step-alert.ts).
 */
import type { StepDecorator } from "../../flow/decorators.js";
import { PRODUCTION_BRANCH } from "../../flow/project.js";
import { ALERT_ENV, type StepAlertSettings } from "../batch/step-alert.js";
import type { DeployTarget } from "./resource-names.js";

/** A decorator as a `--with` spec, which the Batch task parses back (FLOWSHIP_WITH). */
export function decoratorSpec(decorator: StepDecorator): string {
  const options: object = decorator.kind === "environment" ? decorator.options.vars : decorator.options;
  const pairs = Object.entries(options)
    .filter(([, v]) => ["number", "boolean", "string"].includes(typeof v))
    .map(([k, v]) => `${k}=${v}`);
  return pairs.length > 0 ? `${decorator.kind}:${pairs.join(",")}` : decorator.kind;
}

/** What a deployment hands its tasks through the job definition, on top of the compiler's variables. */
export interface DeployedTaskSettings {
  token: string;
  withDecorators?: readonly StepDecorator[];
  tags?: readonly string[];
  namespace?: string;
  /** For a flow with a project: the branch its runs are in (their `project_branch:` tag, `current.project`). */
  projectBranch?: string;
  /** With error alerts: what a failing step needs to send its own (aws/batch/step-alert.ts). */
  alert?: StepAlertSettings;
}

/** The options that choose `target` on the command line, for the commands an alert shows. */
function targetOptions(target: DeployTarget): string {
  if (target.project) {
    const { branch } = target.project;
    if (branch === PRODUCTION_BRANCH) return "--production";
    return branch.startsWith("test.") ? `--branch ${branch.slice("test.".length)}` : "";
  }
  return target.name === target.flow ? "" : `--name ${target.name}`;
}

export function alertSettings(target: DeployTarget, flowFile: string): StepAlertSettings {
  const options = targetOptions(target);
  return {
    stateMachineArn: target.stateMachineArn,
    flowFile,
    ...(options ? { targetOptions: options } : {}),
  };
}

/** The environment the job definition gives every task on top of the compiler's. */
export function deployedTaskEnvironment(
  settings: DeployedTaskSettings,
): Array<{ name: string; value: string }> {
  const env = [{ name: "FLOWSHIP_PRODUCTION_TOKEN", value: settings.token }];
  if (settings.withDecorators?.length) {
    env.push({ name: "FLOWSHIP_WITH", value: JSON.stringify(settings.withDecorators.map(decoratorSpec)) });
  }
  if (settings.tags?.length) env.push({ name: "FLOWSHIP_RUN_TAGS", value: JSON.stringify(settings.tags) });
  if (settings.namespace) env.push({ name: "FLOWSHIP_NAMESPACE", value: settings.namespace });
  if (settings.projectBranch) env.push({ name: "FLOWSHIP_PROJECT_BRANCH", value: settings.projectBranch });
  if (settings.alert) env.push({ name: ALERT_ENV, value: JSON.stringify(settings.alert) });
  return env;
}
