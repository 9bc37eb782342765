// Showing what a run stored, and the UI server's requests, from one run of
// test/fixtures/flows/shown_values.ts: values whose shared objects would expand without bound are
// "too large to show" at once in `dump`, `dump --json` and a task page; an artifact named 日本
// downloads with an RFC 6266 header and leaves the server up; a request whose Host header is
// another name than the server's own (DNS rebinding) is refused.
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { type RunningUi, startUi } from "../helpers/ui.js";

const FLOW = "test/fixtures/flows/shown_values.ts";
const env = flowshipEnv(path.join(tempDir(), ".flowship"));
let runId: string;
let ui: RunningUi;

const TOO_LARGE = {
  $type: "TooLarge",
  message: "too large to show: its shared objects would be copied out as more than 1000000 values",
};

/** A GET with the Host header given, whatever the address connected to. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers: { host } }, (response) => {
      let body = "";
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode!, body }));
    });
    request.on("error", reject);
  });
}

before(async () => {
  const result = await runCli([FLOW, "run"], { env });
  assert.equal(result.code, 0, result.stderr);
  runId = runIdFrom(result.stderr);
  ui = await startUi(env);
});
after(async () => {
  await ui?.stop();
});

describe("values whose shared objects expand without bound", () => {
  test("dump and dump --json show them as too large to show, at once, and the others as they are", async () => {
    const json = await runCli([FLOW, "dump", "--json", `${runId}/start`], { env, killAfterMs: 20_000 });
    assert.equal(json.code, 0, json.stderr);
    const values = JSON.parse(json.stdout)[`ShownValuesFlow/${runId}/start/0`];
    assert.deepEqual(values, {
      shared: TOO_LARGE,
      wide: TOO_LARGE,
      sparse: {
        $type: "TooLarge",
        message:
          "too large to show: the holes of its sparse arrays would be written out as more than 1000000 values",
      },
      named: [],
      small: { x: 1 },
      日本: { greeting: "こんにちは" },
    });
    const readable = await runCli([FLOW, "dump", `${runId}/start`], { env, killAfterMs: 20_000 });
    assert.equal(readable.code, 0, readable.stderr);
    assert.match(
      readable.stdout,
      /\n {2}wide \[Array\(1000\), \d+ bytes\] = \(too large to show: its shared objects would be printed as more than 1000000 values; read parts of it with the Client API\)\n/,
    );
    assert.match(
      readable.stdout,
      /\n {2}named \[Array\(0\), \d+ bytes\] = \(too large to show: its shared objects would be printed as more than 1000000 values; read parts of it with the Client API\)\n/,
    );
    assert.match(
      readable.stdout,
      /\n {2}sparse \[Array\(4294967295\), \d+ bytes\] = \[ <4294967294 empty items>, 1 \]\n/,
    );
    assert.match(readable.stdout, /\n {2}small \[Object, \d+ bytes\] = \{ x: 1 \}\n/);
  });

  test("a task page shows each of them cut to its budget, and the rest whole", async () => {
    const response = await fetch(`${ui.url}/api/tasks/ShownValuesFlow/${runId}/start/0`, {
      signal: AbortSignal.timeout(20_000),
    });
    assert.equal(response.status, 200);
    const task = (await response.json()) as { artifacts: Array<{ name: string; preview?: unknown }> };
    const previews = Object.fromEntries(task.artifacts.map((a) => [a.name, a.preview]));
    // The shared values are previews of bounded size (2^40 nodes written out would never answer).
    for (const name of ["shared", "wide", "sparse", "named"]) {
      assert.ok(previews[name], `${name} has a preview`);
      assert.ok(JSON.stringify(previews[name]).length < 2_000_000, `${name}'s preview is bounded`);
    }
    assert.deepEqual(previews.small, { t: "obj", size: 1, entries: [["x", { t: "num", v: "1" }]] });
    assert.deepEqual(previews.日本, {
      t: "obj",
      size: 1,
      entries: [["greeting", { t: "str", v: "こんにちは", len: 5 }]],
    });
  });
});

describe("the ui server's requests", () => {
  test("an artifact named 日本 downloads with an RFC 6266 file name, and the server stays up", async () => {
    const response = await fetch(
      `${ui.url}/api/artifacts/ShownValuesFlow/${runId}/start/0/${encodeURIComponent("日本")}`,
    );
    assert.equal(response.status, 200);
    assert.equal(
      response.headers.get("content-disposition"),
      `attachment; filename="__.json"; filename*=UTF-8''%E6%97%A5%E6%9C%AC.json`,
    );
    assert.deepEqual(await response.json(), { greeting: "こんにちは" });
    const after = await fetch(`${ui.url}/api/flows`);
    assert.equal(after.status, 200);
    assert.doesNotMatch(ui.stderr(), /Error|at /);
  });

  test("a request naming another host (DNS rebinding) is refused; the server's own names are answered", async () => {
    const port = Number(new URL(ui.url).port);
    const api = `${ui.url}/api/runs/ShownValuesFlow/${runId}`;
    for (const host of [
      `rebind.example:${port}`,
      `localhost:${port + 1}`,
      "localhost",
      `127.0.0.1.nip.io:${port}`,
    ]) {
      const refused = await getWithHost(api, host);
      assert.equal(refused.status, 403, host);
      assert.doesNotMatch(refused.body, new RegExp(runId), host);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      const answered = await getWithHost(api, host);
      assert.equal(answered.status, 200, host);
      assert.match(answered.body, new RegExp(runId), host);
    }
  });
});
