// What Metaflow users expect of artifacts: a misspelled or never-set artifact fails the step
// (Metaflow: AttributeError) instead of reading as undefined; a join that reads an artifact its
// inputs have but it did not take over is told to merge it; mergeArtifacts sets nothing when it
// fails and refuses to run outside a join.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { taskArtifacts, writeFlowFile } from "../helpers/datastore.js";

const dir = tempDir();
const root = path.join(dir, ".flowship");
const env = flowshipEnv(root);

function writeFlow(name: string, body: string): string {
  return writeFlowFile(dir, name, body);
}

const branches = `
  .step("start", (self) => { self.score = 1; }, { next: ["a", "b"] })
  .step("a", (self) => { self.x = 1; self.y = "a"; }, { next: "join" })
  .step("b", (self) => { self.x = 1; self.y = "b"; }, { next: "join" })`;

describe("reading artifacts", () => {
  test("a misspelled artifact fails the step, naming it, the step and the likely name", async () => {
    const file = writeFlow(
      "typo",
      `export default flow("Typo")
  .parameter("unset", { type: "integer" })
  .step("start", (self) => { self.score = 3; }, { next: "end" })
  .step("end", (self) => { console.log("unset is", self.unset, "in:", "scroe" in self); console.log(self.scroe + 1); });`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 1, result.stderr);
    // A declared parameter without a value still reads as undefined, and `in` tests existence.
    assert.match(result.stdout, /unset is undefined in: false/);
    assert.match(
      result.stderr,
      /Step 'end' failed: Step 'end' read 'self\.scroe', but no parameter or earlier step set an artifact 'scroe'\. Did you mean 'self\.score'\? To test whether it exists, use 'scroe' in self\.\n/,
    );
    assert.doesNotMatch(result.stdout, /NaN/);
  });

  test("a join reading an artifact it did not take over is told to merge it", async () => {
    const file = writeFlow(
      "dropped",
      `export default flow("Dropped")${branches}
  .step("join", (self, inputs) => { self.total = self.x; }, { join: true, next: "end" })
  .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /Join 'join' read 'self\.x', which its inputs have but a join does not inherit: take it over with mergeArtifacts\(self, inputs\) or assign it \(self\.x = inputs\[0\]\.x\)\./,
    );
  });
});

describe("mergeArtifacts", () => {
  test("a merge that fails on one artifact takes over none; options it cannot read are refused", async () => {
    const file = writeFlow(
      "conflict",
      `export default flow("Conflict")${branches}
  .step("join", (self, inputs) => {
    try { mergeArtifacts(self, inputs); } catch (error) { self.error = error.message; }
    self.hasX = "x" in self;
    // options an untyped flow file may give: a string (whose includes() matches parts of names), a typo
    const optionErrors = [];
    for (const bad of [{ exclude: "y" }, { excludes: ["y"] }]) {
      try { mergeArtifacts(self, inputs, bad); } catch (error) { optionErrors.push(error.message); }
    }
    self.optionErrors = optionErrors;
  }, { join: true, next: "end" })
  .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const join = await taskArtifacts(root, "Conflict", runIdFrom(result.stderr), "join");
    assert.match(String(join.error), /the inputs disagree on 'y'/);
    // x agreed, but Metaflow sets nothing after a failed merge; neither do we.
    assert.equal(join.hasX, false);
    assert.equal("x" in join, false);
    assert.deepEqual(join.optionErrors, [
      `mergeArtifacts in join 'join': 'exclude' is a list of artifact names such as ["score"], got "y".`,
      "mergeArtifacts in join 'join': unknown option 'excludes' (did you mean 'exclude'?); it takes include or exclude.",
    ]);
  });

  test("outside a join it fails the step instead of doing nothing", async () => {
    const file = writeFlow(
      "outside",
      `export default flow("Outside")
  .step("start", (self) => { mergeArtifacts(self, []); }, { next: "end" })
  .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /Step 'start' failed: mergeArtifacts\(self, inputs\) must be called in a join step with its self and inputs; step 'start' is not a join\.\n/,
    );
  });
});
