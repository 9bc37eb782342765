// Reading files a flow ships with, as a Metaflow user would: includeFile parameters (IncludeFile),
// `import.meta.url` pointing at the flow's own folder, and text imports — locally from any folder,
// and on simulated Step Functions, where the default file travels in the code package.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { flowshipEnv, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { flowSource, taskArtifacts } from "../helpers/datastore.js";

const base = tempDir();
const project = path.join(base, "project");
const elsewhere = path.join(base, "elsewhere");
fs.mkdirSync(project);
fs.mkdirSync(elsewhere);
fs.writeFileSync(path.join(project, "movies.csv"), "title,genre\nAlien,sci-fi\n");
fs.writeFileSync(path.join(project, "genres.txt"), "sci-fi\ndrama\n");
fs.writeFileSync(path.join(project, "banner.txt"), "Now showing\n");
fs.writeFileSync(path.join(elsewhere, "other.csv"), "title,genre\nHeat,crime\n");
const file = path.join(project, "playlist.ts");
fs.writeFileSync(
  file,
  flowSource(`import { includeFile } from "flowship";
import fs from "node:fs";
import banner from "./banner.txt" with { type: "text" };
export default flow("Playlist")
  .parameter("movies", includeFile({ default: "movies.csv", help: "the movie list" }))
  .step("start", (self) => {
    self.got = self.movies;
    // Files beside the flow are there on this machine; a Batch job has only the code package.
    if (!current.isProduction) self.genres = fs.readFileSync(new URL("./genres.txt", import.meta.url), "utf8");
    self.banner = banner;
  }, { next: "end" })
  .step("end", () => {});`),
);
const root = path.join(base, ".flowship");
const env = flowshipEnv(root);

describe("files next to the flow", () => {
  test("the default file, a file beside the flow and a text import are read, from any folder", async () => {
    const result = await runCli([file, "run"], { env, cwd: elsewhere });
    assert.equal(result.code, 0, result.stderr);
    const start = await taskArtifacts(root, "Playlist", runIdFrom(result.stderr), "start");
    assert.deepEqual(
      { got: start.got, genres: start.genres, banner: start.banner },
      { got: "title,genre\nAlien,sci-fi\n", genres: "sci-fi\ndrama\n", banner: "Now showing\n" },
    );
  });

  test("a path on the command line is read relative to the current folder", async () => {
    const result = await runCli([file, "run", "--movies", "other.csv"], { env, cwd: elsewhere });
    assert.equal(result.code, 0, result.stderr);
    const start = await taskArtifacts(root, "Playlist", runIdFrom(result.stderr), "start");
    assert.equal(start.got, "title,genre\nHeat,crime\n");
  });

  test("a file that does not exist is a one-line error before anything runs", async () => {
    const result = await runCli([file, "run", "--movies", "nope.csv"], { env, cwd: elsewhere });
    assert.equal(
      result.stderr,
      `error: Cannot include the file of parameter 'movies' of flow 'Playlist': 'nope.csv' (${path.join(elsewhere, "nope.csv")}) does not exist.\n`,
    );
    assert.equal(result.code, 2);
  });

  test("a default function that throws is the user's error, not an internal one", async () => {
    const broken = path.join(project, "broken.ts");
    fs.writeFileSync(
      broken,
      flowSource(`import fs from "node:fs";
export default flow("Broken")
  .parameter("data", { default: () => fs.readFileSync(new URL("./missing.csv", import.meta.url), "utf8") })
  .step("start", () => {}, { next: "end" })
  .step("end", () => {});`),
    );
    const result = await runCli([broken, "run"], { env, cwd: elsewhere });
    assert.match(
      result.stderr,
      /^error: The default of parameter 'data' of flow 'Broken' failed: ENOENT: no such file or directory, open '.*project\/missing\.csv'\n$/,
    );
    assert.equal(result.code, 2);
  });

  test("simulated on Step Functions: the default ships in the code package, a given file travels as its text", async () => {
    for (const [args, expected] of [
      [[], "title,genre\nAlien,sci-fi\n"],
      [["--movies", "other.csv"], "title,genre\nHeat,crime\n"],
    ] as const) {
      const result = await runCli([file, "step-functions", "simulate", "--token", "files", ...args], {
        env,
        cwd: elsewhere,
      });
      assert.equal(result.code, 0, result.stderr);
      const start = await taskArtifacts(root, "Playlist", simulatedRunIdFrom(result.stderr), "start");
      assert.equal(start.got, expected);
      assert.equal(start.banner, "Now showing\n");
    }
  });
});
