// Operating a production run that fails, under moto's Step Functions interpreter with each Batch
// job running its registered command in the sandbox (test/helpers/moto-executions.ts): a flow of
// four steps fails at its third; the failing step sends its own alert (step, error, resume
// command); the flow is fixed, deployed again, and `step-functions resume --origin-run-id` clones
// the first two steps (no job runs for them) and runs the rest on the new version, storing what a
// clean run of the fixed flow stores.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DescribeJobsCommand, ListJobsCommand } from "@aws-sdk/client-batch";
import { DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { MOTO_ACCOUNT } from "../helpers/moto.js";
import { sdkClients } from "../helpers/moto-account.js";
import { catchEvents, type EventCatcher } from "../helpers/moto-events.js";
import {
  deployFlow,
  type FinishedExecution,
  type MotoAccount,
  startMotoAccount,
  triggerAndWait,
  waitForRun,
} from "../helpers/moto-executions.js";
import { runArtifacts } from "../helpers/run-artifacts.js";

const FLOW = "ResumeFixFlow";
const work = tempDir("flowship-cloud-resume-");
const file = path.join(work, "resume_fix_flow.ts");
const localRoot = path.join(work, ".flowship");

/** The flow, broken at its third step or fixed. */
function writeFlow(broken: boolean): void {
  fs.writeFileSync(
    file,
    [
      `import { flow } from "flowship";`,
      `const BROKEN = ${broken};`,
      `export default flow(${JSON.stringify(FLOW)})`,
      `  .step("start", (self) => { self.a = 1; }, { next: "prepare" })`,
      `  .step("prepare", (self) => { self.b = self.a + 1; }, { next: "compute" })`,
      `  .step("compute", (self) => {`,
      `    if (BROKEN) throw new RangeError("compute is broken: b is " + self.b + "\\nsecond line of the error");`,
      `    self.c = self.b * 10;`,
      `  }, { next: "end" })`,
      `  .step("end", (self) => { self.total = self.c + 1; });`,
      "",
    ].join("\n"),
  );
}

let account: MotoAccount;
let failed: FinishedExecution;
let alerts: EventCatcher;

/** How many Batch jobs ran under each job name. */
async function jobsByName(): Promise<Record<string, number>> {
  const batch = sdkClients(account.moto).batch;
  const counts: Record<string, number> = {};
  for (const status of ["SUCCEEDED", "FAILED"] as const) {
    const { jobSummaryList = [] } = await batch.send(
      new ListJobsCommand({ jobQueue: account.jobQueue, jobStatus: status }),
    );
    for (const job of jobSummaryList) counts[job.jobName!] = (counts[job.jobName!] ?? 0) + 1;
  }
  return counts;
}

before(async () => {
  account = await startMotoAccount(localRoot);
  Object.assign(account.env, {
    FLOWSHIP_AWS_EVENTS_ROLE: `arn:aws:iam::${MOTO_ACCOUNT}:role/flowship-events`,
    // moto's EventBridge delivers to no SNS topic: the alerts go to a webhook.
    FLOWSHIP_AWS_NOTIFY_WEBHOOK_URL: "https://hooks.example.com/alerts",
  });
  // This process reads moto's S3 through the Client API with moto's keys.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: account.moto.region,
  });
  writeFlow(true);
  const deployed = await deployFlow(account, file, ["--notify-on-error"]);
  assert.equal(deployed.code, 0, deployed.stderr);
  // The step alert rule's own pattern, as moto's matcher applies it, catches what the failing step sends.
  const { EventPattern } = await sdkClients(account.moto).events.send(
    new DescribeRuleCommand({ Name: `flowship-${FLOW}-step-alert` }),
  );
  alerts = await catchEvents(account.moto, "test-step-alerts", EventPattern!);
  failed = await triggerAndWait(account, file, FLOW, [], 120_000);
});

after(async () => {
  await account?.close();
});

