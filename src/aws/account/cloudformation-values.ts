/**
 * The few CloudFormation template values the account stack is built from: intrinsic functions
 * (Ref, Fn::GetAtt, Fn::Sub …) as plain objects, and {@link substitute}, which turns the
 * `${AWS::Region}`-style references the IAM policy generator was given into `Fn::Sub` values.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

/** Any value a template holds: JSON, with intrinsic functions as one-key objects. */
export type TemplateValue = string | number | boolean | TemplateValue[] | { [key: string]: TemplateValue };

/** A resource of the template. */
export interface TemplateResource {
  Type: string;
  Properties?: Record<string, TemplateValue>;
  DependsOn?: string | string[];
  DeletionPolicy?: "Retain" | "Delete";
  UpdateReplacePolicy?: "Retain" | "Delete";
  Condition?: string;
}

export type Resources = Record<string, TemplateResource>;

export const ref = (logicalId: string): TemplateValue => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string): TemplateValue => ({
  "Fn::GetAtt": [logicalId, attribute],
});

/** A string with `${…}` references as `Fn::Sub`, any other string as itself. */
export function sub(text: string): TemplateValue {
  return text.includes("${") ? { "Fn::Sub": text } : text;
}

/** Every string in `value` that holds a `${…}` reference, as `Fn::Sub` (deeply). */
export function substitute(value: unknown): TemplateValue {
  if (typeof value === "string") return sub(value);
  if (Array.isArray(value)) return value.map(substitute);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v)]));
  }
  return value as TemplateValue;
}

// Fn::Sub references to pseudo parameters, meant literally (they are not JavaScript templates).
// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax
export const AWS_PARTITION = "${AWS::Partition}";
// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax
export const AWS_REGION = "${AWS::Region}";
// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax
export const AWS_ACCOUNT_ID = "${AWS::AccountId}";
// biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub syntax
export const AWS_STACK_NAME = "${AWS::StackName}";

/** An Fn::Sub reference to a resource (its Ref) or an attribute: `${Bucket}`, `${Role.Arn}`. */
export const subRef = (name: string): string => `\${${name}}`;
