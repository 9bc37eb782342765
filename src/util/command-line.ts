/**
 * A command line such as a user writes in an environment variable (`code --new-window`,
 * `"/Applications/My Browser.app/x" --flag`) split into words as a POSIX shell splits a simple one:
 * on unquoted whitespace, with '…' taken literally, "…" allowing \" and \\, and \ escaping the next
 * character outside quotes. No expansions, pipes or redirections: those need a shell script.
 */
export function splitCommandLine(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && (line[i + 1] === '"' || line[i + 1] === "\\")) word += line[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
      word ??= "";
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else {
      word = (word ?? "") + c;
    }
  }
  // An unclosed quote: the line is not one a shell would run either.
  if (quote !== undefined) return undefined;
  if (word !== undefined) words.push(word);
  return words;
}
