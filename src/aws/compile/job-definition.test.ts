import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resources } from "../../flow/decorators.js";
import { flow } from "../../flow/flow-builder.js";
import { FLOWSHIP_VERSION } from "../../version.js";
import { bootstrapCommand } from "./bootstrap-command.js";
import { PLACEHOLDERS } from "./compile-options.js";
import { CODE_PACKAGE_PLACEHOLDERS, compileStepFunctions } from "./compile-step-functions.js";
import { compileJobDefinition, DEFAULT_IMAGE, type JobDefinitionOptions } from "./job-definition.js";
import { batchJobName, jobDefinitionName } from "./naming.js";

const noop = () => {};
const tiny = () => flow("TinyFlow").step("start", noop, { next: "end" }).step("end", noop);
const BASE: JobDefinitionOptions = {
  flow: "TinyFlow",
  codePackageUrl: "s3://b/code.tgz",
  codePackageSha256: "ab12",
  datastoreRoot: "s3://b/root",
  region: "eu-west-1",
  jobRoleArn: "arn:aws:iam::123456789012:role/flowship-batch-job",
};
const EXECUTION_ROLE = "arn:aws:iam::123456789012:role/flowship-batch-execution";
/** The container properties both kinds share, with the options of BASE. */
const sharedContainer = () => ({
  image: "public.ecr.aws/docker/library/node:22-slim",
  command: bootstrapCommand(),
  resourceRequirements: [
    { type: "VCPU", value: "1" },
    { type: "MEMORY", value: "4096" },
  ],
  environment: [
    { name: "FLOWSHIP_CODE_PACKAGE_URL", value: "s3://b/code.tgz" },
    { name: "FLOWSHIP_CODE_PACKAGE_SHA256", value: "ab12" },
    { name: "FLOWSHIP_DATASTORE_ROOT", value: "s3://b/root" },
    { name: "FLOWSHIP_FLOW", value: "TinyFlow" },
    { name: "AWS_REGION", value: "eu-west-1" },
  ],
  jobRoleArn: "arn:aws:iam::123456789012:role/flowship-batch-job",
});
/** The Task state of a step, as compiled. */
type BatchTask = { Parameters: { ContainerOverrides: { ResourceRequirements?: unknown } } };

