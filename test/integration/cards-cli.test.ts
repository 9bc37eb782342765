// Cards through the real CLI: `card get` prints one self-contained HTML document with every
// component of examples/card_flow.ts, `card view` writes it to a file and hands the path to the
// opener, bad input is a one-line error, and a card a running task refreshed is read while the
// task still runs (and read again, final, once it ended).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Task } from "../../src/client/index.js";
import { BIN, flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { syntheticStore, writeSyntheticRun, writeSyntheticTask } from "../helpers/synthetic-datastore.js";

const root = path.join(tempDir(), ".flowship");
const env = flowshipEnv(root);
const EXAMPLE = "examples/card_flow.ts";
let runId: string;

const card = (args: string[], extra: Record<string, string> = {}) =>
  runCli([EXAMPLE, "card", ...args], { env: { ...env, ...extra } });

describe("card get and card view", () => {
  before(async () => {
    const result = await runCli([EXAMPLE, "run", "--delay", "0"], { env });
    assert.equal(result.code, 0, result.stderr);
    runId = runIdFrom(result.stderr);
  });

  test("card get prints one self-contained document with every component and nothing that loads or runs", async () => {
    // when
    const result = await card(["get", `${runId}/train/0`]);
    // then
    assert.equal(result.code, 0, result.stderr);
    const html = result.stdout;
    assert.match(html, /^<!doctype html>/);
    const kinds = [...html.matchAll(/data-component="(\w+)"/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(kinds)].sort(), ["chart", "image", "markdown", "progress", "table"]);
    assert.match(html, /<h2>Training report<\/h2>/);
    assert.match(html, /class="mark-line"/);
    assert.match(html, /<progress value="6" max="6"/, "the bar's last update");
    assert.match(html, /<img src="data:image\/svg\+xml;base64,/);
    assert.match(html, /content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"/);
    assert.doesNotMatch(html, /<script|<link|src="http/);
  });

  test("card view writes the document to a file, prints its path and opens it; a failed opener or temporary folder is one line", async () => {
    // given: an opener command line (a program and an argument) that records what it was asked to open
    const dir = tempDir();
    const opened = path.join(dir, "opened.txt");
    const opener = path.join(dir, "my opener.sh");
    fs.writeFileSync(opener, `#!/bin/sh\nprintf '%s %s' "$1" "$2" > '${opened}'\n`, { mode: 0o755 });
    const view = (command: string) =>
      card(["view", `${runId}/train/0`], { FLOWSHIP_OPEN_COMMAND: command, TMPDIR: dir });
    // when
    const [viewed, get, failing, missing, noTemp] = await Promise.all([
      view(`'${opener}' --new-window`),
      card(["get", `${runId}/train/0`]),
      view("sh -c 'echo the opener says why; exit 3' opener"),
      view(path.join(dir, "no-such-opener")),
      card(["view", `${runId}/train/0`], { FLOWSHIP_OPEN_COMMAND: "true", TMPDIR: path.join(dir, "gone") }),
    ]);
    // then
    assert.equal(viewed.code, 0, viewed.stderr);
    const file = viewed.stdout.trim();
    // A private folder of its own, not a fixed shared path another user could plant a symlink in.
    assert.match(path.basename(path.dirname(file)), /^flowship-cards-\w{6}$/);
    assert.equal(path.dirname(path.dirname(file)), dir);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.equal(fs.readFileSync(file, "utf8"), get.stdout);
    assert.equal(fs.readFileSync(opened, "utf8"), `--new-window ${file}`, "opened before card view ended");
    // then: an opener that fails, or is not there, is one line after its own output; the path is still printed
    // (each view writes into a folder of its own)
    const failedFile = failing.stdout.trim();
    assert.deepEqual([failing.code, path.basename(failedFile)], [1, path.basename(file)]);
    assert.notEqual(path.dirname(failedFile), path.dirname(file));
    assert.equal(
      failing.stderr,
      `the opener says why\nerror: Could not open the cards: 'sh' exited with code 3; open ${failedFile} yourself, or set FLOWSHIP_OPEN_COMMAND to a program that opens it.\n`,
    );
    assert.deepEqual([missing.code, path.basename(missing.stdout.trim())], [1, path.basename(file)]);
    assert.match(
      missing.stderr,
      /^error: Could not open the cards: there is no program '.*no-such-opener'; open /,
    );
    // then: a temporary folder that is not there is one line naming it (it was an internal error, exit 70)
    assert.deepEqual([noTemp.code, noTemp.stdout], [1, ""]);
    assert.equal(
      noTemp.stderr,
      `error: Cannot write the cards in the temporary folder '${path.join(dir, "gone")}': it does not exist (ENOENT). Set TMPDIR to a folder you can write, or save them with card get > report.html.\n`,
    );
  });

  test("bad input: a task without cards, a pathspec that is not a task, an unknown card id", async () => {
    const [none, shape, id] = await Promise.all([
      card(["get", `${runId}/start/0`]),
      card(["get", `${runId}/train`]),
      card(["get", `${runId}/train/0`, "--id", "metrics"]),
    ]);
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr.trim(),
      `error: No cards in task 'CardFlow/${runId}/start/0' (attempt 0): a step draws one with current.card.append(…) or the card() decorator (docs/cards.md).`,
    );
    assert.equal(shape.code, 2);
    assert.match(
      shape.stderr,
      /^error: Invalid pathspec '\d+\/train': cards belong to a task, give RUN\/STEP\/TASK/,
    );
    assert.equal(id.code, 1);
    assert.match(id.stderr, /^error: No card 'metrics' in task .*: its cards are default\.\n$/);
    for (const r of [none, shape, id]) assert.equal(r.stdout, "");
  });

  test("a corrupt card shows as a card saying so; the task's other cards still show", async () => {
    // given: a task with two cards, one of whose records was changed on disk
    const store = syntheticStore(root, "CardFlow");
    const id = String(Date.now() - 4000);
    await writeSyntheticRun(store, { runId: id, startedAt: new Date(Number(id)), status: "succeeded" });
    await writeSyntheticTask(store, id, {
      step: "train",
      taskId: "0",
      startedAt: new Date(),
      ms: 5,
      status: "succeeded",
    });
    const written = (cardId: string, text: string) =>
      store.writeCard(id, "train", "0", 0, {
        id: cardId,
        final: true,
        updatedAt: new Date().toISOString(),
        components: [{ type: "markdown", text }],
      });
    await written("default", "the lost card");
    await written("metrics", "the card that stays");
    const file = path.join(store.storage.localPath!(store.taskKey(id, "train", "0")), "0.card.default.json");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("lost", "LOST"));
    // when
    const [all, one] = await Promise.all([
      card(["get", `${id}/train/0`]),
      card(["get", `${id}/train/0`, "--id", "metrics"]),
    ]);
    // then
    assert.equal(all.code, 0, all.stderr);
    assert.match(
      all.stdout,
      /This card could not be read: Corrupt metadata record &#39;[^&]*0\.card\.default\.json&#39;/,
    );
    assert.match(all.stdout, /the card that stays/);
    assert.doesNotMatch(all.stdout, /the LOST card/);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /the card that stays/);
  });

  test("a task that has not ended is told to have no cards yet, not to draw one", async () => {
    // given: a run whose train task started and has written neither cards nor an end
    const store = syntheticStore(root, "CardFlow");
    const started = String(Date.now() - 5000);
    await writeSyntheticRun(store, {
      runId: started,
      startedAt: new Date(Number(started)),
      status: "running",
    });
    await writeSyntheticTask(store, started, {
      step: "train",
      taskId: "0",
      startedAt: new Date(),
      ms: 0,
      status: "running",
    });
    // when
    const result = await card(["get", `${started}/train/0`]);
    // then
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `error: No cards in task 'CardFlow/${started}/train/0' (attempt 0) yet: it has not ended, and its cards are written when it ends, or before then each time the step calls current.card.refresh() (docs/cards.md).\n`,
    );
  });

  test("the full pathspec a card and the UI show (FLOW/RUN/STEP/TASK) is taken; another flow's is a one-line error", async () => {
    const [full, short, other] = await Promise.all([
      card(["get", `CardFlow/${runId}/train/0`]),
      card(["get", `${runId}/train/0`]),
      card(["get", `OtherFlow/${runId}/train/0`]),
    ]);
    assert.equal(full.code, 0, full.stderr);
    assert.equal(full.stdout, short.stdout);
    assert.equal(other.code, 2);
    assert.equal(
      other.stderr,
      `error: Invalid pathspec 'OtherFlow/${runId}/train/0': cards belong to a task, give RUN/STEP/TASK, e.g. 1795510290707/train/0, or FLOW/RUN/STEP/TASK of this file's flow, 'CardFlow'.\n`,
    );
    assert.equal(other.stdout, "");
  });
});

