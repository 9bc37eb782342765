import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { flow } from "../../flow/flow-builder.js";
import { CODE_PACKAGE_PLACEHOLDERS, compileStepFunctions } from "./compile-step-functions.js";
import { compileJobDefinition, DEFAULT_IMAGE } from "./job-definition.js";
import { batchJobName, jobDefinitionName } from "./naming.js";

const noop = () => {};
const tiny = () => flow("TinyFlow").step("start", noop, { next: "end" }).step("end", noop);

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
});
