// trigger({ event, parameters, bus }) on AWS: a rule per event on its bus whose target starts the
// production alias with the mapped event fields as parameters; a redeploy deletes the rules of
// events the flow no longer has, and delete removes the rest. Against moto: the rules and targets
// are read back from EventBridge, every request is checked against AWS's models (botocore), and the
// input transformer is applied to an event as EventBridge does.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CreateEventBusCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from "@aws-sdk/client-eventbridge";
import { tempDir } from "../../../test/helpers/cli.js";
import { ACCOUNT, deployFile, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type Moto, startMoto } from "../../../test/helpers/moto.js";
import {
  motoBucketStorage,
  motoDeployClients,
  motoDirect,
  operations,
  resetMoto,
  sent,
} from "../../../test/helpers/moto-deploy.js";
import type { Storage } from "../../datastore/storage.js";
import { sha256 } from "../../util/hash.js";
import { applyInputTransformer, type InputTransformer } from "../events/input-transformer.js";
import { deleteDeployment } from "./delete.js";
import type { DeployClients } from "./deployment.js";
import { deployTarget } from "./resource-names.js";

const BUCKET = "flowship-event-triggers-test";
const dir = tempDir("flowship-event-triggers-");
function flowFile(
  name: string,
  decorators: string,
  parameters = `.parameter("alpha", { default: 0.1 }).parameter("label", { default: "x" })`,
): string {
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(
    file,
    `import { flow, trigger } from "flowship";
export default flow("EventFlow")${parameters}${decorators}
  .step("start", () => {}, { next: "end" })
  .step("end", () => {});
`,
  );
  return file;
}
const both = flowFile(
  "both",
  `.decorator(trigger({ event: "data_ready", parameters: { alpha: "payload.alpha", label: "payload.meta.label" } }))
  .decorator(trigger({ event: "backfill", bus: "etl" }))`,
);
const one = flowFile(
  "one",
  `.decorator(trigger({ event: "data_ready", parameters: { alpha: "payload.alpha" } }))`,
);

/** The message a target gets from an input transformer and an event. */
function transform(transformer: InputTransformer, event: object): unknown {
  return JSON.parse(applyInputTransformer(transformer, event));
}

let moto: Moto;
let aws: { clients: DeployClients };
let direct: ReturnType<typeof motoDirect>;
let storage: Storage;
let s3Root: string;

/** The rules of a bus, each with its event pattern and targets, as EventBridge holds them. */
async function rulesOf(bus: string) {
  const { Rules } = await direct.events.send(new ListRulesCommand({ EventBusName: bus }));
  return Promise.all(
    (Rules ?? []).map(async (rule) => {
      const { Targets } = await direct.events.send(
        new ListTargetsByRuleCommand({ Rule: rule.Name, EventBusName: bus }),
      );
      return { name: rule.Name!, pattern: JSON.parse(rule.EventPattern!), targets: Targets ?? [] };
    }),
  );
}

