// AWS settings: file, environment (which wins) and flags (which win over both); all missing at once.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, test } from "node:test";
import { tempDir } from "../../../test/helpers/cli.js";
import {
  configuredCompute,
  effectiveSettings,
  loadAwsSettings,
  readSettingsFile,
  readSettingsStack,
  redactUrl,
  webhookUrlProblem,
  writeSettingsFile,
} from "./aws-settings.js";

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
      () => loadAwsSettings(["sfnRole", "jobQueue", "s3Root"], "create"),
      (error: Error & { code?: string; exitCode?: number }) =>
        error.code === "FS_AWS_SETTINGS" &&
        error.exitCode === 2 &&
        error.message ===
          `Missing AWS settings for step-functions create: 'region, sfnRole, jobQueue, s3Root'. Give them with 'flowship configure aws' (writes ${process.env.FLOWSHIP_CONFIG}) or in the environment (configure aws flag / variable): --region / FLOWSHIP_AWS_REGION, --sfn-role / FLOWSHIP_AWS_SFN_ROLE, --job-queue / FLOWSHIP_AWS_JOB_QUEUE, --s3-root / FLOWSHIP_AWS_S3_ROOT.`,
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

  test("a setting of the wrong JSON type, or a file that is no object of settings, is refused by name", () => {
    for (const [content, named] of [
      [
        { aws: { compute: ["fargate"] } },
        /^Invalid setting 'aws\.compute' in '.*': an array, expected a string \(e\.g\. "fargate"\)/,
      ],
      [{ aws: { region: 5 } }, /^Invalid setting 'aws\.region' in '.*': a number 5, expected a string/],
      [{ aws: { sfnRole: null } }, /^Invalid setting 'aws\.sfnRole' in '.*': null, expected a string/],
      [[1, 2], /^Invalid settings file: '.*' holds an array, expected a JSON object/],
      [{ aws: "x" }, /^Invalid setting 'aws' in '.*': a string 'x', expected an object of settings/],
      ["5", /^Invalid settings file: '.*' holds a number 5/],
    ] as const) {
      const file = useFile(content);
      for (const read of [
        () => readSettingsFile(file),
        () => effectiveSettings(file),
        () => configuredCompute(),
      ]) {
        assert.throws(
          read,
          (error: Error & { code?: string; exitCode?: number }) =>
            error.code === "FS_AWS_SETTINGS" &&
            error.exitCode === 2 &&
            named.test(error.message) &&
            error.message.includes(file) &&
            !error.message.includes("\n"),
          JSON.stringify(content),
        );
      }
    }
  });

  test("a settings path that is not a regular file is refused without reading it", () => {
    for (const file of ["/dev/full", "/dev/zero", dir]) {
      assert.throws(
        () => readSettingsFile(file),
        (error: Error & { code?: string }) =>
          error.code === "FS_AWS_SETTINGS" &&
          error.message.startsWith(`The settings file is not a regular file: '${file}'`),
      );
      assert.throws(() => writeSettingsFile({ region: "eu-west-1" }, file), { code: "FS_AWS_SETTINGS" });
    }
  });

  test("writing makes a missing folder, replaces the file at once with mode 0600, and follows a link", () => {
    // given: a folder that does not exist yet
    const file = path.join(dir, "new", "deeper", "rc.json");
    // when
    writeSettingsFile({ region: "eu-west-1" }, file, { name: "flowship", region: "eu-west-1" });
    // then
    assert.deepEqual(readSettingsFile(file), { region: "eu-west-1" });
    assert.deepEqual(readSettingsStack(file), { name: "flowship", region: "eu-west-1" });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ["rc.json"]);
    // when: again, forgetting the stack
    writeSettingsFile({ region: "eu-west-2" }, file, null);
    assert.equal(readSettingsStack(file), undefined);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), { aws: { region: "eu-west-2" } });
    // when: through a link
    const link = path.join(dir, "link.json");
    fs.symlinkSync(file, link);
    writeSettingsFile({ region: "us-east-1" }, link);
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.deepEqual(readSettingsFile(file), { region: "us-east-1" });
  });

  test("a settings file that cannot be written is named with the system's reason, and nothing is left behind", () => {
    // given: a path under a file
    const blocker = useFile({});
    const file = path.join(blocker, "rc.json");
    for (const attempt of [
      () => writeSettingsFile({ region: "eu-west-1" }, file),
      () => readSettingsFile(file),
    ]) {
      assert.throws(
        attempt,
        (error: Error & { code?: string; exitCode?: number }) =>
          error.code === "FS_AWS_SETTINGS_FILE" &&
          error.exitCode === 1 &&
          error.message.includes(
            `the settings file '${file}': a part of the path is a file, not a folder (ENOTDIR)`,
          ) &&
          !error.message.includes("\n"),
      );
    }
    assert.deepEqual(JSON.parse(fs.readFileSync(blocker, "utf8")), {});
  });

  test("an unparseable file's error quotes none of its text, however Node.js cuts the quote short", () => {
    for (const text of [
      '{"aws": {"notifyWebhookUrl": "https://hooks.example.com/services/SECRET"\n,,}}',
      // the text after the error, and before it, cut with "..." (a credentials file, say)
      "[default]\naws_secret_access_key = SECRET-0123456789",
      '{"aws": {"region": "eu-west-1"}, "x": SECRET-0123456789}',
    ]) {
      const file = useFile(text);
      assert.throws(
        () => readSettingsFile(file),
        (error: Error) =>
          error.message.startsWith(`Unreadable settings file: '${file}'`) &&
          !/SECRET|aws_secret|default/.test(error.message) &&
          !error.message.includes("\n"),
        text,
      );
    }
  });

  test("a webhook URL with a line break or a space is refused, though the URL parser would drop it", () => {
    for (const url of [
      "https://hooks.example.com/a\r\nX-Evil: 1",
      " https://hooks.example.com/a",
      "https://h.example.com/a\tb",
    ]) {
      assert.equal(
        webhookUrlProblem(url),
        "it has a space, a line break or another control character",
        JSON.stringify(url),
      );
    }
    assert.equal(webhookUrlProblem("https://hooks.example.com/T1/s3cret"), undefined);
    // shown without its secret path, and never as "null/…"
    assert.equal(redactUrl("https://hooks.example.com/T1/s3cret"), "https://hooks.example.com/…");
    assert.equal(redactUrl("javascript:alert(1)"), "…");
  });
});
