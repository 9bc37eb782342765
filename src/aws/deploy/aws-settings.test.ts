// AWS settings: file, environment (which wins) and flags (which win over both); all missing at once.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, test } from "node:test";
import { tempDir } from "../../../test/helpers/cli.js";
import { configuredCompute, loadAwsSettings, readSettingsFile, writeSettingsFile } from "./aws-settings.js";

const dir = tempDir("flowship-settings-");
const ROLE = "arn:aws:iam::123456789012:role/sfn";
const saved = { ...process.env };

function useFile(content: object | string): string {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  process.env.FLOWSHIP_CONFIG = file;
  return file;
}

describe("AWS settings", () => {
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  test("every missing setting is reported at once, with its variable", () => {
    useFile({});
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    for (const key of Object.keys(process.env)) if (key.startsWith("FLOWSHIP_AWS_")) delete process.env[key];
    assert.throws(
      () => loadAwsSettings(["jobQueue", "s3Root"], "create"),
      (error: Error & { code?: string; exitCode?: number }) =>
        error.code === "FS_AWS_SETTINGS" &&
        error.exitCode === 2 &&
        error.message ===
          `Missing AWS settings for step-functions create: 'region, sfnRole, jobQueue, s3Root'. Run 'flowship configure aws' (writes ${process.env.FLOWSHIP_CONFIG}) or set FLOWSHIP_AWS_REGION, FLOWSHIP_AWS_SFN_ROLE, FLOWSHIP_AWS_JOB_QUEUE, FLOWSHIP_AWS_S3_ROOT.`,
    );
  });

  test("the environment wins over the file, and flags over both", () => {
    useFile({ aws: { region: "eu-west-1", sfnRole: ROLE, jobQueue: "from-file", s3Root: "s3://bucket/x/" } });
    process.env.FLOWSHIP_AWS_JOB_QUEUE = "from-env";
    const settings = loadAwsSettings(["jobQueue", "s3Root"], "create");
    assert.deepEqual(
      [settings.region, settings.jobQueue, settings.s3Root],
      ["eu-west-1", "from-env", "s3://bucket/x"],
    );
    assert.equal(loadAwsSettings([], "create", { jobQueue: "from-flag" }).jobQueue, "from-flag");
  });

  test("malformed values are named with an example", () => {
    useFile({ aws: { region: "Europe", sfnRole: "my-role" } });
    assert.throws(
      () => loadAwsSettings([], "trigger"),
      (error: Error & { code?: string }) =>
        error.code === "FS_AWS_SETTINGS" &&
        error.message.startsWith("Invalid AWS settings: region 'Europe' (e.g. eu-west-1), sfnRole 'my-role'"),
    );
  });

  test("writing keeps the rest of the file; an unreadable file is named", () => {
    const file = useFile({ other: { keep: true } });
    writeSettingsFile({ region: "us-east-1" }, file);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), {
      other: { keep: true },
      aws: { region: "us-east-1" },
    });
    assert.deepEqual(readSettingsFile(file), { region: "us-east-1" });
    const broken = useFile("{not json");
    assert.throws(
      () => readSettingsFile(broken),
      (e: Error) => e.message.startsWith(`Unreadable settings file: '${broken}'`),
    );
  });

  test("compute fargate needs an execution role, named with its variable; ec2 (the default) does not", () => {
    // given
    useFile({ aws: { region: "eu-west-1", sfnRole: ROLE, compute: "fargate" } });
    for (const key of Object.keys(process.env)) if (key.startsWith("FLOWSHIP_AWS_")) delete process.env[key];
    // then
    assert.throws(
      () => loadAwsSettings(["executionRole"], "create"),
      (error: Error & { code?: string }) =>
        error.code === "FS_AWS_SETTINGS" &&
        error.message.includes("'executionRole' (compute is fargate)") &&
        error.message.includes("FLOWSHIP_AWS_EXECUTION_ROLE") &&
        !error.message.includes("\n"),
    );
    process.env.FLOWSHIP_AWS_EXECUTION_ROLE = "arn:aws:iam::123456789012:role/flowship-batch-execution";
    assert.equal(loadAwsSettings(["executionRole"], "create").compute, "fargate");
    delete process.env.FLOWSHIP_AWS_EXECUTION_ROLE;
    process.env.FLOWSHIP_AWS_COMPUTE = "ec2";
    assert.equal(loadAwsSettings(["executionRole"], "create").executionRole, undefined);
    assert.equal(configuredCompute(), "ec2");
  });

  test("the Fargate settings come from their variables and are checked", () => {
    // given
    useFile({ aws: { region: "eu-west-1", sfnRole: ROLE } });
    assert.equal(configuredCompute(), "ec2");
    Object.assign(process.env, {
      FLOWSHIP_AWS_COMPUTE: "fargate",
      FLOWSHIP_AWS_EXECUTION_ROLE: "arn:aws:iam::123456789012:role/exec",
      FLOWSHIP_AWS_ASSIGN_PUBLIC_IP: "DISABLED",
      FLOWSHIP_AWS_FARGATE_PLATFORM_VERSION: "1.4.0",
    });
    // when
    const settings = loadAwsSettings(["executionRole"], "create");
    // then
    assert.deepEqual(
      [settings.compute, settings.executionRole, settings.assignPublicIp, settings.fargatePlatformVersion],
      ["fargate", "arn:aws:iam::123456789012:role/exec", "DISABLED", "1.4.0"],
    );
    assert.equal(configuredCompute(), "fargate");
    for (const [name, value] of [
      ["FLOWSHIP_AWS_COMPUTE", "Fargate"],
      ["FLOWSHIP_AWS_EXECUTION_ROLE", "exec"],
      ["FLOWSHIP_AWS_ASSIGN_PUBLIC_IP", "yes"],
      ["FLOWSHIP_AWS_FARGATE_PLATFORM_VERSION", "latest"],
    ] as const) {
      const saved = process.env[name];
      process.env[name] = value;
      assert.throws(() => loadAwsSettings([], "create"), { code: "FS_AWS_SETTINGS" }, name);
      process.env[name] = saved;
    }
    process.env.FLOWSHIP_AWS_COMPUTE = "lambda";
    assert.throws(() => configuredCompute(), { code: "FS_AWS_SETTINGS" });
  });
});
