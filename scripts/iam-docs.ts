/**
 * Writes the IAM policies of docs/production.md ("IAM: who may do what") from the generator in
 * src/aws/account/iam-policies.ts, so the documented policies are exactly the ones the account
 * stack creates, for placeholder values: `node --import tsx scripts/iam-docs.ts`. Each policy in
 * the page follows a marker `<!-- iam-policy: NAME -->`; test/integration/iam-policies.test.ts
 * checks that every block is up to date.
 */
import fs from "node:fs";
import {
  deployerPolicy,
  type PolicyDocument,
  type PolicyScope,
  ROLE_POLICIES,
  type RoleKind,
  trustPolicy,
} from "../src/aws/account/iam-policies.js";

/** The placeholders the page tells readers to replace. */
export const DOC_SCOPE: PolicyScope = {
  region: "REGION",
  account: "ACCOUNT",
  bucket: "BUCKET",
  roles: { execution: "arn:aws:iam::ACCOUNT:role/flowship-execution" },
};

const DOC = "docs/production.md";
const WIDTH = 110;

/** The policies the page shows, by marker name. */
export function documentedPolicyDocuments(): Record<string, PolicyDocument> {
  const roles = Object.fromEntries(
    (Object.keys(ROLE_POLICIES) as RoleKind[]).map((kind) => [kind, ROLE_POLICIES[kind](DOC_SCOPE)]),
  );
  return {
    deployer: deployerPolicy(DOC_SCOPE),
    ...roles,
    "trust scheduler": trustPolicy("scheduler", "ACCOUNT"),
  };
}

/** JSON on one line, with a space after `:`, `,` and inside braces (the page's style). */
function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${inline(v)}`);
    return `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value);
}

/**
 * JSON as people write policies by hand: whatever fits in {@link WIDTH} columns on one line, a
 * list of strings packed several to a line, everything else one entry per line.
 */
export function formatPolicyJson(value: unknown, indent = 0, lead = 0): string {
  const flat = inline(value);
  if (typeof value !== "object" || value === null || indent + lead + flat.length + 1 <= WIDTH) return flat;
  const pad = " ".repeat(indent + 2);
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v === "string")) {
      const lines: string[] = [];
      for (const item of value.map((v) => JSON.stringify(v))) {
        const last = lines.length - 1;
        if (last >= 0 && pad.length + lines[last]!.length + item.length + 3 <= WIDTH)
          lines[last] += `, ${item}`;
        else lines.push(item);
      }
      return `[\n${lines.map((l) => pad + l).join(",\n")}\n${" ".repeat(indent)}]`;
    }
    return `[\n${value.map((v) => pad + formatPolicyJson(v, indent + 2)).join(",\n")}\n${" ".repeat(indent)}]`;
  }
  const entries = Object.entries(value as object).map(([k, v]) => {
    const key = `${JSON.stringify(k)}: `;
    return `${pad}${key}${formatPolicyJson(v, indent + 2, key.length)}`;
  });
  return `{\n${entries.join(",\n")}\n${" ".repeat(indent)}}`;
}

const MARKER = /<!-- iam-policy: ([A-Za-z ]+) -->\n\n```json\n[\s\S]*?```/g;

/** The page with every marked policy block rewritten from the generator. */
export function renderIamDocs(page: string): string {
  const policies = documentedPolicyDocuments();
  return page.replace(MARKER, (_block, name: string) => {
    const policy = policies[name];
    if (!policy)
      throw new Error(`${DOC}: no policy named '${name}' (known: ${Object.keys(policies).join(", ")})`);
    return `<!-- iam-policy: ${name} -->\n\n\`\`\`json\n${formatPolicyJson(policy)}\n\`\`\``;
  });
}

if (process.argv[1]?.endsWith("iam-docs.ts")) {
  fs.writeFileSync(DOC, renderIamDocs(fs.readFileSync(DOC, "utf8")));
  process.stdout.write(`wrote the IAM policies of ${DOC}\n`);
}
