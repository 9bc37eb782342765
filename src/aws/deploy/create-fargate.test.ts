// deployFlow with compute fargate, through the real SDK v3 clients against aws-sdk-client-mock: the
// job definition registered and the state machine's per-step resources, checked against botocore's
// models; what Fargate cannot run is refused before any AWS call.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import { FakeAws } from "../../../test/helpers/aws-mocks.js";
import { recordedRequests, validateAgainstModels } from "../../../test/helpers/aws-models.js";
import { tempDir } from "../../../test/helpers/cli.js";
import { deployFile, type TestDeployOptions, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { openStorage } from "../../datastore/open-storage.js";
import type { Storage } from "../../datastore/storage.js";
import { parseDecoratorSpec } from "../../flow/decorators.js";

const dir = tempDir("flowship-deploy-fargate-");
const EXECUTION_ROLE = "arn:aws:iam::123456789012:role/flowship-batch-execution";
let server: S3TestServer;
let storage: Storage;
let s3Root: string;

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;

function deployOnFargate(aws: FakeAws, extra: Partial<TestDeployOptions> & { with?: string } = {}) {
  const { with: spec, ...rest } = extra;
  return deployFile(aws, "examples/parameter_flow.ts", {
    s3Root,
    storage,
    outDir: path.join(dir, "_code"),
    settings: {
      ...testSettings(s3Root),
      compute: "fargate",
      executionRole: EXECUTION_ROLE,
      assignPublicIp: "DISABLED",
    },
    ...(spec ? { withDecorators: [parseDecoratorSpec(spec)] } : {}),
    ...rest,
  });
}

describe("step-functions create on Fargate (deployFlow)", () => {
  before(async () => {
    server = await startS3Server();
    s3Root = `s3://${server.bucket}/flowship`;
    storage = await openStorage({ kind: "s3", root: s3Root, endpoint: server.endpoint });
  });
  after(() => server.close());

  test("registers a Fargate job definition; the steps' resources become valid Fargate pairs", async () => {
    // given
    const aws = new FakeAws();
    // when
    await deployOnFargate(aws, { with: "resources:cpu=3,memory=10000" });
    // then
    const input = aws.batch.commandCalls(RegisterJobDefinitionCommand)[0]!.args[0].input;
    assert.deepEqual(input.platformCapabilities, ["FARGATE"]);
    assert.equal(input.containerProperties!.executionRoleArn, EXECUTION_ROLE);
    assert.deepEqual(input.containerProperties!.networkConfiguration, { assignPublicIp: "DISABLED" });
    assert.deepEqual(input.containerProperties!.fargatePlatformConfiguration, { platformVersion: "LATEST" });
    const definition = JSON.parse(aws.machines.get("ParameterFlow")!.definition) as {
      States: Record<string, { Parameters: { ContainerOverrides: { ResourceRequirements: unknown } } }>;
    };
    for (const step of ["start", "end"]) {
      assert.deepEqual(definition.States[step]!.Parameters.ContainerOverrides.ResourceRequirements, [
        { Type: "VCPU", Value: "4" },
        { Type: "MEMORY", Value: "10240" },
      ]);
    }
    // Every request, the Fargate job definition included, is one AWS's models accept.
    const report = await validateAgainstModels(recordedRequests(aws));
    assert.deepEqual(report.findings, []);
  });

  test("a GPU, or a Fargate deploy without its execution role, is refused before any AWS call", async () => {
    // given
    const aws = new FakeAws();
    // when / then
    await assert.rejects(deployOnFargate(aws, { with: "resources:gpu=1" }), hasCode("FS_SFN_FARGATE_GPU"));
    await assert.rejects(
      deployOnFargate(aws, { settings: { ...testSettings(s3Root), compute: "fargate" } }),
      hasCode("FS_SFN_BAD_OPTION"),
    );
    assert.equal(recordedRequests(aws).length, 0);
  });
});
