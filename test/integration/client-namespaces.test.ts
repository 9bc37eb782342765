// Namespaces in the Client API: the default `user:<name>`, another user's runs, production
// tokens, tags as namespaces, and `namespace(null)`.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  defaultNamespace,
  Flow,
  getNamespace,
  listFlows,
  type NamespaceMismatchError,
  namespace,
  Run,
  setDatastore,
  Task,
} from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

process.env.FLOWSHIP_USER = "tester";
delete process.env.FLOWSHIP_PRODUCTION_TOKEN;

const root = tempDir();
const ids: Record<string, string> = {};

async function run(file: string, extraEnv: Record<string, string>, ...args: string[]): Promise<string> {
  const result = await runCli([file, "run", ...args], { env: flowshipEnv(root, extraEnv) });
  assert.equal(result.code, 0, result.stderr);
  return runIdFrom(result.stderr);
}

before(async () => {
  ids.mine = await run("examples/branch_flow.ts", {});
  ids.theirs = await run("examples/branch_flow.ts", { FLOWSHIP_USER: "someone-else" }, "--tag", "shared");
  ids.prod = await run("examples/foreach_flow.ts", { FLOWSHIP_PRODUCTION_TOKEN: "tok-1" }, "--count", "1");
  setDatastore(root);
});

describe("Client API namespaces", () => {
  test("the default namespace is user:<FLOWSHIP_USER>, or production:<token>", () => {
    assert.equal(defaultNamespace(), "user:tester");
    assert.equal(getNamespace(), "user:tester");
    process.env.FLOWSHIP_PRODUCTION_TOKEN = "tok-1";
    try {
      assert.equal(defaultNamespace(), "production:tok-1");
    } finally {
      delete process.env.FLOWSHIP_PRODUCTION_TOKEN;
    }
  });

  test("runs record the namespace they ran in", async () => {
    const runs = await (await Flow.get("BranchFlow", { namespace: null })).runs();
    assert.deepEqual(
      runs.map((r) => [r.id, r.namespace, r.user]),
      [
        [ids.theirs, "user:someone-else", "someone-else"],
        [ids.mine, "user:tester", "tester"],
      ],
    );
    const prod = await Run.get(`ForeachFlow/${ids.prod}`, { namespace: null });
    assert.equal(prod.namespace, "production:tok-1");
    assert.ok(prod.systemTags.includes("production:tok-1"));
  });

  test("the default namespace shows only my runs", async () => {
    // Metaflow's namespace(None) ported as namespace(): refused, not read as "my own runs"
    assert.throws(() => (namespace as (ns?: unknown) => unknown)(), {
      code: "FS_CLIENT_OPTIONS",
      message:
        "Invalid options of namespace(): give a namespace such as 'user:alice', or null for every run (Metaflow's namespace(None)), got undefined.",
    });
    namespace("user:tester");
    const flow = await Flow.get("BranchFlow");
    assert.deepEqual(
      (await flow.runs()).map((r) => r.id),
      [ids.mine],
    );
    assert.deepEqual(
      (await listFlows()).map((f) => f.name),
      ["BranchFlow"],
    );
  });

  test("another user's run is out of my namespace, with a message naming both", async () => {
    namespace("user:tester");
    await assert.rejects(Run.get(`BranchFlow/${ids.theirs}`), (e: NamespaceMismatchError) => {
      assert.equal(e.code, "FS_CLIENT_NAMESPACE_MISMATCH");
      assert.equal(
        e.message,
        `Run not in namespace 'user:tester': 'BranchFlow/${ids.theirs}' belongs to 'user:someone-else'. Call namespace('user:someone-else') or namespace(null) to read it.`,
      );
      return true;
    });
    await assert.rejects(Task.get(`BranchFlow/${ids.theirs}/end/0`), {
      code: "FS_CLIENT_NAMESPACE_MISMATCH",
    });
  });

  test("a flow with no run in the namespace is out of it", async () => {
    namespace("user:tester");
    await assert.rejects(Flow.get("ForeachFlow"), {
      code: "FS_CLIENT_NAMESPACE_MISMATCH",
      message:
        "Flow not in namespace 'user:tester': 'ForeachFlow' has no run in it. Call namespace(null) to see every run.",
    });
  });

  test("switching to another user's namespace shows their runs", async () => {
    namespace("user:someone-else");
    const run = await Run.get(`BranchFlow/${ids.theirs}`);
    assert.equal(await run.data?.total, 63);
    assert.deepEqual(
      (await (await Flow.get("BranchFlow")).runs()).map((r) => r.id),
      [ids.theirs],
    );
  });

  test("a user tag works as a namespace", async () => {
    namespace("shared");
    assert.deepEqual(
      (await (await Flow.get("BranchFlow")).runs()).map((r) => r.id),
      [ids.theirs],
    );
  });

  test("production runs are seen in their production namespace", async () => {
    namespace("production:tok-1");
    assert.equal((await (await Flow.get("ForeachFlow")).latestRun())?.id, ids.prod);
    assert.deepEqual(
      (await listFlows()).map((f) => f.name),
      ["ForeachFlow"],
    );
  });

  test("namespace(null) sees every run", async () => {
    assert.equal(namespace(null), null);
    assert.equal(getNamespace(), null);
    assert.deepEqual(
      (await (await Flow.get("BranchFlow")).runs()).map((r) => r.id),
      [ids.theirs, ids.mine],
    );
    assert.deepEqual(
      (await listFlows()).map((f) => f.name),
      ["BranchFlow", "ForeachFlow"],
    );
  });

  test("an opened object keeps the namespace it was opened in", async () => {
    namespace(null);
    const flow = await Flow.get("BranchFlow");
    namespace("user:tester");
    assert.equal(flow.namespace, null);
    assert.equal((await flow.runs()).length, 2);
  });
});
