// deployFlow with compute fargate against moto: the job definition moto registered and the state
// machine's per-step resources, read back from moto, every request checked against botocore's
// models; what Fargate cannot run is refused before any AWS call.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DescribeJobDefinitionsCommand } from "@aws-sdk/client-batch";
import { DescribeStateMachineCommand } from "@aws-sdk/client-sfn";
import { tempDir } from "../../../test/helpers/cli.js";
import { deployFile, type TestDeployOptions, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type Moto, startMoto } from "../../../test/helpers/moto.js";
import { motoBucketStorage, motoDeployClients, motoDirect } from "../../../test/helpers/moto-deploy.js";
import type { Storage } from "../../datastore/storage.js";
import { parseDecoratorSpec } from "../../flow/decorators.js";

const dir = tempDir("flowship-deploy-fargate-");
const EXECUTION_ROLE = "arn:aws:iam::123456789012:role/flowship-batch-execution";
let moto: Moto;
let storage: Storage;
let s3Root: string;

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;

function deployOnFargate(extra: Partial<TestDeployOptions> & { with?: string } = {}) {
  const { with: spec, ...rest } = extra;
  return deployFile({ clients: motoDeployClients(moto) }, "examples/parameter_flow.ts", {
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
    moto = await startMoto();
    ({ storage, s3Root } = await motoBucketStorage(moto, "fargate-runs"));
  });
  after(() => moto.close());

  test("registers a Fargate job definition; the steps' resources become valid Fargate pairs", async () => {
    // when
    const deployed = await deployOnFargate({ with: "resources:cpu=3,memory=10000" });
    // then: what moto holds
    const direct = motoDirect(moto);
    const { jobDefinitions } = await direct.batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitionName: "flowship-ParameterFlow", status: "ACTIVE" }),
    );
    const job = jobDefinitions!.at(-1)!;
    assert.deepEqual(job.platformCapabilities, ["FARGATE"]);
    assert.equal(job.containerProperties!.executionRoleArn, EXECUTION_ROLE);
    assert.deepEqual(job.containerProperties!.networkConfiguration, { assignPublicIp: "DISABLED" });
    assert.deepEqual(job.containerProperties!.fargatePlatformConfiguration, { platformVersion: "LATEST" });
    const machine = await direct.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: deployed.stateMachineArn }),
    );
    const definition = JSON.parse(machine.definition!) as {
      States: Record<string, { Parameters: { ContainerOverrides: { ResourceRequirements: unknown } } }>;
    };
    for (const step of ["start", "end"]) {
      assert.deepEqual(definition.States[step]!.Parameters.ContainerOverrides.ResourceRequirements, [
        { Type: "VCPU", Value: "4" },
        { Type: "MEMORY", Value: "10240" },
      ]);
    }
    // Every request, the Fargate job definition included, is one AWS's models accept.
    const report = await moto.validate();
    assert.deepEqual(report.findings, []);
    assert.ok(report.checked > 0);
  });

  test("a GPU, or a Fargate deploy without its execution role, is refused before any AWS call", async () => {
    // given
    const before = moto.requests.length;
    // when / then
    await assert.rejects(deployOnFargate({ with: "resources:gpu=1" }), hasCode("FS_SFN_FARGATE_GPU"));
    await assert.rejects(
      deployOnFargate({ settings: { ...testSettings(s3Root), compute: "fargate" } }),
      hasCode("FS_SFN_BAD_OPTION"),
    );
    assert.equal(moto.requests.length, before);
  });
});
