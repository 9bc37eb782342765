/** A value quoted for the page (a string artifact, a parameter), safe from text that would disguise it. */

/** Characters that reorder the text after them on screen: `report\u202etxt.exe` reads `reportexe.txt`. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A value as JSON on one line, as a quoted string or a parameter is shown: its bidi controls as
 * escapes (`\u202e`), the way JSON writes other control characters, so none can disguise it.
 */
export function quoted(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).replace(
    BIDI_CONTROLS,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
