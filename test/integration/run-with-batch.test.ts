// `run --with batch` and the `batch()` decorator (issue 31), with the real CLI against moto: the
// laptop orchestrates, Batch steps are jobs running production's job definition and command in
// the bubblewrap sandbox (test/helpers/moto/batch_sandbox.py; needs `npm run build`), the run
// lives on moto's S3. Every request is checked against botocore's models at the end.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DescribeJobDefinitionsCommand, DescribeJobsCommand } from "@aws-sdk/client-batch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Run } from "../../src/client/index.js";
import { BIN, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { roleArn, sdkClients } from "../helpers/moto-account.js";
import { fargateQueue } from "../helpers/moto-batch-queue.js";
import { type MotoAccount, startMotoAccount } from "../helpers/moto-executions.js";
import { runArtifacts } from "../helpers/run-artifacts.js";
import { startUi } from "../helpers/ui.js";

const localRoot = path.join(tempDir("flowship-local-"), ".flowship");
let account: MotoAccount;
let env: NodeJS.ProcessEnv;
/** The same flows run wholly on this machine, for their artifacts. */
let localEnv: NodeJS.ProcessEnv;

const s3 = () => ({ kind: "s3" as const, root: account.s3Root, endpoint: account.moto.directEndpoint });
const local = { kind: "local" as const, root: localRoot };

before(async () => {
  account = await startMotoAccount(localRoot);
  // This process reads moto's S3 through the Client API with moto's keys.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: account.moto.region,
  });
  env = {
    ...account.env,
    FLOWSHIP_DATASTORE: "s3",
    FLOWSHIP_S3_ROOT: account.s3Root,
    FLOWSHIP_BATCH_POLL_INTERVAL: "0.2",
    // No settings file: every setting comes from FLOWSHIP_AWS_* (a missing file in a real folder).
    FLOWSHIP_CONFIG: path.join(tempDir("flowship-home-"), "absent.json"),
  };
  localEnv = { ...env, FLOWSHIP_DATASTORE: "local", FLOWSHIP_S3_ROOT: undefined };
  await fargateQueue(account.moto, "flowship-fargate");
  // Queues whose jobs could never start: 2 vCPUs at most; every environment DISABLED.
  await fargateQueue(account.moto, "flowship-small", { maxvCpus: 2 });
  await fargateQueue(account.moto, "flowship-off", { disabled: true });
});
after(() => account?.close());