describe("a production run that fails at its third step", { timeout: 240_000 }, () => {
  test("the failing step alerts with the step, its error's first line and the resume command", async () => {
    // given: the failed run (before)
    assert.equal(failed.execution.status, "FAILED", failed.logs);
    // when
    const caught = await alerts.caught();
    // then: one alert, from the step, and its job exited with the code that keeps the run's own alert quiet
    assert.equal(caught.length, 1, JSON.stringify(caught));
    const alert = caught[0]!.detail.payload;
    const resume = `npx flowship ${file} step-functions resume --origin-run-id ${failed.runId}`;
    assert.equal(alert.step, "compute");
    assert.equal(alert.error, "RangeError: compute is broken: b is 2");
    assert.equal(alert.resume_command, resume);
    assert.ok(
      alert.text.includes(`FAILED at step compute (task compute/0): RangeError: compute is broken: b is 2. `),
      alert.text,
    );
    assert.ok(alert.text.includes(`Resume it with a fix: ${resume}.`), alert.text);
    assert.ok(!alert.text.includes("second line"), alert.text);
    const batch = sdkClients(account.moto).batch;
    const { jobSummaryList = [] } = await batch.send(
      new ListJobsCommand({
        jobQueue: account.jobQueue,
        filters: [{ name: "JOB_NAME", values: [`${FLOW}-compute`] }],
      }),
    );
    const { jobs = [] } = await batch.send(
      new DescribeJobsCommand({ jobs: jobSummaryList.map((j) => j.jobId!) }),
    );
    assert.deepEqual(
      jobs.map((j) => j.container?.exitCode),
      [204],
    );
  });

  test("resumed with a fix: the first two steps are cloned, the rest runs on the new version", async () => {
    // given: the fixed flow deployed, and a clean local run of it
    writeFlow(false);
    const [redeployed, clean] = await Promise.all([
      deployFlow(account, file, ["--notify-on-error"]),
      runCli([file, "run"], { env: flowshipEnv(localRoot) }),
    ]);
    assert.equal(redeployed.code, 0, redeployed.stderr);
    assert.equal(clean.code, 0, clean.stderr);
    // when
    const resumed = await runCli([file, "step-functions", "resume", "--origin-run-id", failed.runId], {
      env: account.env,
    });
    // then
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /from step 'compute' \(cloning 2 tasks of start, prepare\)/);
    const runId = resumed.stdout.trim();
    assert.match(runId, /^sfn-resume-/);
    const finished = await waitForRun(account, FLOW, runId, 120_000);
    assert.equal(finished.execution.status, "SUCCEEDED", `${finished.execution.cause}\n${finished.logs}`);
    assert.match(finished.execution.stateMachineAliasArn ?? "", /:production$/);
    // No job ran for a cloned step: start and prepare ran once (the failed run), compute twice.
    assert.deepEqual(await jobsByName(), {
      [`${FLOW}-start`]: 1,
      [`${FLOW}-prepare`]: 1,
      [`${FLOW}-compute`]: 2,
      [`${FLOW}-end`]: 1,
      [`${FLOW}-resume-clone`]: 1,
    });
    const datastore = { kind: "s3" as const, root: account.s3Root, endpoint: account.moto.directEndpoint };
    assert.deepEqual(
      await runArtifacts(datastore, `${FLOW}/${runId}`),
      await runArtifacts({ kind: "local", root: localRoot }, `${FLOW}/${runIdFrom(clean.stderr)}`),
    );
    // The run records its origin, and where each cloned task came from; list-runs shows it.
    const run = await Run.get(`${FLOW}/${runId}`, { datastore, namespace: null });
    assert.equal(run.originRunId, failed.runId);
    const listed = await runCli([file, "step-functions", "list-runs"], { env: account.env });
    assert.equal(listed.code, 0, listed.stderr);
    const row = listed.stdout.split("\n").find((line) => line.startsWith(runId));
    assert.match(row ?? "", new RegExp(`SUCCEEDED .* ${failed.runId}$`));
    assert.match(listed.stdout.split("\n")[0]!, /RESUMED FROM/);
  });

  test("the old spelling `resume RUN_ID` still redrives, with a notice; `resume` alone names what it needs; a step past the failure is refused", async () => {
    // given: the failed run, now resumed; redrive refuses a run that is not failed, so nothing runs
    const resumedRun = (
      await runCli([file, "step-functions", "list-runs", "--succeeded"], { env: account.env })
    ).stdout
      .split("\n")
      .find((line) => line.startsWith("sfn-resume-"))!
      .split(" ")[0]!;
    // and the flow with its step 'prepare' renamed 'ready', a step the failed run never ran
    const renamed = path.join(work, "resume_fix_renamed.ts");
    fs.writeFileSync(renamed, fs.readFileSync(file, "utf8").replaceAll('"prepare"', '"ready"'));
    // when
    const [old, bare, late, skipping] = await Promise.all([
      runCli([file, "step-functions", "resume", resumedRun], { env: account.env }),
      runCli([file, "step-functions", "resume"], { env: account.env }),
      // A step after the one that failed: the failed step would never run again.
      runCli([file, "step-functions", "resume", "--origin-run-id", failed.runId, "end"], {
        env: account.env,
      }),
      // 'compute' would be jumped to past 'ready', and find no input.
      runCli([renamed, "step-functions", "resume", "--origin-run-id", failed.runId, "compute"], {
        env: account.env,
      }),
    ]);
    // then
    assert.equal(old.code, 1, old.stderr);
    assert.match(
      old.stderr,
      /notice: 'step-functions resume sfn-resume-[^']+' is now 'step-functions redrive/,
    );
    assert.match(old.stderr, /Only a failed, timed out or aborted run can be redriven/);
    assert.equal(bare.code, 2, bare.stderr);
    assert.match(bare.stderr, /Missing option '--origin-run-id sfn-…'/);
    assert.equal(late.code, 2, late.stderr);
    assert.equal(
      late.stderr,
      `error: Cannot resume run '${failed.runId}' from step 'end': compute/0 did not succeed there and would never run. Resume from step 'compute' or one before it (the flow's steps are start, prepare, compute, end), or without naming one.\n`,
    );
    assert.equal(skipping.code, 2, skipping.stderr);
    assert.match(skipping.stderr, /from step 'compute': step 'ready' before it never ran in that run/);
  });
});
