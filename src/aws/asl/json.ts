/**
 * JSON as the Amazon States Language uses it. A payload template is an object whose keys ending
 * in `.$` hold a path or an intrinsic function that Step Functions evaluates at run time.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `Parameters`, `ResultSelector` and `ItemSelector` values: JSON with `.$` keys. */
export type PayloadTemplate = JsonObject;

/** Copies `value` without the keys whose value is `undefined`, so optional fields vanish. */
export function compact<T extends Record<string, JsonValue | undefined>>(
  value: T,
): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
