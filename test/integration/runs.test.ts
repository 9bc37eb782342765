// `flowship <flow> runs` lists a flow's runs newest first with status, start, duration and tags.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

const FLAKY = "test/fixtures/flows/client-flaky.ts";
const root = tempDir();
const env = flowshipEnv(root);
let failed: string;
let resumed: string;
let theirs: string;

const runs = (...args: string[]) => runCli([FLAKY, "runs", ...args], { env });

interface RunJson {
  runId: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  durationSeconds: number | null;
  user: string;
  tags: string[];
  originRunId: string | null;
  failureReason: string | null;
}

before(async () => {
  const first = await runCli([FLAKY, "run", "--max-workers", "1", "--tag", "first"], { env });
  assert.equal(first.code, 1, first.stderr);
  failed = runIdFrom(first.stderr);
  const second = await runCli([FLAKY, "resume", "--origin-run-id", failed], {
    env: flowshipEnv(root, { CLIENT_FIXTURE_FIXED: "1" }),
  });
  assert.equal(second.code, 0, second.stderr);
  resumed = runIdFrom(second.stderr);
  const third = await runCli([FLAKY, "run"], {
    env: flowshipEnv(root, { CLIENT_FIXTURE_FIXED: "1", FLOWSHIP_USER: "someone-else" }),
  });
  assert.equal(third.code, 0, third.stderr);
  theirs = runIdFrom(third.stderr);
});

describe("runs", () => {
  test("a table of my runs, newest first", async () => {
    const result = await runs();
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^RUN ID +STATUS +STARTED +DURATION +TAGS$/);
    assert.equal(lines.length, 3);
    assert.match(
      lines[1]!,
      new RegExp(
        `^${resumed} +succeeded +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ +\\d+\\.\\d s +\\(resumed ${failed}\\)$`,
      ),
    );
    assert.match(lines[2]!, new RegExp(`^${failed} +failed +\\S+ \\S+ +\\d+\\.\\d s +first$`));
  });

  test("--json gives every field", async () => {
    const result = await runs("--json");
    assert.equal(result.code, 0, result.stderr);
    const [newest, oldest] = JSON.parse(result.stdout) as RunJson[];
    assert.equal(newest?.runId, resumed);
    assert.equal(newest?.originRunId, failed);
    assert.equal(newest?.failureReason, null);
    assert.equal(oldest?.runId, failed);
    assert.equal(oldest?.status, "failed");
    assert.deepEqual(oldest?.tags, ["first"]);
    assert.equal(oldest?.user, "tester");
    assert.equal(oldest?.failureReason, "process/1: Error: cannot process b");
    assert.equal(
      oldest?.durationSeconds,
      (Date.parse(oldest!.endedAt!) - Date.parse(oldest!.startedAt)) / 1000,
    );
  });

  test("--tag filters, --namespace and --all choose whose runs", async () => {
    const ids = async (...args: string[]) =>
      (JSON.parse((await runs("--json", ...args)).stdout) as RunJson[]).map((r) => r.runId);
    assert.deepEqual(await ids("--tag", "first"), [failed]);
    assert.deepEqual(await ids("--namespace", "user:someone-else"), [theirs]);
    assert.deepEqual(await ids("--all"), [theirs, resumed, failed]);
    assert.deepEqual(await ids("--tag", "nothing-has-this"), []);
  });

  test("no runs is not an error", async () => {
    const result = await runs("--namespace", "user:nobody");
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      "No runs of ClientFlakyFlow in namespace user:nobody (--all lists every namespace, --production the deployed ones).\n",
    );
    const empty = await runCli(["examples/branch_flow.ts", "runs", "--all"], { env });
    assert.equal(empty.code, 0);
    assert.equal(empty.stderr, "No runs of BranchFlow in any namespace.\n");
  });

  test("--namespace with --all is a usage error", async () => {
    const result = await runs("--namespace", "user:x", "--all");
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "error: Give --namespace or --all, not both.\n");
  });
});
