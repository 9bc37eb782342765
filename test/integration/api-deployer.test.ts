// The programmatic Deployer, DeployedFlow and TriggeredRun (flowship/api, from dist/) in this
// process against one moto for the whole file (test/helpers/moto-executions.ts: Step Functions
// executes, each Batch job runs its command in the sandbox): create, fromDeployment, listDeployed,
// a typed trigger followed to SUCCEEDED and read through the Client API, waitForCompletion's
// timeout, terminate, listRuns, rollback, delete, the FS_* errors of each; and simulate(), which
// needs no AWS. Settings come from the Deployer's `aws` option, never from FLOWSHIP_AWS_*.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { BatchClient, ListJobsCommand, TerminateJobCommand } from "@aws-sdk/client-batch";
import { CreateStateMachineCommand, DescribeExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";
import {
  DeployedFlow as Deployed,
  type DeployedFlow,
  Deployer,
  RunFailedError,
  type TriggeredRun,
} from "flowship/api";
import { bubblewrapAvailable } from "../../src/aws/simulate/container-sandbox.js";
import apiFlow from "../fixtures/flows/api_flow.js";
import { tempDir } from "../helpers/cli.js";
import { MOTO_ACCOUNT } from "../helpers/moto.js";
import { type MotoAccount, startMotoAccount } from "../helpers/moto-executions.js";

const dir = tempDir("flowship-api-deployer-");
const localRoot = path.join(dir, ".flowship");
const role = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`;
let account: MotoAccount;
let aws: Record<string, string>;
let deployed: DeployedFlow<typeof apiFlow>;
/** A run triggered in `before`, running while the tests look at the deployment. */
let finishing: TriggeredRun<typeof apiFlow>;

const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (e: { code?: string }) => e.code,
  );

/**
 * What `fn` wrote to this process's stderr (a call with `showOutput`), passed on as well. stdout
 * is left alone: the test runner reports through it, and a reporter line swallowed is a test lost.
 */
async function stderrOf<T>(fn: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const write = process.stderr.write;
  let written = "";
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    written += String(chunk);
    return write.call(process.stderr, chunk, ...rest);
  }) as typeof write;
  try {
    const value = await fn();
    return { value, stderr: written };
  } finally {
    process.stderr.write = write;
  }
}

/** Runs `fn` as another user (the API reads FLOWSHIP_USER when a deployment is opened). */
async function as<T>(user: string, fn: () => Promise<T>): Promise<T> {
  const own = process.env.FLOWSHIP_USER;
  process.env.FLOWSHIP_USER = user;
  try {
    return await fn();
  } finally {
    process.env.FLOWSHIP_USER = own;
  }
}

before(async () => {
  account = await startMotoAccount(localRoot);
  // This process is the deployer: moto's endpoint and keys for the SDK, no settings file, no
  // FLOWSHIP_AWS_* (the settings are the Deployer's option), its compiled code in the test's folder.
  for (const name of Object.keys(process.env)) {
    if (name.startsWith("FLOWSHIP_AWS_")) delete process.env[name];
  }
  delete process.env.FLOWSHIP_PRODUCTION_TOKEN;
  Object.assign(process.env, account.moto.env, {
    FLOWSHIP_USER: "alice",
    FLOWSHIP_CONFIG: path.join(dir, "no-settings.json"),
    FLOWSHIP_CACHE_DIR: path.join(dir, "cache"),
    FLOWSHIP_DATASTORE_ROOT: localRoot,
  });
  aws = {
    region: account.moto.region,
    sfnRole: role("flowship-step-functions"),
    jobQueue: account.jobQueue,
    s3Root: account.s3Root,
    batchJobRole: role("flowship-batch-job"),
  };
  deployed = await new Deployer(apiFlow, { aws }).stepFunctions({ maxWorkers: 4, tags: ["ci"] }).create();
  finishing = await deployed.trigger({ greeting: "prod", alpha: 1.5 });
});

after(async () => {
  // moto's Step Functions leaves a stopped execution's Batch job running (AWS would stop it):
  // stop every job still going, so none outlives moto.
  if (!account) return;
  const batch = new BatchClient({ region: account.moto.region, endpoint: account.moto.directEndpoint });
  for (const jobStatus of ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING"] as const) {
    const { jobSummaryList } = await batch.send(
      new ListJobsCommand({ jobQueue: account.jobQueue, jobStatus }),
    );
    for (const job of jobSummaryList ?? []) {
      await batch.send(new TerminateJobCommand({ jobId: job.jobId!, reason: "test over" }));
    }
  }
  await account.close();
});

test("create() deploys the flow; fromDeployment() and listDeployed() find only flowship's deployments", async () => {
  // given: a state machine flowship did not make
  await new SFNClient({ region: account.moto.region, endpoint: account.moto.directEndpoint }).send(
    new CreateStateMachineCommand({
      name: "NotFlowship",
      roleArn: aws.sfnRole,
      definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Succeed" } } }),
    }),
  );
  // when
  const opened = await Deployed.fromDeployment<typeof apiFlow>("ApiFlow", { aws });
  const listed = await Deployed.listDeployed({ aws });
  // then
  assert.equal(deployed.name, "ApiFlow");
  assert.equal(deployed.owner, "alice");
  assert.match(deployed.productionToken, /^[a-z0-9-]+$/);
  assert.equal(deployed.namespace, `production:${deployed.productionToken}`);
  assert.deepEqual(
    [opened.flow, opened.owner, opened.productionToken, opened.stateMachineArn],
    [deployed.flow, "alice", deployed.productionToken, deployed.stateMachineArn],
  );
  assert.deepEqual(
    listed.map((d) => [d.name, d.productionToken]),
    [["ApiFlow", deployed.productionToken]],
  );
  // and: a name nothing is deployed under, or that flowship did not deploy
  assert.equal(await codeOf(Deployed.fromDeployment("Absent", { aws })), "FS_SFN_NOT_DEPLOYED");
  assert.equal(await codeOf(Deployed.fromDeployment("NotFlowship", { aws })), "FS_SFN_NOT_FLOWSHIP");
});

test("trigger(): the run goes to SUCCEEDED on Step Functions, and its data is the Client Run's", async () => {
  // when
  const status = await finishing.waitForCompletion({ timeoutMs: 120_000, pollMs: 200 });
  // then
  assert.equal(status, "SUCCEEDED");
  assert.equal(await finishing.status(), "SUCCEEDED");
  const run = await finishing.run;
  assert.ok(run, "the run is in the deployment's datastore");
  assert.equal(run.id, finishing.runId);
  assert.equal(run.namespace, deployed.namespace);
  assert.equal(await run.data?.score, 3);
  // the code package's bundle kept a string holding a source map comment's text
  assert.equal(await run.data?.banner, "//# sourceMappingURL=x");
  assert.deepEqual(run.userTags, ["ci"]);
  // and: listRuns() lists it, by status too
  assert.deepEqual(
    (await deployed.listRuns({ status: "SUCCEEDED" })).map((r) => r.runId),
    [finishing.runId],
  );
});

test("waitForCompletion() gives up with FS_API_WAIT_TIMEOUT; terminate() stops a running run", async () => {
  // given: a run whose start step waits 30 s
  const slow = await deployed.trigger({ greeting: "slow", pause: 30 });
  // when / then
  assert.equal(await codeOf(slow.waitForCompletion({ timeoutMs: 300, pollMs: 100 })), "FS_API_WAIT_TIMEOUT");
  // and: a pollMs that would ask Step Functions without a pause, or a negative timeout, is refused
  assert.equal(await codeOf(slow.waitForCompletion({ timeoutMs: 300, pollMs: Number.NaN })), "FS_API_OPTION");
  assert.equal(await codeOf(slow.waitForCompletion({ timeoutMs: -1 })), "FS_API_OPTION");
  assert.equal(await slow.status(), "RUNNING");
  assert.ok((await deployed.listRuns({ status: "RUNNING" })).some((r) => r.runId === slow.runId));
  await slow.terminate();
  assert.equal(await slow.status(), "ABORTED");
  assert.equal(await codeOf(slow.terminate()), "FS_SFN_RUN_NOT_RUNNING");
});

test("parameters are checked at run time against the flow, or against the deployment opened by name", async () => {
  // given
  const byName = await Deployed.fromDeployment("ApiFlow", { aws });
  const runs = (await deployed.listRuns()).length;
  // when / then: what TypeScript refuses for a typed flow, and what an untyped deployment says
  assert.equal(await codeOf(deployed.trigger({ greeting: "x", pause: "1" } as never)), "FS_PARAM_VALUE");
  assert.equal(await codeOf(deployed.trigger({} as never)), "FS_PARAM_VALUE");
  assert.equal(await codeOf(byName.trigger({ greeting: "x", alpah: 1 })), "FS_PARAM_VALUE");
  assert.equal(await codeOf(byName.trigger({ greeting: "x", alpha: "high" })), "FS_PARAM_VALUE");
  assert.equal(await codeOf(byName.trigger({ alpha: 1 })), "FS_PARAM_VALUE");
  // and: a status Step Functions does not have is refused, not an empty list
  assert.equal(await codeOf(deployed.listRuns({ status: ["RUNNING", "DONE" as never] })), "FS_API_OPTION");
  // and: nothing was started
  assert.equal((await deployed.listRuns()).length, runs);
  // and: opened by name, it knows a list parameter (given as the list) and an included file (whose text is sent)
  const notes = path.join(dir, "notes.txt");
  fs.writeFileSync(notes, "from a file");
  const started = await byName.trigger({ greeting: "x", labels: ["a", "b"], notes });
  const { input } = await new SFNClient({
    region: account.moto.region,
    endpoint: account.moto.directEndpoint,
  }).send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
  await started.terminate();
  assert.deepEqual(JSON.parse(JSON.parse(input ?? "{}").Parameters), {
    greeting: "x",
    labels: ["a", "b"],
    notes: "from a file",
  });
});

test("rollback() and delete(): the owner may, another user only with the production token", async () => {
  // given: a second version
  const again = await new Deployer(apiFlow, { aws }).stepFunctions({ maxWorkers: 8 }).create();
  const bob = await as("bob", () => Deployed.fromDeployment("ApiFlow", { aws }));
  const bobWithToken = await as("bob", () =>
    Deployed.fromDeployment("ApiFlow", { aws, authorize: again.productionToken }),
  );
  // when / then
  assert.equal(await codeOf(bob.rollback()), "FS_SFN_UNAUTHORIZED");
  assert.deepEqual(await bobWithToken.rollback(), { from: 2, to: 1 });
  assert.deepEqual(await again.rollback({ version: 2 }), { from: 1, to: 2 });
  assert.equal(await codeOf(bob.delete()), "FS_SFN_UNAUTHORIZED");
  await again.delete();
  assert.equal(await codeOf(Deployed.fromDeployment("ApiFlow", { aws })), "FS_SFN_NOT_DEPLOYED");
  assert.equal(await codeOf(again.trigger({ greeting: "gone" })), "FS_SFN_NOT_DEPLOYED");
  // and: settings the deploy needs, missing, are one FS_AWS_SETTINGS error before any AWS call,
  // naming the API call and its aws option, not a CLI command that was never run
  const { jobQueue: _, ...withoutQueue } = aws;
  const { sfnRole: __, ...withoutRole } = aws;
  // Reading a deployment needs no Step Functions role (the account comes from STS): it gets as far
  // as finding that the deployment is gone.
  assert.equal(await codeOf(Deployed.fromDeployment("ApiFlow", { aws: withoutRole })), "FS_SFN_NOT_DEPLOYED");
  for (const call of [() => new Deployer(apiFlow, { aws: withoutQueue }).stepFunctions().create()]) {
    const error = await call().then(
      () => assert.fail("resolved"),
      (e: Error & { code?: string }) => e,
    );
    assert.equal(error.code, "FS_AWS_SETTINGS");
    assert.match(
      error.message,
      /for (new Deployer\(…\)\.stepFunctions\(\)\.create|DeployedFlow\.fromDeployment)\(\):/,
    );
    assert.match(error.message, /in the aws option/);
    assert.doesNotMatch(error.message, /step-functions/);
  }
});

test("simulate() runs the deployment on this machine and returns the run; a failed execution is FS_SIMULATE_FAILED", async () => {
  // given
  const stepFunctions = new Deployer(apiFlow).stepFunctions({ tags: ["sim"] });
  const simulation = { datastoreRoot: path.join(dir, "simulated"), token: "sim" };
  // when
  const { value: run, stderr } = await stderrOf(() =>
    stepFunctions.simulate({ greeting: "sim", alpha: 0.25 }, { ...simulation, showOutput: true }),
  );
  // then
  assert.equal(run.successful, true);
  // and: it said which sandbox "auto" chose
  const sandbox = bubblewrapAvailable() ? "jobs in the bubblewrap sandbox" : "jobs without a sandbox";
  assert.match(
    stderr,
    new RegExp(
      `^Simulating ApiFlow on Step Functions: run ${run.id} in production:sim, ${sandbox} \\(sandbox "auto"\\)$`,
      "m",
    ),
  );
  assert.match(run.id, /^sfn-local-/);
  assert.equal(run.namespace, "production:sim");
  assert.equal(await run.data?.score, 0.5);
  assert.equal(await run.data?.banner, "//# sourceMappingURL=x");
  assert.deepEqual(run.userTags, ["sim"]);
  // and: a step that fails, simulated twice at once under one execution name: the second is refused
  const gate = path.join(dir, "no-gate");
  assert.ok(!fs.existsSync(gate));
  const gated = { ...simulation, executionName: "gated" };
  const outcomes = await Promise.all(
    [1, 2].map(() => stepFunctions.simulate({ greeting: "sim", gate }, gated).catch((e: unknown) => e)),
  );
  const failure = outcomes.find((e) => e instanceof RunFailedError);
  const codes = outcomes.map((e) => (e as { code?: string }).code).sort();
  assert.deepEqual(codes, ["FS_SIMULATE_EXECUTION_EXISTS", "FS_SIMULATE_FAILED"]);
  assert.ok(failure instanceof RunFailedError);
  assert.equal(failure.code, "FS_SIMULATE_FAILED");
  assert.match(
    failure.message,
    /^Simulated execution failed: 'ApiFlow\/sfn-gated' \(check\/0: Error: gate .* is closed\)\.$/,
  );
  assert.equal(failure.run?.successful, false);
  // and: an execution name used before is refused, as Step Functions refuses it; a sandbox it does not know too
  const again = { ...simulation, executionName: run.id.replace(/^sfn-/, "") };
  assert.equal(
    await codeOf(stepFunctions.simulate({ greeting: "sim" }, again)),
    "FS_SIMULATE_EXECUTION_EXISTS",
  );
  assert.equal(
    await codeOf(stepFunctions.simulate({ greeting: "sim" }, { ...simulation, sandbox: "docker" as never })),
    "FS_API_OPTION",
  );
});
