/**
 * Which files may go into a code package. A few names are never shipped, whatever the include
 * globs say: version control, dependencies, the local datastore, and anything that usually
 * holds a secret. Paths are relative to the source root and use `/`.
 */

/** Folders never shipped, at any depth. */
export const NEVER_SHIPPED_FOLDERS = [".flowship", ".git", "node_modules", ".aws", ".ssh"] as const;

/**
 * File and folder names never shipped, at any depth (matched case-insensitively): env files, AWS
 * and other credential files, private keys and certificates.
 */
export const NEVER_SHIPPED_NAMES = [
  ".env*",
  "credentials",
  "credentials.*",
  "*.pem",
  "*.key",
  "*.p12",
  "*.pfx",
  "id_rsa*",
  "id_dsa*",
  "id_ecdsa*",
  "id_ed25519*",
  ".npmrc",
  ".netrc",
] as const;

const NEVER_FOLDER = new Set<string>(NEVER_SHIPPED_FOLDERS);
const NEVER_NAME = NEVER_SHIPPED_NAMES.map((pattern) => globToRegExp(pattern, "i"));

/**
 * Turns a glob into a regular expression over `/`-separated paths: `**` matches any number of
 * folders, `*` anything within one name, `?` one character. A pattern without `/` matches a
 * name at any depth (`*.csv`); one with `/` matches from the root (`data/**`).
 */
export function globToRegExp(glob: string, flags = ""): RegExp {
  let body = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      const slash = glob[i + 2] === "/";
      body += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") {
      body += "[^/]*";
    } else if (c === "?") {
      body += "[^/]";
    } else {
      body += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  const anchor = glob.includes("/") ? "^" : "^(?:.*/)?";
  return new RegExp(`${anchor}${body}$`, flags);
}

/** The rule that keeps `relativePath` out of every package, or undefined when none does. */
export function neverShippedBy(relativePath: string): string | undefined {
  const parts = relativePath.split("/");
  for (const [index, part] of parts.entries()) {
    if (index < parts.length - 1 && NEVER_FOLDER.has(part)) return `${part}/`;
    const name = NEVER_SHIPPED_NAMES.find((_, i) => NEVER_NAME[i]!.test(part));
    if (name) return name;
  }
  return NEVER_FOLDER.has(parts.at(-1)!) ? `${parts.at(-1)}/` : undefined;
}

/** Include and exclude globs, plus the fixed rules above. */
export class PathRules {
  readonly #include: RegExp[];
  readonly #exclude: { glob: string; pattern: RegExp }[];

  constructor(options: { include?: readonly string[]; exclude?: readonly string[] }) {
    this.#include = (options.include ?? []).map((g) => globToRegExp(g));
    this.#exclude = (options.exclude ?? []).map((glob) => ({ glob, pattern: globToRegExp(glob) }));
  }

  /** Whether an include glob asks for the file (sources the bundle used are always asked for). */
  included(relativePath: string): boolean {
    return this.#include.some((p) => p.test(relativePath));
  }

  /** Why the file must stay out, or undefined when it may ship. */
  refusal(relativePath: string): string | undefined {
    const fixed = neverShippedBy(relativePath);
    if (fixed) return `never shipped (${fixed})`;
    const excluded = this.#exclude.find((e) => e.pattern.test(relativePath));
    return excluded ? `excluded by '${excluded.glob}'` : undefined;
  }

  /** Whether a folder can be skipped while walking: nothing below it may ship. */
  prunes(relativeFolder: string): boolean {
    return neverShippedBy(`${relativeFolder}/x`) !== undefined;
  }
}
