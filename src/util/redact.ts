/** The mask that replaces a secret value in what flowship writes. */
export const REDACTED = "***";

/** `text` with every occurrence of each secret replaced by `***` (pass secrets longest first). */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret !== "" && result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}