describe("a card refreshed while its task runs", () => {
  test("is read while the task runs, then final once it ended", async () => {
    // given: a run whose `live` task refreshes its card, then waits for a file
    const go = path.join(tempDir(), "go");
    const child = spawn(process.execPath, [BIN, "test/fixtures/flows/card_live.ts", "run"], {
      cwd: REPO,
      env: { ...env, CARD_GO_FILE: go },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      let live: string | undefined;
      for (let i = 0; i < 600 && live === undefined; i++) {
        const id = /Running CardLive\/(\S+) as/.exec(stderr)?.[1];
        const task = id
          ? await Task.get(`CardLive/${id}/live/0`, { datastore: root, namespace: null }).catch(
              () => undefined,
            )
          : undefined;
        if (task && (await task.cards()).length > 0) live = id;
        else await sleep(50);
      }
      assert.ok(live, `the live card never appeared:\n${stderr}`);
      // when: read through the CLI while the task waits
      const during = await runCli(["test/fixtures/flows/card_live.ts", "card", "get", `${live}/live/0`], {
        env,
      });
      // then
      assert.equal(during.code, 0, during.stderr);
      assert.match(during.stdout, /<p>first update<\/p>/);
      assert.doesNotMatch(during.stdout, /second update/);
      assert.match(during.stdout, /data-final="false"/);
      assert.equal(
        (await Task.get(`CardLive/${live}/live/0`, { datastore: root, namespace: null })).status,
        "running",
      );
      // when: the task goes on and ends
      fs.writeFileSync(go, "");
      assert.equal(await exited, 0, stderr);
      const after = await runCli(["test/fixtures/flows/card_live.ts", "card", "get", `${live}/live/0`], {
        env,
      });
      // then
      assert.match(after.stdout, /<p>first update<\/p>.*<p>second update<\/p>/s);
      assert.match(after.stdout, /data-final="true"/);
      assert.match(after.stdout, /<h2>Task live\/0<\/h2>/, "card() gave no title: the task heads it");
      // then: the retried task's failed first attempt says so on its card; its second does not
      const [failed, retried] = await Promise.all(
        ["0", "1"].map((attempt) =>
          runCli(
            ["test/fixtures/flows/card_live.ts", "card", "get", `${live}/flaky/0`, "--attempt", attempt],
            { env },
          ),
        ),
      );
      assert.match(
        failed!.stdout,
        /<p class="fs-card-failed">This attempt failed: Error: the first attempt fails<\/p><div [^>]*><p>attempt 0<\/p>/,
      );
      assert.match(retried!.stdout, /<p>attempt 1<\/p>/);
      assert.doesNotMatch(retried!.stdout, /class="fs-card-failed"/);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

describe("a step killed by its timeout in a synchronous loop", () => {
  test("card get says it was killed before its cards were written", async () => {
    const flowFile = "test/fixtures/flows/card_busy_timeout.ts";
    const run = await runCli([flowFile, "run"], { env });
    assert.notEqual(run.code, 0);
    const got = await runCli([flowFile, "card", "get", `${runIdFrom(run.stderr)}/start/0`], { env });
    assert.equal(got.code, 1);
    assert.match(
      got.stderr,
      /^error: No cards in task 'CardBusyTimeout\/\d+\/start\/0' \(attempt 0\): it timed out, and a step whose code kept the event loop busy is killed before its cards are written; await current\.card\.refresh\(\) as it goes to keep what it drew \(docs\/cards\.md\)\.\n$/,
    );
  });
});
