import { FlowshipError } from "../errors.js";

/** A mistake in how a flow is written: bad names, bad decorators, bad parameters. */
export class FlowDefinitionError extends FlowshipError {}

/** A parameter value given on the command line or in a trigger that does not fit. Exit code 2. */
export class ParameterValueError extends FlowshipError {
  constructor(message: string) {
    super("FS_PARAM_VALUE", message, { exitCode: 2 });
  }
}
