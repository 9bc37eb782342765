/**
 * A small YAML emitter for CloudFormation templates: mappings, sequences, strings, numbers and
 * booleans (the value types of {@link TemplateValue}), intrinsic functions in their long form
 * (`Fn::Sub:`), so no YAML tags. A string is written plain only when it cannot be read as anything
 * but that string; otherwise it is double-quoted with JSON's escapes, which YAML's double-quoted
 * style shares. `2012-10-17`, `true`, `-1`, `0.0.0.0/0` are therefore always quoted.
 * @see https://yaml.org/spec/1.2.2/
 */
import type { TemplateValue } from "./cloudformation-values.js";

const INDENT = "  ";
/**
 * Strings safe unquoted: a letter or `/` first, then no character YAML gives a meaning (a colon
 * only where no space or end follows it: `AWS::S3::Bucket`, `arn:aws:s3:::b/*`).
 */
const PLAIN = /^[A-Za-z/][A-Za-z0-9 _./@()+=,:*-]*$/;
/** Words YAML 1.1 (PyYAML, cfn-lint) reads as booleans or null. */
const RESERVED = /^(y|n|yes|no|on|off|true|false|null|~)$/i;
const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function scalar(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  const plain =
    PLAIN.test(value) &&
    !RESERVED.test(value) &&
    !/[ :]$/.test(value) &&
    !value.includes(": ") &&
    !value.includes(" #");
  return plain ? value : JSON.stringify(value);
}

const key = (name: string) => (PLAIN_KEY.test(name) && !RESERVED.test(name) ? name : JSON.stringify(name));

const isCollection = (value: TemplateValue): value is TemplateValue[] | { [key: string]: TemplateValue } =>
  typeof value === "object" && value !== null;

const isEmpty = (value: TemplateValue) =>
  isCollection(value) && (Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0);

/** The lines of `value` at `depth`. */
function lines(value: TemplateValue, depth: number): string[] {
  const pad = INDENT.repeat(depth);
  if (!isCollection(value)) return [pad + scalar(value)];
  if (isEmpty(value)) return [pad + (Array.isArray(value) ? "[]" : "{}")];
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!isCollection(item) || isEmpty(item)) {
        out.push(`${pad}- ${lines(item, 0)[0]}`);
        continue;
      }
      // The item's first line goes after the dash; the rest keep its indentation.
      const inner = lines(item, depth + 1);
      out.push(`${pad}- ${inner[0]!.slice(pad.length + INDENT.length)}`, ...inner.slice(1));
    }
    return out;
  }
  for (const [name, item] of Object.entries(value)) {
    if (!isCollection(item) || isEmpty(item)) out.push(`${pad}${key(name)}: ${lines(item, 0)[0]}`);
    else out.push(`${pad}${key(name)}:`, ...lines(item, depth + 1));
  }
  return out;
}

/** The template as YAML, ending with a newline. */
export function toYaml(value: TemplateValue): string {
  return `${lines(value, 0).join("\n")}\n`;
}
