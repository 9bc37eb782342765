// `step-functions backfill` under moto's Step Functions interpreter, each Batch job running its
// registered command in the sandbox (test/helpers/moto-executions.ts): a daily schedule in
// Europe/Berlin, over five days across the end of daylight-saving time, starts exactly five
// executions, each knowing its fire time as current.scheduledTime; run again, it starts none, and
// a fire time the schedule itself already ran is skipped too.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import { ListExecutionsCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { Run } from "../../src/client/index.js";
import { BIN, runCli, tempDir } from "../helpers/cli.js";
import { MOTO_ACCOUNT } from "../helpers/moto.js";
import { sdkClients } from "../helpers/moto-account.js";
import { deployFlow, type MotoAccount, startMotoAccount, waitForRun } from "../helpers/moto-executions.js";

const FLOW = "DailyReport";
const work = tempDir("flowship-backfill-");
const file = path.join(work, "daily_report.ts");
const machine = `arn:aws:states:eu-west-1:${MOTO_ACCOUNT}:stateMachine:${FLOW}`;

/** Local midnights from 24 to 28 October 2026 in Berlin: summer time ends on the 25th at 03:00. */
const FIRE_TIMES = [
  "2026-10-23T22:00:00.000Z",
  "2026-10-24T22:00:00.000Z",
  "2026-10-25T23:00:00.000Z",
  "2026-10-26T23:00:00.000Z",
  "2026-10-27T23:00:00.000Z",
];

let account: MotoAccount;

async function executions() {
  const { executions = [] } = await sdkClients(account.moto).sfn.send(
    new ListExecutionsCommand({ stateMachineArn: machine }),
  );
  return executions;
}

function backfill(args: string[]) {
  return runCli([file, "step-functions", "backfill", "--poll-seconds", "0.2", ...args], { env: account.env });
}

