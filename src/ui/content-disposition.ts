/**
 * The Content-Disposition of a download (RFC 6266). A header value must be ASCII — Node refuses
 * anything else, with an error thrown where the header is written — so a file name that is not
 * plain ASCII goes as an ASCII stand-in (`filename`, for old clients) plus its UTF-8 form
 * percent-encoded (`filename*`, RFC 8187), which every current browser prefers.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6266#section-4.3
 */

/** `attachment; filename="…"`, with `filename*=UTF-8''…` when the name is not plain ASCII. */
export function attachment(fileName: string): string {
  // Quotes, backslashes and % are legal in a quoted string, but clients disagree on them.
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  if (fallback === fileName) return `attachment; filename="${fileName}"`;
  // encodeURIComponent leaves ' ( ) * unescaped, which RFC 8187's attr-char does not allow.
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
