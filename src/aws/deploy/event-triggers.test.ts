// trigger({ event, parameters, bus }) on AWS: a rule per event on its bus whose target starts the
// production alias with the mapped event fields as parameters; a redeploy deletes the rules of
// events the flow no longer has, and delete removes the rest. Every request is checked against
// AWS's models (botocore), and the input transformer is applied to an event as EventBridge does.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { FakeAws } from "../../../test/helpers/aws-mocks.js";
import { recordedRequests, validateAgainstModels } from "../../../test/helpers/aws-models.js";
import { tempDir } from "../../../test/helpers/cli.js";
import { ACCOUNT, deployFile, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { openStorage } from "../../datastore/open-storage.js";
import type { Storage } from "../../datastore/storage.js";
import { applyInputTransformer, type InputTransformer } from "../events/input-transformer.js";
import { deleteDeployment } from "./delete.js";
import { deployTarget } from "./resource-names.js";

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

let server: S3TestServer;
let storage: Storage;
let s3Root: string;

describe("flows started by events", () => {
  before(async () => {
    server = await startS3Server();
    s3Root = `s3://${server.bucket}/flowship`;
    storage = await openStorage({ kind: "s3", root: s3Root, endpoint: server.endpoint });
  });
  after(() => server.close());

  test("a rule per event starts the production alias with the mapped fields; stale rules go on redeploy and delete", async () => {
    const aws = new FakeAws();
    const options = { s3Root, storage, outDir: path.join(dir, "_code") };
    const result = await deployFile(aws, both, options);
    assert.deepEqual(result.eventTriggers, [
      { event: "data_ready", bus: "default", rule: "flowship-EventFlow-event-data_ready" },
      { event: "backfill", bus: "etl", rule: "flowship-EventFlow-event-backfill" },
    ]);
    const rule = aws.rules.get("flowship-EventFlow-event-data_ready")!;
    assert.deepEqual(JSON.parse(String(rule.rule.EventPattern)), { "detail-type": ["data_ready"] });
    assert.equal(aws.rules.get("flowship-EventFlow-event-backfill")!.rule.EventBusName, "etl");
    const calls = aws.events.commandCalls(PutTargetsCommand).map((c) => c.args[0].input);
    const [mapped, plain] = calls.map((c) => c.Targets![0]!);
    const alias = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:EventFlow:production`;
    assert.deepEqual([mapped!.Arn, mapped!.RoleArn], [alias, `arn:aws:iam::${ACCOUNT}:role/flowship-events`]);
    // The event's fields become the execution's Parameters object (the state machine makes it text).
    const event = { "detail-type": "data_ready", detail: { payload: { alpha: 0.7, meta: { label: "eu" } } } };
    assert.deepEqual(transform(mapped!.InputTransformer as never, event), {
      Parameters: { alpha: 0.7, label: "eu" },
    });
    assert.equal(plain!.Input, '{"Parameters":"{}"}');

    // Redeploy without the backfill trigger: its rule (on bus etl, which the deployment's tags
    // remember) is gone, data_ready's stays.
    await deployFile(aws, one, options);
    assert.deepEqual([...aws.rules.keys()], ["flowship-EventFlow-event-data_ready"]);
    const deleted = await deleteDeployment({
      clients: aws.clients,
      target: deployTarget(testSettings(s3Root), "EventFlow"),
      user: "alice",
    });
    assert.equal(deleted.eventRulesDeleted, 1);
    assert.equal(aws.rules.size, 0);
    const report = await validateAgainstModels(recordedRequests(aws));
    assert.deepEqual(report.findings, []);
  });

  test("a mapping of an unknown parameter, or a required parameter the event leaves out, is refused before any AWS call", async () => {
    const aws = new FakeAws();
    const options = { s3Root, storage, outDir: path.join(dir, "_code") };
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
    assert.deepEqual(recordedRequests(aws), []);
  });
});
