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

/**
 * Where to cut `text` at or before `at` so that no secret is split between the two pieces (each
 * piece is masked on its own, and half a secret would not be): `at`, or the start of a secret that
 * would straddle it. Searches only around the cut, so cutting a long line stays linear.
 */
export function cutBesideSecrets(text: string, at: number, secrets: readonly string[]): number {
  let cut = at;
  for (let moved = true; moved; ) {
    moved = false;
    for (const secret of secrets) {
      if (secret.length < 2) continue;
      const from = Math.max(0, cut - secret.length + 1);
      // Any occurrence starting in [from, cut) ends past the cut.
      const found = text.slice(from, cut + secret.length - 1).indexOf(secret);
      if (found >= 0) {
        cut = from + found;
        moved = true;
      }
    }
  }
  // Only secrets longer than a whole piece could push the cut to the start; cut through those.
  return cut > 0 ? cut : at;
}
