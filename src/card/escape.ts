/** Text and attribute values made safe to put in HTML or SVG markup: every markup character escaped. */
const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeHtml(text: string): string {
  // String(): a stored card is read back from JSON, where a title may be any value.
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