describe("flows started by events", () => {
  before(async () => {
    moto = await startMoto();
    aws = { clients: motoDeployClients(moto) };
    direct = motoDirect(moto);
    ({ storage, s3Root } = await motoBucketStorage(moto, BUCKET));
  });
  after(() => moto?.close());

  test("a rule per event starts the production alias with the mapped fields; stale rules go on redeploy and delete", async () => {
    // given: the account's bus etl (flowship puts rules on a bus, it does not make one)
    await resetMoto(moto, BUCKET);
    await direct.events.send(new CreateEventBusCommand({ Name: "etl" }));
    const options = { s3Root, storage, outDir: path.join(dir, "_code") };
    const mark = moto.requests.length;
    // when
    const result = await deployFile(aws, both, options);
    // then
    assert.deepEqual(result.eventTriggers, [
      { event: "data_ready", bus: "default", rule: "flowship-EventFlow-event-data_ready" },
      { event: "backfill", bus: "etl", rule: "flowship-EventFlow-event-backfill" },
    ]);
    const alias = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:EventFlow:production`;
    const role = `arn:aws:iam::${ACCOUNT}:role/flowship-events`;
    const [dataReady] = await rulesOf("default");
    const [backfill] = await rulesOf("etl");
    assert.equal(dataReady!.name, "flowship-EventFlow-event-data_ready");
    assert.deepEqual(dataReady!.pattern, { "detail-type": ["data_ready"] });
    assert.equal(backfill!.name, "flowship-EventFlow-event-backfill");
    assert.deepEqual(backfill!.pattern, { "detail-type": ["backfill"] });
    const [mapped] = dataReady!.targets;
    const [plain] = backfill!.targets;
    assert.deepEqual([mapped!.Arn, mapped!.RoleArn], [alias, role]);
    assert.deepEqual([plain!.Arn, plain!.RoleArn], [alias, role]);
    // The event's fields become the execution's Parameters object (the state machine makes it text).
    const event = { "detail-type": "data_ready", detail: { payload: { alpha: 0.7, meta: { label: "eu" } } } };
    assert.deepEqual(transform(mapped!.InputTransformer as never, event), {
      Parameters: { alpha: 0.7, label: "eu" },
    });
    assert.equal(plain!.Input, '{"Parameters":"{}"}');
    // What EventBridge holds is what was sent.
    assert.deepEqual(
      sent(moto, "events:PutTargets", mark).map((c) => c.Targets[0].InputTransformer),
      [mapped!.InputTransformer, undefined],
    );

    // Redeploy without the backfill trigger: its rule (on bus etl, which the deployment's tags
    // remember) is gone, data_ready's stays.
    await deployFile(aws, one, options);
    assert.deepEqual(
      (await rulesOf("default")).map((r) => r.name),
      ["flowship-EventFlow-event-data_ready"],
    );
    assert.deepEqual(await rulesOf("etl"), []);
    const deleted = await deleteDeployment({
      clients: aws.clients,
      target: deployTarget(testSettings(s3Root), "EventFlow"),
      user: "alice",
    });
    assert.equal(deleted.eventRulesDeleted, 1);
    assert.deepEqual([...(await rulesOf("default")), ...(await rulesOf("etl"))], []);
    const report = await moto.validate(moto.requests.slice(mark));
    assert.ok(report.checked > 0);
    assert.deepEqual(report.findings, []);
  });

  test("a mapping of an unknown parameter, or a required parameter the event leaves out, is refused before any AWS call", async () => {
    const options = { s3Root, storage, outDir: path.join(dir, "_code") };
    const mark = moto.requests.length;
    const unknown = flowFile(
      "unknown",
      `.decorator(trigger({ event: "data_ready", parameters: { alhpa: "payload.alpha" } }))`,
    );
    await assert.rejects(deployFile(aws, unknown, options), {
      message: `trigger({ event: "data_ready" }) of flow 'EventFlow' maps unknown parameter 'alhpa'; the flow's parameters are: alpha, label.`,
    });
    const required = flowFile(
      "required",
      `.decorator(trigger({ event: "data_ready" }))`,
      `.parameter("day", { type: "string", required: true })`,
    );
    await assert.rejects(deployFile(aws, required, options), {
      message:
        "Flow 'EventFlow' started by event data_ready has required parameter 'day' without a default that the event does not map: give it a default or map it in trigger({ parameters }).",
    });
    assert.deepEqual(operations(moto, { s3: true, from: mark }), []);
  });

  test("events whose names differ only in characters a rule name cannot hold get a rule each", async () => {
    // given: data:ready and data_ready (a rule name has no ':')
    await resetMoto(moto, BUCKET);
    const options = { s3Root, storage, outDir: path.join(dir, "_code") };
    const colon = flowFile(
      "colon",
      `.decorator(trigger({ event: "data:ready", parameters: { alpha: "payload.alpha" } }))
  .decorator(trigger({ event: "data_ready", parameters: { label: "payload.label" } }))`,
    );
    // when
    const result = await deployFile(aws, colon, options);
    // then: two rules, each matching its own event and mapping its own field
    const suffix = sha256("data:ready").slice(0, 8);
    assert.deepEqual(result.eventTriggers, [
      { event: "data:ready", bus: "default", rule: `flowship-EventFlow-event-data_ready-${suffix}` },
      { event: "data_ready", bus: "default", rule: "flowship-EventFlow-event-data_ready" },
    ]);
    const rules = (await rulesOf("default")).sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(
      rules.map((r) => [r.name, r.pattern, Object.keys(r.targets[0]!.InputTransformer!.InputPathsMap!)]),
      [
        ["flowship-EventFlow-event-data_ready", { "detail-type": ["data_ready"] }, ["label"]],
        [`flowship-EventFlow-event-data_ready-${suffix}`, { "detail-type": ["data:ready"] }, ["alpha"]],
      ],
    );

    // An event named after the other's rule on purpose is refused before any AWS call.
    const mark = moto.requests.length;
    const clash = flowFile(
      "clash",
      `.decorator(trigger({ event: "data:ready" }))
  .decorator(trigger({ event: "data_ready-${suffix}" }))`,
    );
    await assert.rejects(deployFile(aws, clash, options), {
      code: "FS_SFN_BAD_TRIGGER",
      message: `trigger({ event: "data_ready-${suffix}" }) of flow 'EventFlow' would share its EventBridge rule with trigger({ event: "data:ready" }) on bus 'default': rename one of the events.`,
    });
    assert.deepEqual(operations(moto, { s3: true, from: mark }), []);
  });
});
