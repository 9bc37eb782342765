/**
 * What EventBridge does with a target's input transformer, for `step-functions simulate --event`
 * (and the tests of the transformers flowship deploys): each `<name>` of the template becomes the
 * value at its `InputPathsMap` path in the event. Inside a JSON string the value goes in as text
 * (a string without its quotes); elsewhere as JSON — strings quoted, a missing path as null.
 * Placeholders not in the map stay as they are. Paths are dot notation from `$`, as flowship
 * writes them (EventBridge also takes array indices and wildcards, which flowship does not use).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */

export interface InputTransformer {
  InputPathsMap: Record<string, string>;
  InputTemplate: string;
}

function valueAt(event: unknown, jsonPath: string): unknown {
  if (jsonPath === "$") return event;
  return jsonPath
    .replace(/^\$\./, "")
    .split(".")
    .reduce<unknown>(
      (node, key) =>
        typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined,
      event,
    );
}

/** The text EventBridge sends the target: JSON for a JSON template, else plain text. */
export function applyInputTransformer(transformer: InputTransformer, event: unknown): string {
  const template = transformer.InputTemplate;
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '"' && template[i - 1] !== "\\") inString = !inString;
    const close = c === "<" ? template.indexOf(">", i) : -1;
    const name = close > 0 ? template.slice(i + 1, close) : undefined;
    if (name !== undefined && name in transformer.InputPathsMap) {
      const value = valueAt(event, transformer.InputPathsMap[name]!);
      out += inString
        ? typeof value === "string"
          ? value
          : JSON.stringify(value ?? null)
        : JSON.stringify(value ?? null);
      i = close;
      continue;
    }
    out += c;
  }
  return out;
}
