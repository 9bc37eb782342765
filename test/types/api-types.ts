// Compile-time checks of the programmatic API's types, run by `tsc --noEmit` in `npm test`: given
// the flow object, parameters are checked against its declaration (a misspelled name, a wrong type,
// a missing required one) and runs are typed by its artifacts; given a file path, both are loose.
// Each `@ts-expect-error` fails the check if its line compiles. Nothing here runs.
import { DeployedFlow, Deployer, RunFailedError, Runner } from "flowship/api";
import apiFlow from "../fixtures/flows/api_flow.js";

export async function runnerTypes(): Promise<void> {
  const runner = new Runner(apiFlow);
  const run = await runner.run({ greeting: "world", alpha: 0.5 });
  const score: number | undefined = await run.data?.score;
  const greeting: string | undefined = await run.data?.greeting;
  // @ts-expect-error: misspelled parameter 'alpah'
  await runner.run({ greeting: "world", alpah: 0.5 });
  // @ts-expect-error: alpha is a number
  await runner.run({ greeting: "world", alpha: "0.5" });
  // @ts-expect-error: greeting is required and has no default
  await runner.run({ alpha: 0.5 });
  // @ts-expect-error: greeting is required, so the parameters are too
  await runner.run();
  // @ts-expect-error: misspelled artifact 'scroe'
  await run.data?.scroe;
  // @ts-expect-error: score is a number
  const wrong: string | undefined = await run.data?.score;
  const executing = await runner.runAsync({ greeting: "async" }, { signal: AbortSignal.timeout(1000) });
  for await (const line of executing.logs()) void (line.stream === "stdout" && line.text);
  const waited: number | undefined = await (await executing.wait()).data?.score;
  const resumed: string | undefined = await (await runner.resume({ origin: run.id, step: "check" })).data
    ?.suffix;
  // @ts-expect-error: the flow has no step 'chek'
  await runner.resumeAsync({ origin: run.id, step: "chek" });
  void [score, greeting, wrong, waited, resumed];
}

export async function failureTypes(): Promise<void> {
  try {
    await new Runner(apiFlow).run({ greeting: "world" });
  } catch (error) {
    if (!(error instanceof RunFailedError)) throw error;
    // The failed run is a Client Run, not `unknown`.
    const reason: string | undefined = error.run?.failureReason;
    const id: string | undefined = error.run?.id;
    // @ts-expect-error: a Run has no 'failureReasons'
    void error.run?.failureReasons;
    void [reason, id];
  }
}

export async function deployerTypes(): Promise<void> {
  const stepFunctions = new Deployer(apiFlow).stepFunctions({ maxWorkers: 10 });
  const simulated = await stepFunctions.simulate({ greeting: "sim" }, { sandbox: "none" });
  const score: number | undefined = await simulated.data?.score;
  // @ts-expect-error: misspelled parameter
  await stepFunctions.simulate({ greting: "sim" });
  const deployed = await stepFunctions.create();
  const triggered = await deployed.trigger({ greeting: "prod", pause: 1 });
  // @ts-expect-error: pause is a number
  await deployed.trigger({ greeting: "prod", pause: "1" });
  const status: string = await triggered.waitForCompletion({ timeoutMs: 60_000 });
  const fromRun: number | undefined = await (await triggered.run)?.data?.score;
  // @ts-expect-error: misspelled artifact
  await (await triggered.run)?.data?.scor;
  void [score, status, fromRun, deployed.productionToken];
}

export async function looseTypes(): Promise<void> {
  // A file path: any parameter, artifacts typed `any`.
  const runner = new Runner("flows/any_flow.ts");
  const run = await runner.run({ anything: 1 });
  await runner.run();
  await runner.resume({ step: "any_step" });
  const total: number = (await run.data?.total) + 1;
  // A deployment opened by name, typed when asked to be.
  const byName = await DeployedFlow.fromDeployment<typeof apiFlow>("ApiFlow");
  // @ts-expect-error: misspelled parameter
  await byName.trigger({ greetin: "x" });
  const untyped = await DeployedFlow.fromDeployment("ApiFlow");
  await untyped.trigger({ whatever: true });
  void total;
}
