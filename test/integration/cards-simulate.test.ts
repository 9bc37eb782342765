// A card drawn by a step that ran the way production runs it — `step-functions simulate`, each
// Batch job in the sandbox writing to S3 (s3rver on loopback) — is read back from S3 by `card get`
// and served by `flowship ui` over the same S3 datastore, its images included.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { flowshipEnv, runCli, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";
import { type RunningUi, startUi } from "../helpers/ui.js";

let server: S3TestServer;
let ui: RunningUi | undefined;
let env: NodeJS.ProcessEnv;
let s3Root: string;

before(async () => {
  server = await startS3Server();
  s3Root = `s3://${server.bucket}/flowship`;
  env = flowshipEnv(path.join(tempDir(), ".flowship"), {
    FLOWSHIP_S3_ENDPOINT: server.endpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: "us-east-1",
  });
});
after(async () => {
  await ui?.stop();
  await server.close();
});

test("a card from a simulated Step Functions run is read from S3 by card get and the UI", async () => {
  // given: the example simulated on Step Functions, its datastore on S3
  const simulated = await runCli(
    [
      "examples/card_flow.ts",
      "step-functions",
      "simulate",
      "--datastore",
      "s3",
      "--s3-root",
      s3Root,
      "--token",
      "ci",
      "--retry-interval-scale",
      "0.001",
    ],
    { env },
  );
  assert.equal(simulated.code, 0, simulated.stderr);
  const runId = simulatedRunIdFrom(simulated.stderr);
  const onS3 = { ...env, FLOWSHIP_DATASTORE: "s3", FLOWSHIP_S3_ROOT: s3Root };
  // when
  const [got, started] = await Promise.all([
    runCli(["examples/card_flow.ts", "card", "get", `${runId}/train/0`], { env: onS3 }),
    startUi(onS3, ["--datastore-root", s3Root]),
  ]);
  ui = started;
  // then: card get
  assert.equal(got.code, 0, got.stderr);
  const kinds = new Set([...got.stdout.matchAll(/data-component="(\w+)"/g)].map((m) => m[1]));
  assert.deepEqual([...kinds].sort(), ["chart", "image", "markdown", "progress", "table"]);
  // then: the UI's cards of the task, and one of their images
  const response = await fetch(`${ui.url}/api/cards/CardFlow/${runId}/train/0`);
  assert.equal(response.status, 200);
  const view = (await response.json()) as { cards: { id: string; final: boolean; html: string }[] };
  assert.deepEqual(
    view.cards.map((c) => [c.id, c.final]),
    [["default", true]],
  );
  const src = /<img src="([^"]+)" alt="confusion matrix">/.exec(view.cards[0]!.html)?.[1];
  assert.match(src ?? "", new RegExp(`^/api/card-images/CardFlow/${runId}/train/0/0/default/\\d+$`));
  const image = await fetch(`${ui.url}${src}`);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get("content-type"), "image/svg+xml");
  assert.match(image.headers.get("content-security-policy") ?? "", /sandbox/);
  assert.match(await image.text(), /^<svg /);
});
