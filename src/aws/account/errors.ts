/**
 * Errors of the account stack: options that cannot make a template (exit 2), and a stack that
 * CloudFormation could not create, update or delete (exit 1, with each failed resource's reason).
 */
import { FlowshipError } from "../../errors.js";

/** A stack option that no template can be made from: exit 2, like any usage error. */
export class StackOptionError extends FlowshipError {
  readonly facts: StackOptionFacts;

  constructor(facts: StackOptionFacts) {
    super(
      "FS_STACK_OPTION",
      `Invalid ${facts.option}: '${facts.value}'. Give ${facts.expected}.${facts.help ? ` Run ${facts.help} --help.` : ""}`,
      { exitCode: 2 },
    );
    this.facts = facts;
  }
}

export interface StackOptionFacts {
  option: string;
  value: string;
  expected: string;
  /** The command whose `--help` lists the option, e.g. `flowship aws stack deploy`. */
  help?: string;
}

/** CloudFormation did not get the stack where it was asked to; the message says why and what next. */
export class StackDeployError extends FlowshipError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("FS_STACK_DEPLOY", message, options);
  }
}
