/**
 * A bundle's trailing `//# sourceMappingURL=` comment, pointed somewhere else. Only the last line
 * is the comment: the same text earlier in the bundle is code (a string constant, flowship's own
 * source bundled into a flow that imports it) and must stay as it is.
 */

/** The comment on the bundle's last non-blank line, with what follows it (a final newline). */
const TRAILING_COMMENT = /(^|\n)\/\/# sourceMappingURL=[^\n]*\s*$/;

/** `text` with its trailing source map comment pointing at `url`; one is appended when there is none. */
export function withSourceMappingUrl(text: string, url: string): string {
  const comment = `//# sourceMappingURL=${url}\n`;
  const match = TRAILING_COMMENT.exec(text);
  if (!match) return `${text}${text === "" || text.endsWith("\n") ? "" : "\n"}${comment}`;
  return `${text.slice(0, match.index)}${match[1]}${comment}`;
}