describe("the Batch job definition", () => {
  test("defaults: node LTS image, the bootstrap as command, where code, datastore and region are", () => {
    // when
    const job = compileJobDefinition({
      flow: "TinyFlow",
      codePackageUrl: "s3://b/code.tgz",
      codePackageSha256: "ab12",
      datastoreRoot: "s3://b/root",
    });
    // then
    assert.equal(job.jobDefinitionName, "flowship-TinyFlow");
    assert.equal(job.type, "container");
    assert.equal(job.containerProperties.image, DEFAULT_IMAGE);
    // The command needs only node: no npx, no package name anyone could publish.
    const [node, inputType, evaluate, script] = job.containerProperties.command;
    assert.deepEqual([node, inputType, evaluate], ["node", "--input-type=module", "-e"]);
    assert.equal(job.containerProperties.command.length, 4);
    assert.doesNotMatch(script!, /npx|npm|registry|flowship@/);
    assert.match(script!, /FLOWSHIP_CODE_PACKAGE_SHA256/);
    assert.deepEqual(job.containerProperties.environment, [
      { name: "FLOWSHIP_CODE_PACKAGE_URL", value: "s3://b/code.tgz" },
      { name: "FLOWSHIP_CODE_PACKAGE_SHA256", value: "ab12" },
      { name: "FLOWSHIP_DATASTORE_ROOT", value: "s3://b/root" },
      { name: "FLOWSHIP_FLOW", value: "TinyFlow" },
      { name: "AWS_REGION", value: "us-east-1" },
    ]);
    assert.deepEqual(job.retryStrategy, { attempts: 1 });
    // No credential travels in the job definition (the bootstrap only reads their names).
    assert.doesNotMatch(JSON.stringify(job.containerProperties.environment), /AWS_(ACCESS|SECRET|SESSION)/);
  });

  test("image, command and job role are options; an empty command is refused", () => {
    const job = compileJobDefinition({
      flow: "TinyFlow",
      codePackageUrl: "u",
      codePackageSha256: "s",
      datastoreRoot: "s3://b",
      image: "my/image:1",
      command: ["node", "entry.js"],
      jobRoleArn: "arn:aws:iam::123456789012:role/flows",
    });
    assert.equal(job.containerProperties.image, "my/image:1");
    assert.deepEqual(job.containerProperties.command, ["node", "entry.js"]);
    assert.equal(job.containerProperties.jobRoleArn, "arn:aws:iam::123456789012:role/flows");
    assert.throws(
      () =>
        compileJobDefinition({
          flow: "F",
          codePackageUrl: "u",
          codePackageSha256: "s",
          datastoreRoot: "s3://b",
          command: [],
        }),
      { code: "FS_SFN_BAD_OPTION" },
    );
  });

  test("compileStepFunctions submits every step with the flow's job definition", () => {
    // when
    const deployment = compileStepFunctions(tiny(), { datastoreRoot: "s3://bucket/root" });
    // then
    const [job] = deployment.jobDefinitions;
    assert.equal(job!.containerProperties.environment[0]!.value, CODE_PACKAGE_PLACEHOLDERS.url);
    assert.equal(job!.containerProperties.environment[2]!.value, "s3://bucket/root");
    const start = deployment.definition.States.start as { Parameters: { JobDefinition: string } };
    assert.equal(start.Parameters.JobDefinition, job!.jobDefinitionName);
    const pinned = compileStepFunctions(tiny(), {
      jobDefinition: "arn:aws:batch:eu-west-1:1:job-definition/x:3",
    });
    assert.equal(
      (pinned.definition.States.start as { Parameters: { JobDefinition: string } }).Parameters.JobDefinition,
      "arn:aws:batch:eu-west-1:1:job-definition/x:3",
    );
  });

  test("Batch names keep to letters, digits, '-' and '_' and 128 characters", () => {
    assert.equal(batchJobName("Flow", "step_1"), "Flow-step_1");
    const long = batchJobName("F".repeat(64), "s".repeat(64));
    assert.equal(long.length, 128);
    assert.match(long, /^F+-s+-[0-9a-f]{12}$/);
    assert.notEqual(long, batchJobName("F".repeat(64), `${"s".repeat(63)}t`));
    assert.equal(jobDefinitionName("My_Flow"), "flowship-My_Flow");
  });

  test("EC2 (the default): the shape stays what it was, with the ECR Public node image", () => {
    // when
    const job = compileJobDefinition(BASE);
    // then: exactly these keys in this order, so EC2 deployments register what they always did
    assert.equal(
      JSON.stringify(job),
      JSON.stringify({
        jobDefinitionName: "flowship-TinyFlow",
        type: "container",
        containerProperties: sharedContainer(),
        retryStrategy: { attempts: 1 },
        propagateTags: true,
        tags: { "flowship:flow": "TinyFlow", "flowship:version": FLOWSHIP_VERSION },
      }),
    );
    // Fargate-only options change nothing on EC2.
    assert.deepEqual(
      compileJobDefinition({
        ...BASE,
        compute: "ec2",
        executionRoleArn: EXECUTION_ROLE,
        assignPublicIp: "DISABLED",
      }),
      job,
    );
  });

  test("Fargate: platform capability, execution role, public IP and platform version", () => {
    // when
    const job = compileJobDefinition({ ...BASE, compute: "fargate", executionRoleArn: EXECUTION_ROLE });
    // then
    assert.deepEqual(job, {
      jobDefinitionName: "flowship-TinyFlow",
      type: "container",
      platformCapabilities: ["FARGATE"],
      containerProperties: {
        ...sharedContainer(),
        executionRoleArn: EXECUTION_ROLE,
        networkConfiguration: { assignPublicIp: "ENABLED" },
        fargatePlatformConfiguration: { platformVersion: "LATEST" },
      },
      retryStrategy: { attempts: 1 },
      propagateTags: true,
      tags: { "flowship:flow": "TinyFlow", "flowship:version": FLOWSHIP_VERSION },
    });
    const chosen = compileJobDefinition({
      ...BASE,
      compute: "fargate",
      executionRoleArn: EXECUTION_ROLE,
      assignPublicIp: "DISABLED",
      fargatePlatformVersion: "1.4.0",
    });
    assert.deepEqual(chosen.containerProperties.networkConfiguration, { assignPublicIp: "DISABLED" });
    assert.deepEqual(chosen.containerProperties.fargatePlatformConfiguration, { platformVersion: "1.4.0" });
  });

  test("Fargate without an execution role, or with a bad public IP setting, is refused", () => {
    assert.throws(() => compileJobDefinition({ ...BASE, compute: "fargate" }), { code: "FS_SFN_BAD_OPTION" });
    assert.throws(
      () =>
        compileJobDefinition({
          ...BASE,
          compute: "fargate",
          executionRoleArn: EXECUTION_ROLE,
          assignPublicIp: "YES" as "ENABLED",
        }),
      { code: "FS_SFN_BAD_OPTION" },
    );
  });

  test("on Fargate, a step's resources override the job with the nearest valid pair", () => {
    // given
    const sized = flow("SizedFlow")
      .step("start", noop, { next: "fit", decorators: [resources({ cpu: 3, memory: 10_000 })] })
      .step("fit", noop, { next: "end", decorators: [resources({ cpu: 0.25, memory: 512 })] })
      .step("end", noop);
    // when
    const ec2 = compileStepFunctions(sized, {});
    const fargate = compileStepFunctions(sized, { compute: "fargate" });
    // then: EC2 passes them through, Fargate rounds them up
    const overrides = (deployment: typeof ec2, step: string) =>
      (deployment.definition.States[step] as BatchTask).Parameters.ContainerOverrides.ResourceRequirements;
    assert.deepEqual(overrides(ec2, "start"), [
      { Type: "VCPU", Value: "3" },
      { Type: "MEMORY", Value: "10000" },
    ]);
    assert.deepEqual(overrides(fargate, "start"), [
      { Type: "VCPU", Value: "4" },
      { Type: "MEMORY", Value: "10240" },
    ]);
    assert.deepEqual(overrides(fargate, "fit"), [
      { Type: "VCPU", Value: "0.25" },
      { Type: "MEMORY", Value: "512" },
    ]);
    assert.equal(overrides(fargate, "end"), undefined);
    // The job definition is a Fargate one, its role a placeholder until a deploy names it.
    const [job] = fargate.jobDefinitions;
    assert.deepEqual(job!.platformCapabilities, ["FARGATE"]);
    assert.equal(job!.containerProperties.executionRoleArn, PLACEHOLDERS.executionRole);
    assert.equal(ec2.jobDefinitions[0]!.platformCapabilities, undefined);
  });

  test("on Fargate, a GPU or too large a step is refused at compile time; an unknown compute too", () => {
    const gpu = flow("GpuFlow")
      .step("start", noop, { next: "end", decorators: [resources({ gpu: 1 })] })
      .step("end", noop);
    assert.throws(() => compileStepFunctions(gpu, { compute: "fargate" }), { code: "FS_SFN_FARGATE_GPU" });
    assert.doesNotThrow(() => compileStepFunctions(gpu, { compute: "ec2" }));
    const big = flow("BigFlow")
      .step("start", noop, { next: "end", decorators: [resources({ cpu: 32, memory: 4096 })] })
      .step("end", noop);
    assert.throws(() => compileStepFunctions(big, { compute: "fargate" }), {
      code: "FS_SFN_FARGATE_TOO_BIG",
    });
    assert.throws(() => compileStepFunctions(tiny(), { compute: "lambda" as "ec2" }), {
      code: "FS_SFN_BAD_OPTION",
    });
  });
});
