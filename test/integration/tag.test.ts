// `flowship <flow> tag add|remove|list`: user tags live in the run's tags record; system tags
// cannot be removed; the Client API sees every change.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Flow, Run } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

process.env.FLOWSHIP_USER = "tester";
delete process.env.FLOWSHIP_PRODUCTION_TOKEN;

const BRANCH = "examples/branch_flow.ts";
const root = tempDir();
const env = flowshipEnv(root);
const client = { datastore: root, namespace: null };
let mine: string;
let theirs: string;

const tag = (...args: string[]) => runCli([BRANCH, "tag", ...args], { env });

before(async () => {
  const first = await runCli([BRANCH, "run", "--tag", "from-start"], { env });
  assert.equal(first.code, 0, first.stderr);
  mine = runIdFrom(first.stderr);
  const second = await runCli([BRANCH, "run"], { env: flowshipEnv(root, { FLOWSHIP_USER: "someone-else" }) });
  assert.equal(second.code, 0, second.stderr);
  theirs = runIdFrom(second.stderr);
});

describe("tag", () => {
  test("add puts user tags on a run and prints its tags", async () => {
    // when
    const result = await tag("add", mine, "nightly", "v2");
    // then
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `BranchFlow/${mine}\n  user tags:   from-start, nightly, v2\n  system tags: user:tester, runtime:local, flowship_version:0.1.0\n`,
    );
    const run = await Run.get(`BranchFlow/${mine}`, client);
    assert.deepEqual(run.userTags, ["from-start", "nightly", "v2"]);
    assert.deepEqual(
      (await (await Flow.get("BranchFlow", client)).runs({ tags: ["nightly"] })).map((r) => r.id),
      [mine],
    );
  });

  test("a tag works as a namespace", async () => {
    const added = await tag("add", theirs, "team-x");
    assert.equal(added.code, 0, added.stderr);
    const flow = await Flow.get("BranchFlow", { datastore: root, namespace: "team-x" });
    assert.deepEqual(
      (await flow.runs()).map((r) => r.id),
      [theirs],
    );
  });

  test("remove takes user tags off, including those given at the start", async () => {
    await tag("add", mine, "temporary");
    const result = await tag("remove", mine, "temporary", "from-start");
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ {2}user tags: {3}nightly, v2$/m);
    assert.deepEqual((await Run.get(`BranchFlow/${mine}`, client)).userTags, ["nightly", "v2"]);
  });

  test("system tags cannot be removed; adding one changes nothing", async () => {
    const result = await tag("remove", mine, "user:tester");
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `error: Cannot remove system tag 'user:tester' of run 'BranchFlow/${mine}'. Only user tags can be removed; see them with \`tag list\`.\n`,
    );
    const before = (await Run.get(`BranchFlow/${mine}`, client)).userTags;
    await tag("add", mine, "runtime:local");
    assert.deepEqual((await Run.get(`BranchFlow/${mine}`, client)).userTags, before);
  });

  test("eight concurrent tag adds all stay", async () => {
    // given: a fresh run in a datastore of its own
    const own = tempDir();
    const ownEnv = flowshipEnv(own);
    const run = await runCli([BRANCH, "run"], { env: ownEnv });
    assert.equal(run.code, 0, run.stderr);
    const id = runIdFrom(run.stderr);
    // when: eight processes add a tag each at once
    const added = Array.from({ length: 8 }, (_, i) => `together-${i}`);
    const results = await Promise.all(
      added.map((t) => runCli([BRANCH, "tag", "add", id, t], { env: ownEnv })),
    );
    // then
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const tags = (await Run.get(`BranchFlow/${id}`, { datastore: own, namespace: null })).userTags;
    assert.deepEqual([...tags].sort(), added);
  });

  test("changes one script makes at the same moment apply in the order it made them", async () => {
    // given: forty changes made at once, each tag added and then removed
    const run = await Run.get(`BranchFlow/${theirs}`, client);
    const changes: Promise<readonly string[]>[] = [];
    for (let i = 0; i < 20; i++) changes.push(run.addTags(`flip-${i}`), run.removeTags(`flip-${i}`));
    // when
    await Promise.all(changes);
    // then: every add came before its remove
    const left = (await Run.get(`BranchFlow/${theirs}`, client)).userTags.filter((t) =>
      t.startsWith("flip-"),
    );
    assert.deepEqual(left, []);
  });

  test("replace swaps tags in one change; steps and tasks carry the run's tags and filter by them", async () => {
    // when
    const replaced = await tag("replace", theirs, "team-x", "team-y");
    const run = await Run.get(`BranchFlow/${theirs}`, client);
    const swapped = await run.replaceTags(["team-y"], ["team-z"]);
    // then
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.match(replaced.stdout, /^ {2}user tags: {3}team-y$/m);
    assert.deepEqual(swapped, ["team-z"]);
    assert.deepEqual(run.userTags, ["team-z"]);
    const steps = await run.steps({ tags: ["team-z", "user:someone-else"] });
    assert.deepEqual(
      steps.map((s) => s.name),
      ["start", "double", "square", "join", "end"],
    );
    assert.deepEqual(await run.steps({ tags: ["team-x"] }), []);
    const [task] = await steps[0]!.tasks({ tags: ["team-z"] });
    assert.deepEqual([steps[0]!.tags, task!.tags, task!.userTags], [run.tags, run.tags, ["team-z"]]);
    assert.ok(task!.systemTags.includes("user:someone-else"));
    assert.deepEqual(await steps[0]!.tasks({ tags: ["team-y"] }), []);
  });

  test("invalid tags and unknown runs are refused", async () => {
    const empty = await tag("add", mine, " ");
    assert.equal(empty.code, 2);
    assert.equal(empty.stderr, 'error: Invalid tag: " ". A tag is 1 to 500 characters on one line.\n');
    const unknown = await tag("add", "42", "x");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: Run not found: 'BranchFlow\/42'/);
  });

  test("list shows one run, my runs, another namespace or all, as text or JSON", async () => {
    const one = await tag("list", mine, "--json");
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(JSON.parse(one.stdout), [
      {
        run: `BranchFlow/${mine}`,
        userTags: ["nightly", "v2"],
        systemTags: ["user:tester", "runtime:local", "flowship_version:0.1.0"],
      },
    ]);
    const runsOf = async (...args: string[]) =>
      (JSON.parse((await tag("list", "--json", ...args)).stdout) as { run: string }[]).map((r) => r.run);
    assert.deepEqual(await runsOf(), [`BranchFlow/${mine}`]);
    assert.deepEqual(await runsOf("--namespace", "user:someone-else"), [`BranchFlow/${theirs}`]);
    assert.deepEqual(await runsOf("--all"), [`BranchFlow/${theirs}`, `BranchFlow/${mine}`]);
    const text = await tag("list");
    assert.match(text.stdout, new RegExp(`^BranchFlow/${mine}\\n {2}user tags: {3}nightly, v2\\n`));
  });
});