// The runs wait on Batch jobs far more than they compute: they run side by side.
describe("local runs with Batch steps", { concurrency: true }, () => {
  test("ForeachFlow with --with batch: every task a Batch job, a local run's artifacts", async () => {
    // when
    const [batch, alone] = await Promise.all([
      runCli(["examples/foreach_flow.ts", "run", "--count", "3", "--with", "batch:cpu=1,memory=2048"], {
        env,
      }),
      runCli(["examples/foreach_flow.ts", "run", "--count", "3"], { env: localEnv }),
    ]);
    // then
    assert.equal(batch.code, 0, batch.stderr);
    assert.equal(alone.code, 0, alone.stderr);
    assert.match(batch.stderr, /Batch job definition \S+ registered/);
    assert.equal(batch.stderr.match(/submitted to queue 'flowship-queue'/g)?.length, 6, batch.stderr);
    const runId = runIdFrom(batch.stderr);
    assert.match(batch.stdout, new RegExp(`\\[${runId}/square/1\\] item 1: 2² = 4`));
    assert.deepEqual(
      await runArtifacts(s3(), `ForeachFlow/${runId}`),
      await runArtifacts(local, `ForeachFlow/${runIdFrom(alone.stderr)}`),
    );
    // The job definition is production's: the bootstrap command, the code package on the run's S3.
    const { batch: client } = sdkClients(account.moto);
    const definitions = await client.send(
      new DescribeJobDefinitionsCommand({ jobDefinitionName: "flowship-ForeachFlow", status: "ACTIVE" }),
    );
    const container = definitions.jobDefinitions![0]!.containerProperties!;
    assert.deepEqual(container.command!.slice(0, 2), ["node", "--input-type=module"]);
    assert.ok(
      container.environment!.some(
        (e) =>
          e.name === "FLOWSHIP_CODE_PACKAGE_URL" &&
          e.value!.startsWith(`${account.s3Root}/ForeachFlow/code/`),
      ),
    );
  });

  test("one batch() step: a failed job shows its logs, resume finishes the run on both sides", async () => {
    // given: the Batch step fails on its first run
    const failed = await runCli(
      ["test/fixtures/flows/batch_step.ts", "run", "--with", "environment:FAIL_HEAVY=yes"],
      { env },
    );
    assert.equal(failed.code, 1, failed.stderr);
    const failedId = runIdFrom(failed.stderr);
    assert.match(failed.stderr, new RegExp(`\\[${failedId}/heavy/0\\] .*heavy failed on purpose`));
    assert.equal(failed.stderr.match(/submitted to queue/g)?.length, 1, "only heavy runs on Batch");
    // when
    const resumed = await runCli(
      // The Ctrl-C test runs the same flow meanwhile: the origin is named.
      ["test/fixtures/flows/batch_step.ts", "resume", "--origin-run-id", failedId],
      { env },
    );
    // then
    assert.equal(resumed.code, 0, resumed.stderr);
    const runId = runIdFrom(resumed.stderr);
    assert.match(resumed.stderr, new RegExp(`cloned from BatchStepFlow/${failedId}/start/0`));
    assert.match(resumed.stdout, new RegExp(`\\[${runId}/heavy/0\\] total 60 computed on batch`));
    // What a run wholly on this machine stores (a flow with batch() runs only with its Batch step):
    // each step's artifacts, and where it ran.
    const artifacts = await runArtifacts(s3(), `BatchStepFlow/${runId}`);
    assert.deepEqual(artifacts, {
      "start/0": { scale: 10, items: [1, 2, 3], where: "local" },
      "heavy/0": { scale: 10, items: [1, 2, 3], where: "local", total: 60, heavyWhere: "batch" },
      "end/0": {
        scale: 10,
        items: [1, 2, 3],
        where: "local",
        total: 60,
        heavyWhere: "batch",
        endWhere: "local",
      },
    });
    // A second run of the same code reuses the job definition.
    assert.match(resumed.stderr, /Batch job definition \S+ reused/);
  });

  test("Ctrl-C terminates the run's Batch jobs and records them as cancelled", async () => {
    // given: a run whose Batch step sleeps
    const child = spawn(
      process.execPath,
      [BIN, "test/fixtures/flows/batch_step.ts", "run", "--with", "environment:HEAVY_SLEEP=60s"],
      { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    let done = false;
    const exited = new Promise<number | null>((resolve) =>
      child.on("close", (code) => {
        done = true;
        resolve(code);
      }),
    );
    const wait = async () => {
      if (done) throw new Error(`the run ended before it was interrupted:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    };
    const { batch: client } = sdkClients(account.moto);
    const jobId = async () => {
      for (;;) {
        const match = /Batch job (\S+) submitted/.exec(stderr);
        if (match) return match[1]!;
        await wait();
      }
    };
    const id = await jobId();
    const status = async () => (await client.send(new DescribeJobsCommand({ jobs: [id] }))).jobs![0]!;
    while ((await status()).status !== "RUNNING") await wait();
    // when
    child.kill("SIGINT");
    // then
    assert.equal(await exited, 130, stderr);
    let job = await status();
    for (let i = 0; i < 50 && job.status !== "FAILED"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = await status();
    }
    assert.equal(job.status, "FAILED");
    assert.match(job.statusReason ?? "", /the flowship run stopped/);
    const run = await Run.get(`BatchStepFlow/${runIdFrom(stderr)}`, { datastore: s3(), namespace: null });
    assert.equal(run.status, "failed");
    const heavy = await (await run.step("heavy")).task("0");
    assert.equal(heavy.exception?.type, "Cancelled");
  });

  test("a task failing for good terminates its siblings' Batch jobs, recorded as cancelled", async () => {
    // when
    const result = await runCli(["test/fixtures/flows/batch_siblings.ts", "run"], { env });
    // then
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /item 0 fails on purpose/);
    const runId = runIdFrom(result.stderr);
    const sibling = new RegExp(`\\[${runId}/work/1\\] Batch job (\\S+) submitted`).exec(result.stderr);
    assert.ok(sibling, result.stderr);
    const { batch: client } = sdkClients(account.moto);
    let job = (await client.send(new DescribeJobsCommand({ jobs: [sibling[1]!] }))).jobs![0]!;
    for (let i = 0; i < 50 && job.status !== "FAILED"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await client.send(new DescribeJobsCommand({ jobs: [sibling[1]!] }))).jobs![0]!;
    }
    assert.equal(job.status, "FAILED");
    assert.match(job.statusReason ?? "", /the flowship run stopped/);
    const run = await Run.get(`BatchSiblingsFlow/${runId}`, { datastore: s3(), namespace: null });
    const work = await run.step("work");
    assert.equal((await work.task("1")).exception?.type, "Cancelled");
  });

  test("a Batch task's output arrives while it runs; Fargate and GPU jobs; the UI reads the run", async () => {
    // given: a run whose Fargate step prints a line, then waits for an S3 object this test makes
    const gate = `gates/live-${process.pid}`;
    const child = spawn(
      process.execPath,
      [
        BIN,
        "test/fixtures/flows/batch_live.ts",
        "run",
        "--with",
        `environment:LIVE_GATE=${account.bucket}/${gate}`,
      ],
      {
        cwd: REPO,
        env: { ...env, FLOWSHIP_AWS_EXECUTION_ROLE: roleArn("flowship-batch-execution") },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let [stdout, stderr] = ["", ""];
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    let done = false;
    void exited.then(() => {
      done = true;
    });
    const line = /\[(\d+)\/talk\/0\] hello: waiting for the gate\n/;
    while (!line.test(stdout)) {
      assert.ok(!done, `the run ended before its Batch task's line was printed:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // then: the line came while its job runs (it cannot end before the gate opens)
    const talk = /\/talk\/0\] Batch job (\S+) submitted/.exec(stderr)![1]!;
    const { batch: client, s3: s3Client } = sdkClients(account.moto);
    const describe = async (id: string) =>
      (await client.send(new DescribeJobsCommand({ jobs: [id] }))).jobs![0]!;
    assert.equal((await describe(talk)).status, "RUNNING");
    assert.doesNotMatch(stdout, /the gate opened/);
    // when
    await s3Client.send(new PutObjectCommand({ Bucket: account.bucket, Key: gate, Body: "open" }));
    // then: each line once, in order, with the task's prefix
    assert.equal(await exited, 0, stderr);
    const runId = line.exec(stdout)![1]!;
    const talkLines = stdout.split("\n").filter((l) => l.startsWith(`[${runId}/talk/0]`));
    assert.deepEqual(talkLines, [
      `[${runId}/talk/0] hello: waiting for the gate`,
      `[${runId}/talk/0] the gate opened`,
    ]);
    assert.match(stdout, new RegExp(`\\[${runId}/gpu/0\\] trained gate on flowship-queue`));
    // The Fargate step's job definition is a Fargate one (what Batch requires of it), the GPU
    // step's job asks for its GPU.
    const talkJob = await describe(talk);
    assert.equal(talkJob.jobQueue!.split("/").pop(), "flowship-fargate");
    const definition = (
      await client.send(new DescribeJobDefinitionsCommand({ jobDefinitionName: "flowship-BatchLiveFlow" }))
    ).jobDefinitions!.find((d) => d.jobDefinitionArn === talkJob.jobDefinition)!;
    assert.deepEqual(definition.platformCapabilities, ["FARGATE"], `${talkJob.jobDefinition}\n${stderr}`);
    assert.equal(definition.containerProperties!.executionRoleArn, roleArn("flowship-batch-execution"));
    const submitted = account.moto.requests
      .filter((r) => r.service === "batch" && r.url.startsWith("/v1/submitjob"))
      .map((r) => JSON.parse(r.body))
      .filter((body) => body.jobName.startsWith("BatchLiveFlow"));
    const talkSubmit = submitted.find((body) => body.jobName.endsWith("talk"));
    assert.deepEqual(talkSubmit.containerOverrides.resourceRequirements, [
      { type: "VCPU", value: "1" },
      { type: "MEMORY", value: "2048" },
    ]);
    const gpuSubmit = submitted.find((body) => body.jobName.endsWith("gpu"));
    assert.equal(gpuSubmit.jobQueue, "flowship-queue");
    assert.deepEqual(gpuSubmit.containerOverrides.resourceRequirements, [
      { type: "VCPU", value: "2" },
      { type: "MEMORY", value: "4096" },
      { type: "GPU", value: "1" },
    ]);
    // when: `flowship ui` reads the S3 datastore
    const ui = await startUi(env, ["--datastore-root", account.s3Root]);
    try {
      const api = async (url: string): Promise<any> => {
        const response = await fetch(`${ui.url}${url}`);
        assert.equal(response.status, 200, url);
        return response.json();
      };
      // then: its tasks, a Batch task's logs and artifacts, like any run's
      const run = await api(`/api/runs/BatchLiveFlow/${runId}`);
      assert.equal(run.run.status, "succeeded");
      assert.deepEqual(
        Object.fromEntries(
          Object.entries(run.steps).map(([step, tasks]: [string, any]) => [step, tasks[0].status]),
        ),
        { start: "succeeded", talk: "succeeded", gpu: "succeeded", end: "succeeded" },
      );
      const log = await api(`/api/logs/BatchLiveFlow/${runId}/talk/0?stream=stdout`);
      assert.equal(log.text, "hello: waiting for the gate\nthe gate opened\n");
      const task = await api(`/api/tasks/BatchLiveFlow/${runId}/gpu/0`);
      const trained = task.artifacts.find((a: { name: string }) => a.name === "trained");
      assert.equal(trained.preview.v, "gate on flowship-queue");
    } finally {
      await ui.stop();
    }
  });

  test("a queue that does not exist is refused in one line before any job is submitted", async () => {
    const result = await runCli(
      ["test/fixtures/flows/batch_step.ts", "run", "--with", "batch:queue=no-such-queue"],
      { env },
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Batch job queue 'no-such-queue' does not exist/);
    assert.doesNotMatch(result.stderr, /submitted|registered|\n\s+at /);
  });

  test("a queue that could never start a step's job is refused in one line before any upload", async () => {
    // when: 4 vCPUs on a queue whose environments run 2 at most; then any size on a DISABLED one
    const fargate = { env: { ...env, FLOWSHIP_AWS_EXECUTION_ROLE: roleArn("flowship-batch-execution") } };
    const [small, off] = await Promise.all([
      runCli(
        [
          "test/fixtures/flows/batch_step.ts",
          "run",
          "--with",
          "batch:queue=flowship-small,cpu=4,memory=8192",
        ],
        fargate,
      ),
      runCli(["test/fixtures/flows/batch_step.ts", "run", "--with", "batch:queue=flowship-off"], fargate),
    ]);
    // then
    assert.equal(small.code, 2, small.stderr);
    assert.match(
      small.stderr,
      /queue 'flowship-small' cannot start the Batch steps of flow 'BatchStepFlow' as asked: steps 'start', 'end' ask cpu: 4 \(from --with batch:cpu=4\), but its compute environments run at most 2 vCPUs/,
    );
    assert.equal(off.code, 2, off.stderr);
    assert.match(off.stderr, /queue 'flowship-off' cannot start .* are all DISABLED/);
    for (const { stderr } of [small, off]) {
      assert.equal(stderr.trim().split("\n").length, 1, stderr);
      assert.doesNotMatch(stderr, /submitted|registered|uploaded|\n\s+at /);
    }
  });

  test("a run with Batch steps on a local datastore is refused in one line, naming the setting", async () => {
    const result = await runCli(["test/fixtures/flows/batch_step.ts", "run"], { env: localEnv });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /FLOWSHIP_DATASTORE=s3/);
  });
});

test("every request matches botocore's models", async () => {
  const report = await account.moto.validate();
  assert.deepEqual(report.findings, []);
  assert.ok(report.checked > 0);
});
