import fs from "node:fs";

/** flowship's version, from its package.json (one folder above both src/ and dist/). */
export const FLOWSHIP_VERSION: string = (
  JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