before(async () => {
  account = await startMotoAccount(path.join(work, ".flowship"));
  account.env.FLOWSHIP_AWS_SCHEDULER_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/flowship-scheduler`;
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: account.moto.region,
  });
  fs.writeFileSync(
    file,
    [
      `import { current, flow, schedule } from "flowship";`,
      `export default flow(${JSON.stringify(FLOW)})`,
      `  .decorator(schedule({ daily: true, timezone: "Europe/Berlin" }))`,
      // hold: seconds the start step waits, to keep a run running while a backfill looks at it
      `  .parameter("hold", { type: "integer", default: 0 })`,
      `  .step("start", async (self) => {`,
      `    if (self.hold > 0) await new Promise((r) => setTimeout(r, self.hold * 1000));`,
      `    self.when = current.scheduledTime?.toISOString() ?? null;`,
      `  }, { next: "end" })`,
      `  .step("end", () => {});`,
      "",
    ].join("\n"),
  );
  const deployed = await deployFlow(account, file);
  assert.equal(deployed.code, 0, deployed.stderr);
});

after(async () => {
  await account?.close();
});

describe("step-functions backfill of a daily schedule in Europe/Berlin", { timeout: 240_000 }, () => {
  test("the schedule starts its runs with their fire time", async () => {
    // when
    const schedule = await sdkClients(account.moto).scheduler.send(
      new GetScheduleCommand({ Name: `flowship-${FLOW}` }),
    );
    // then: Scheduler fills in its context attribute with each fire time
    assert.deepEqual(JSON.parse(JSON.parse(schedule.Target!.Input!).Input), {
      Parameters: "{}",
      ScheduledTime: "<aws.scheduler.scheduled-time>",
    });
  });

  test("a dry run lists the five fire times and starts nothing", async () => {
    // when
    const dry = await backfill(["--start", "2026-10-24", "--end", "2026-10-29", "--dry-run"]);
    // then
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, "5 fire times: 0 already succeeded, 5 to run.\n");
    assert.match(dry.stderr, /\[3\/5\] 2026-10-26T00:00:00\+01:00 would start backfill-20261025T230000Z\n/);
    // The planned fire times come first, under a header that promises nothing about stopping.
    assert.match(
      dry.stderr,
      /^Dry run of a backfill of DailyReport \(.+ in Europe\/Berlin\) from .+: 5 fire times, nothing is started\.\n\[1\/5\] 2026-10-24T00:00:00\+02:00\n/,
    );
    assert.doesNotMatch(dry.stderr, /Stopping this command/);
    assert.deepEqual(await executions(), []);
  });

  test("a dry run without AWS credentials still lists the fire times, then says the check needs them", async () => {
    // given: the settings, but no credentials the SDK can find
    const env = { ...account.env, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" };
    // when
    const dry = await runCli(
      [file, "step-functions", "backfill", "--start", "2026-10-24", "--end", "2026-10-29", "--dry-run"],
      { env },
    );
    // then
    assert.equal(dry.code, 1, dry.stderr);
    const listed = FIRE_TIMES.map((_, i) => `[${i + 1}/5] `);
    for (const line of listed) assert.ok(dry.stderr.includes(`\n${line}2026-10-2`), dry.stderr);
    assert.match(
      dry.stderr,
      /error: The fire times above are planned; which of them already ran could not be checked: .+ needs AWS credentials/,
    );
  });

  test("five executions, each with its current.scheduledTime; run again, none", async () => {
    // when
    const first = await backfill(["--start", "2026-10-24", "--end", "2026-10-29", "--max-concurrent", "5"]);
    // then
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "5 fire times: 0 already succeeded, 5 started, 5 succeeded.\n");
    const started = await executions();
    assert.deepEqual(
      started.map((e) => [e.name, e.status]).sort(),
      FIRE_TIMES.map((t) => [`backfill-${t.replace(/\.000Z$/, "Z").replace(/[-:]/g, "")}`, "SUCCEEDED"]),
    );
    const datastore = { kind: "s3" as const, root: account.s3Root, endpoint: account.moto.directEndpoint };
    const seen = await Promise.all(
      started.map(async (e) => {
        const run = await Run.get(`${FLOW}/sfn-${e.name}`, { datastore, namespace: null });
        const start = await (await run.step("start")).task();
        return [run.scheduledTime?.toISOString(), await start.load("when")];
      }),
    );
    assert.deepEqual(
      seen.sort(),
      FIRE_TIMES.map((t) => [t, t]),
    );
    // when: again, over the same days
    const again = await backfill(["--start", "2026-10-24", "--end", "2026-10-29"]);
    // then
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, "5 fire times: 5 already succeeded, 0 started, 0 succeeded.\n");
    assert.equal((await executions()).length, 5);
  });

  test("stopped after its first start and run again, it follows that run and starts only the rest", async () => {
    // given: a backfill of 1 and 2 November, one run at a time, stopped (SIGTERM) once it started the first
    const args = [
      "step-functions",
      "backfill",
      "--poll-seconds",
      "0.2",
      "--start",
      "2026-11-01",
      "--end",
      "2026-11-03",
    ];
    const child = spawn(process.execPath, [BIN, file, ...args], {
      env: account.env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    await new Promise<void>((resolve) => {
      child.stderr!.on("data", (chunk) => {
        stderr += chunk;
        if (/\] 2026-11-01T00:00:00\+01:00 started /.test(stderr)) resolve();
      });
    });
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
    // when
    const again = await backfill(["--start", "2026-11-01", "--end", "2026-11-03"]);
    // then: the first fire time's run was followed, not started again; two runs in all
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stderr,
      /\[1\/2\] 2026-11-01T00:00:00\+01:00 already (running|succeeded): sfn-backfill-20261031T230000Z/,
    );
    // The stopped command's run may have ended before this one looked.
    const done = /already succeeded/.test(again.stderr) ? 1 : 0;
    assert.equal(
      again.stdout,
      `2 fire times: ${done} already succeeded${done ? "" : ", 1 already running"}, 1 started, ${2 - done} succeeded.\n`,
    );
    const november = (await executions()).filter((e) => /^backfill-(20261031|202611)/.test(e.name!));
    assert.deepEqual(november.map((e) => [e.name, e.status]).sort(), [
      ["backfill-20261031T230000Z", "SUCCEEDED"],
      ["backfill-20261101T230000Z", "SUCCEEDED"],
    ]);
  });

  test("a fire time the schedule already ran is skipped", async () => {
    // given: the run the schedule started for 29 October (as Scheduler starts it)
    const earlier = (await executions()).length;
    const { executionArn } = await sdkClients(account.moto).sfn.send(
      new StartExecutionCommand({
        stateMachineArn: `${machine}:production`,
        input: JSON.stringify({ Parameters: "{}", ScheduledTime: "2026-10-28T23:00:00Z" }),
      }),
    );
    const scheduled = await waitForRun(account, FLOW, `sfn-${executionArn!.split(":").at(-1)}`, 60_000);
    assert.equal(scheduled.execution.status, "SUCCEEDED", scheduled.logs);
    // when: six days, the five backfilled and the scheduled one
    const wider = await backfill(["--start", "2026-10-24", "--end", "2026-10-30"]);
    // then
    assert.equal(wider.code, 0, wider.stderr);
    assert.equal(wider.stdout, "6 fire times: 6 already succeeded, 0 started, 0 succeeded.\n");
    assert.match(wider.stderr, /\[6\/6\] 2026-10-29T00:00:00\+01:00 already succeeded: sfn-/);
    assert.equal((await executions()).length, earlier + 1);
  });

  test("a fire time whose run is still running counts as running: the dry run says so, a backfill follows it", async () => {
    // given: the schedule's run for 5 November, held running for a few seconds
    const { executionArn } = await sdkClients(account.moto).sfn.send(
      new StartExecutionCommand({
        stateMachineArn: `${machine}:production`,
        input: JSON.stringify({
          Parameters: JSON.stringify({ hold: 2 }),
          ScheduledTime: "2026-11-04T23:00:00Z",
        }),
      }),
    );
    const runId = `sfn-${executionArn!.split(":").at(-1)}`;
    const earlier = (await executions()).length;
    // when: a dry run and a backfill, both while it runs
    const window = ["--start", "2026-11-05", "--end", "2026-11-06"];
    const [dry, real] = await Promise.all([backfill([...window, "--dry-run"]), backfill(window)]);
    // then: reported as running, not as to run; followed to its end, not started a second time
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(dry.stdout, "1 fire time: 0 already succeeded, 1 already running, 0 to run.\n");
    assert.ok(dry.stderr.includes(`[1/1] 2026-11-05T00:00:00+01:00 already running: ${runId}\n`), dry.stderr);
    assert.equal(real.code, 0, real.stderr);
    assert.equal(
      real.stdout,
      "1 fire time: 0 already succeeded, 1 already running, 0 started, 1 succeeded.\n",
    );
    assert.ok(real.stderr.includes(`already running: ${runId}, followed\n`), real.stderr);
    assert.equal((await executions()).length, earlier);
  });
});
