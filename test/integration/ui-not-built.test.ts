// `flowship ui` without a built front-end is a user's mistake with a remedy (FS_UI_NOT_BUILT), not an
// internal error: the server module is run from a copy of the sources that has no dist/ beside it.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { isFlowshipError } from "../../src/errors.js";

test("the UI server refuses to start with FS_UI_NOT_BUILT when app.js is missing", async () => {
  // Under node_modules/ so that the copy still resolves the project's packages.
  const cache = path.resolve("node_modules/.cache");
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, "flowship-ui-not-built-"));
  try {
    fs.cpSync("src", path.join(dir, "src"), {
      recursive: true,
      filter: (from) => !from.endsWith(".test.ts"),
    });
    const server = path.join(dir, "src", "ui", "server.ts");
    const { startUiServer } = (await import(
      pathToFileURL(server).href
    )) as typeof import("../../src/ui/server.js");
    const started = startUiServer({ datastore: dir, host: "127.0.0.1", port: 0 });
    await assert.rejects(started, (error: unknown) => {
      assert.ok(isFlowshipError(error), String(error));
      assert.equal(error.code, "FS_UI_NOT_BUILT");
      assert.match(error.message, /app\.js' is missing\. Run npm run build\.$/);
      return true;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
