// `current.scheduledTime` in local runs: `run --scheduled-time` gives a run the fire time a schedule
// would (its steps read it, the Client API shows it), `resume` keeps the origin's, a run without
// one has none, and a value that is not an ISO time is a usage error before anything runs.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

const work = tempDir("flowship-scheduled-time-");
const root = path.join(work, ".flowship");
const env = flowshipEnv(root);
const file = path.join(work, "nightly.ts");
fs.writeFileSync(
  file,
  [
    `import { current, flow } from "flowship";`,
    `const when = () => current.scheduledTime?.toISOString() ?? null;`,
    `export default flow("Nightly")`,
    `  .step("start", (self) => { self.first = when(); }, { next: "end" })`,
    `  .step("end", (self) => { self.last = when(); });`,
    "",
  ].join("\n"),
);

async function seen(runId: string) {
  const run = await Run.get(`Nightly/${runId}`, { datastore: { kind: "local", root }, namespace: null });
  const end = await (await run.step("end")).task();
  return {
    scheduledTime: run.scheduledTime?.toISOString(),
    originRunId: run.originRunId,
    first: await end.load("first"),
    last: await end.load("last"),
  };
}

test("run --scheduled-time: every step sees the fire time, and a resume keeps it", async () => {
  // when: a run for local midnight of 25 October in Berlin (summer time), then a resume from end
  const scheduled = await runCli([file, "run", "--scheduled-time", "2026-10-25T00:00:00+02:00"], { env });
  assert.equal(scheduled.code, 0, scheduled.stderr);
  const origin = runIdFrom(scheduled.stderr);
  const resumed = await runCli([file, "resume", "end", "--origin-run-id", origin], { env });
  assert.equal(resumed.code, 0, resumed.stderr);
  // then
  const time = "2026-10-24T22:00:00.000Z";
  assert.deepEqual(await seen(origin), {
    scheduledTime: time,
    originRunId: undefined,
    first: time,
    last: time,
  });
  assert.deepEqual(await seen(runIdFrom(resumed.stderr)), {
    scheduledTime: time,
    originRunId: origin,
    first: time,
    last: time,
  });
});

test("a run without --scheduled-time has none; a value that is not a time is refused before anything runs", async () => {
  // when
  const plain = await runCli([file, "run"], { env });
  const bad = await runCli([file, "run", "--scheduled-time", "2026-02-30"], { env });
  // then
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(await seen(runIdFrom(plain.stderr)), {
    scheduledTime: undefined,
    originRunId: undefined,
    first: null,
    last: null,
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid --scheduled-time '2026-02-30': give an ISO 8601 date/);
  assert.doesNotMatch(bad.stderr, /Running Nightly/);
});
