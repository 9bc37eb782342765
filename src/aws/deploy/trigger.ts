/**
 * `step-functions trigger`: starts the production alias with the parameters given, as the
 * console's Start Execution does with `{"Parameters": "{\"alpha\": 0.5}"}`. The execution name is
 * left to AWS; the run id is `sfn-<execution name>`.
 */

import { ParameterValueError } from "../../flow/errors.js";
import { notJson } from "../../util/json-value.js";
import { notDeployed } from "./deployment.js";
import { DeployError, isNotFound } from "./errors.js";
import { type DeployTarget, runIdOf } from "./resource-names.js";
import type { SfnDeployClient } from "./sfn-client.js";

/**
 * Most characters of an execution input flowship sends: the parameters travel on into the start
 * step's Batch container overrides, which are far smaller than the 256 KiB input quota.
 */
export const MAX_INPUT_CHARS = 20_480;

/**
 * The execution input for parameter values already typed and checked (as `run` does): their JSON
 * text as the string value of `Parameters`.
 * @param budgetChars room for the parameters' JSON text in the start step (`stats.parametersBudgetChars`)
 */
export function executionInput(flow: string, values: Record<string, unknown>, budgetChars: number): string {
  // Values given from code may be anything; the run gets them through JSON.
  for (const [name, value] of Object.entries(values)) {
    const problem = notJson(value);
    if (problem) {
      throw new ParameterValueError(
        `Invalid value for parameter '${name}' of flow '${flow}': ${problem}, which JSON cannot carry (a triggered run gets its parameters as JSON).`,
      );
    }
  }
  const parameters = JSON.stringify(values);
  const input = JSON.stringify({ Parameters: parameters });
  // Inside the container overrides the text is a JSON string again: its quotes are escaped.
  const escaped = JSON.stringify(parameters).length - 2;
  const fix = "Pass shorter values, or store large inputs in S3 and pass their location";
  if (input.length > MAX_INPUT_CHARS) {
    throw new DeployError(
      "FS_SFN_INPUT_TOO_LARGE",
      `Execution input too large to trigger flow '${flow}': '${input.length} characters, at most ${MAX_INPUT_CHARS}'. ${fix}.`,
      { exitCode: 2 },
    );
  }
  if (escaped > budgetChars) {
    throw new DeployError(
      "FS_SFN_PARAMETERS_TOO_LARGE",
      `Parameters too large for the start step of flow '${flow}': '${escaped} characters of escaped JSON, at most ${budgetChars}' (Batch container overrides hold 8,192 characters). ${fix}.`,
      { exitCode: 2 },
    );
  }
  return input;
}

export interface TriggeredRun {
  runId: string;
  executionArn: string;
}

/** Starts the production version with `input` (see {@link executionInput}). */
export async function triggerFlow(options: {
  sfn: SfnDeployClient;
  target: DeployTarget;
  input: string;
}): Promise<TriggeredRun> {
  try {
    const { executionArn } = await options.sfn.startExecution({
      stateMachineArn: options.target.aliasArn,
      input: options.input,
    });
    return { runId: runIdOf(executionArn), executionArn };
  } catch (error) {
    if (isNotFound((error as { cause?: unknown }).cause)) throw notDeployed(options.target);
    throw error;
  }
}
