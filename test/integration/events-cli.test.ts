// Events from the command line. `flowship event send`: one PutEvents call shaped as trigger({ event })
// rules read it (detail-type the name, detail {"payload": …}), checked against AWS's models
// (botocore), sent to moto's EventBridge, where an archive on the bus that matches only that event
// counts it. `step-functions simulate --event`: the run such an event starts — the deployed input
// transformer, the state machine's input states and the exact job command in the sandbox. Bad
// input is a one-line usage error.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CreateArchiveCommand,
  CreateEventBusCommand,
  DescribeArchiveCommand,
} from "@aws-sdk/client-eventbridge";
import { flowshipEnv, runCli, tempDir } from "../helpers/cli.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import { sdkClients } from "../helpers/moto-account.js";

const dir = tempDir("flowship-events-cli-");
const flowFile = path.join(dir, "event_flow.ts");
fs.writeFileSync(
  flowFile,
  `import { flow, trigger } from "flowship";
export default flow("EventFlow")
  .parameter("alpha", { default: 0.1 })
  .parameter("label", { default: "x" })
  .decorator(trigger({ event: "data_ready", parameters: { alpha: "payload.alpha", label: "payload.meta.label" } }))
  .step("start", (self) => { console.log("alpha=" + self.alpha + " label=" + self.label); }, { next: "end" })
  .step("end", () => {});
`,
);

describe("flowship event send", () => {
  let moto: Moto;
  let env: NodeJS.ProcessEnv;
  /** The events on bus etl an archive with this pattern has kept. */
  const archived = async (name: string) =>
    (await sdkClients(moto).events.send(new DescribeArchiveCommand({ ArchiveName: name }))).EventCount;
  before(async () => {
    moto = await startMoto();
    // given: the account's bus etl, with archives that keep the event sent below and one like it
    const { events } = sdkClients(moto);
    const { EventBusArn } = await events.send(new CreateEventBusCommand({ Name: "etl" }));
    for (const [name, alpha] of [
      ["sent", 0.7],
      ["other", 0.8],
    ] as const) {
      await events.send(
        new CreateArchiveCommand({
          ArchiveName: name,
          EventSourceArn: EventBusArn,
          EventPattern: JSON.stringify({
            source: ["flowship"],
            "detail-type": ["data_ready"],
            detail: { payload: { alpha: [alpha] } },
          }),
        }),
      );
    }
    env = flowshipEnv(path.join(dir, ".flowship"), {
      ...moto.env,
      FLOWSHIP_CONFIG: path.join(dir, "absent.json"),
      FLOWSHIP_AWS_REGION: "eu-west-1",
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
    });
  });
  after(() => moto?.close());

  test("puts the event a trigger rule matches and prints its id", async () => {
    const result = await runCli(
      ["event", "send", "data_ready", "--payload", '{"alpha": 0.7}', "--bus", "etl"],
      {
        env,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\n$/);
    assert.equal(result.stderr, "Sent event data_ready to bus etl in eu-west-1.\n");
    assert.deepEqual(
      moto.requests.map((r) => [r.service, r.operation, JSON.parse(r.body)]),
      [
        [
          "events",
          "PutEvents",
          {
            Entries: [
              {
                Source: "flowship",
                DetailType: "data_ready",
                Detail: '{"payload":{"alpha":0.7}}',
                EventBusName: "etl",
              },
            ],
          },
        ],
      ],
    );
    // The bus got it: the archive of that event has it, the other none.
    assert.deepEqual([await archived("sent"), await archived("other")], [1, 0]);
    const report = await moto.validate();
    assert.deepEqual(report.findings, []);
    assert.equal(report.checked, 1);
  });

  test("bad input is one line and calls nothing", async () => {
    const sent = moto.requests.length;
    const cases: [string[], NodeJS.ProcessEnv, string][] = [
      [["event", "send", "data_ready", "--payload", "{alpha"], env, "error: Invalid --payload: not JSON ("],
      [
        ["event", "send", "no spaces"],
        env,
        "error: Invalid event name 'no spaces': 1 to 128 letters, digits or . _ : / -.\n",
      ],
      [["event", "send"], env, "error: Missing required argument 'name'. Run flowship event send --help.\n"],
      [
        ["event", "send", "data_ready"],
        { ...env, FLOWSHIP_AWS_REGION: undefined },
        "error: No AWS region for event send: set it with flowship configure aws --region, FLOWSHIP_AWS_REGION or AWS_REGION.\n",
      ],
    ];
    for (const [argv, caseEnv, message] of cases) {
      const result = await runCli(argv, { env: caseEnv });
      assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
      assert.ok(result.stderr.startsWith(message), result.stderr);
      assert.equal(result.stderr.split("\n").length, 2, result.stderr);
    }
    assert.equal(moto.requests.length, sent);
    assert.deepEqual([await archived("sent"), await archived("other")], [1, 0]);
  });

  test("simulate --event runs what the event would start: mapped fields as parameters, missing ones defaulted", async () => {
    const simulate = (...args: string[]) =>
      runCli([flowFile, "step-functions", "simulate", ...args], { env: { ...env, AWS_REGION: "eu-west-1" } });
    const started = await simulate("--event", "data_ready", "--payload", '{"alpha": 0.7}');
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /\/start\/0\] alpha=0\.7 label=x\n/);
    const nested = await simulate(
      "--event",
      "data_ready",
      "--payload",
      '{"alpha": 2, "meta": {"label": "eu"}}',
    );
    assert.match(nested.stdout, /\/start\/0\] alpha=2 label=eu\n/);
    // A value of the wrong type fails the run at its start step, naming the parameter.
    const wrong = await simulate("--event", "data_ready", "--payload", '{"alpha": "high"}');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /alpha/);
    const unknown = await simulate("--event", "data_gone");
    assert.equal(
      unknown.stderr,
      "error: Flow 'EventFlow' has no trigger({ event: \"data_gone\" }); its events: data_ready.\n",
    );
    const mixed = await simulate("--event", "data_ready", "--alpha", "0.5");
    assert.equal(
      mixed.stderr,
      "error: --event takes the parameters from the event: drop --alpha (or put them in --payload).\n",
    );
    for (const result of [unknown, mixed]) assert.equal(result.code, 2);
  });
});
