// The catalogue of bad input: every mistake a user can make at the command line, each answered
// with its exit code and one exact line on stderr — no stack trace unless --debug asks for it.
// In `message`, {file} stands for the case's flow file, {line} for the line marked `// <-` in
// it, {run} for the id of an existing run and {root} for the datastore root.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowSource } from "../helpers/datastore.js";

interface Case {
  name: string;
  /** The flow file's body (the flowship imports are added), or `flow` names an existing file. */
  source?: string;
  flow?: string;
  args: string[];
  code: number;
  message: string;
  /** Variables to set (or, when undefined, to remove) for this case. */
  env?: Record<string, string | undefined>;
}

const dir = tempDir();
const root = path.join(dir, ".flowship");
const env = flowshipEnv(root);
let runId = "";

/** No AWS settings anywhere, and no way to reach AWS. */
const NO_AWS: Record<string, string | undefined> = {
  FLOWSHIP_CONFIG: path.join(dir, "absent.json"),
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL_SFN: "http://127.0.0.1:9",
  ...Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => k.startsWith("FLOWSHIP_AWS_"))
      .map((k) => [k, undefined]),
  ),
};

/** The S3 datastore a run with Batch steps needs, at an endpoint that refuses every connection. */
const S3_NOWHERE: Record<string, string> = {
  FLOWSHIP_DATASTORE: "s3",
  FLOWSHIP_S3_ROOT: "s3://my-bucket/flowship",
  AWS_ENDPOINT_URL: "http://127.0.0.1:9",
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_MAX_ATTEMPTS: "1",
};

const PARAMETERS = "test/fixtures/flows/typed_parameters.ts";
const BRANCH = "examples/branch_flow.ts";

const S = (name: string, next: string, extra = "") =>
  `  .step("${name}", () => {}, { next: ${next}${extra} })`;
const E = `  .step("end", () => {});`;
const check = (name: string, source: string, message: string): Case => ({
  name,
  source,
  args: ["check"],
  code: 1,
  message: `{file}:{line}: ${message}`,
});

/** Every rule of the graph (also in validation.test.ts, which checks them in more depth). */
const GRAPH_RULES: Case[] = [
  check(
    "no start step",
    `flow("G1") // <-\n  .step("begin", () => {}, { next: "end" })\n${E}`,
    "Flow 'G1' has no 'start' step; every flow begins at 'start' and finishes at 'end'",
  ),
  check(
    "no end step",
    `flow("G2") // <-\n${S("start", '"finish"')}\n  .step("finish", () => {});`,
    "Flow 'G2' has no 'end' step; every flow begins at 'start' and finishes at 'end'",
  ),
  check(
    "next names no step",
    `flow("G3")\n${S("start", '"nowhere"')} // <-\n${E}`,
    "Step 'start' goes to 'nowhere', which is not a step; known steps: 'start', 'end' (flow 'G3')",
  ),
  check(
    "unreachable step",
    `flow("G4")\n${S("start", '"end"')}\n${S("island", '"end"')} // <-\n${E}`,
    "Step 'island' is unreachable from 'start'; lead to it from another step or remove it (flow 'G4')",
  ),
  check(
    "a loop",
    `flow("G5")\n${S("start", '"a"')}\n${S("a", '"b"')} // <-\n${S("b", '["a", "end"]')}\n${E}`,
    "There is a loop in the flow: a -> b -> a; only a switch (condition and next: { … }) may lead back to an earlier step, with a case that leaves the loop (flow 'G5')",
  ),
  check(
    "a split never joined",
    `flow("G6")\n${S("start", '["a", "b"]')}\n${S("a", '"end"')}\n${S("b", '"end"')}\n  .step("end", () => {}); // <-`,
    "Step 'end' is reached from a, b but is not a join; add join: true and take (self, inputs) (flow 'G6')",
  ),
  check(
    "a foreach never joined",
    `flow("G7")\n  .step("start", (s) => { s.xs = [1]; }, { foreach: "xs", next: "body" })\n${S("body", '"end"')}\n  .step("end", () => {}); // <-`,
    "The 'end' step is reached before the split(s) 'start' were joined; add a join step before 'end' (flow 'G7')",
  ),
  check(
    "a join written as one, without join: true",
    `flow("G7b")\n  .step("start", (s) => { s.xs = [1]; }, { foreach: "xs", next: "body" })\n${S("body", '"join"')}\n  .step("join", (self, inputs) => {}, { next: "end" })\n  .step("end", () => {}); // <-`,
    "The 'end' step is reached before the split(s) 'start' were joined; step 'join' takes (self, inputs) but is not a join: add join: true to it (flow 'G7b')",
  ),
  check(
    "a join of branches of different splits",
    [
      `flow("G8")`,
      S("start", '["a", "b"]'),
      S("a", '["a1", "a2"]'),
      S("a1", '"j"'),
      S("a2", '"ja"'),
      S("b", '"ja"'),
      `  .step("ja", () => {}, { join: true, next: "j" }) // <-`,
      `  .step("j", () => {}, { join: true, next: "end" })`,
      E,
    ].join("\n"),
    "Join 'ja' joins steps from different splits (a2, b); join each split on its own first (flow 'G8')",
  ),
  check(
    "a join missing a branch",
    [
      `flow("G9")`,
      S("start", '["a", "b", "c"]'),
      S("a", '"j"'),
      S("b", '"j"'),
      S("c", '"d"'),
      `  .step("j", () => {}, { join: true, next: "d" }) // <-`,
      `  .step("d", () => {}, { join: true, next: "end" })`,
      E,
    ].join("\n"),
    "Join 'j' is fed by a, b but split 'start' opened the branches a, b, c; every branch of a split must reach its join (flow 'G9')",
  ),
  check(
    "a join without a split",
    `flow("G10")\n${S("start", '"j"')}\n  .step("j", () => {}, { join: true, next: "end" }) // <-\n${E}`,
    "Step 'j' is a join but no split or foreach comes before it; remove join: true or add the split (flow 'G10')",
  ),
  check(
    "a join where the cases of a switch meet (Metaflow's join habit)",
    `flow("G10b")\n  .step("start", (s) => { s.r = "a"; }, { condition: "r", next: { a: "a", b: "b" } })\n${S("a", '"j"')}\n${S("b", '"j"')}\n  .step("j", () => {}, { join: true, next: "end" }) // <-\n${E}`,
    "Step 'j' is a join but no split or foreach comes before it; the cases of a switch meet at a plain step: remove join: true (its function takes self only) (flow 'G10b')",
  ),
  check(
    "a step that joins and splits",
    `flow("G11")\n${S("start", '["a", "b"]')}\n${S("a", '"j"')}\n${S("b", '"j"')}\n  .step("j", () => {}, { join: true, next: ["c", "d"] }) // <-\n${S("c", '"end"')}\n${S("d", '"end"')}\n${E}`,
    "Step 'j' is both a join and a split; add a step between them so each does one thing (flow 'G11')",
  ),
  check(
    "end with a next step",
    `flow("G12")\n${S("start", '"end"')}\n  .step("end", () => {}, { next: "start" }); // <-`,
    "The 'end' step must not have a next step, but it goes to 'start' (flow 'G12')",
  ),
  check(
    "a step without a next step",
    `flow("G13")\n${S("start", '"middle"')}\n  .step("middle", () => {}) // <-\n${E}`,
    `Step 'middle' has no next step; add { next: "…" } (only 'end' may finish the flow) (flow 'G13')`,
  ),
  check(
    "a step defined twice",
    `flow("G14")\n${S("start", '"end"')}\n${S("start", '"end"')} // <-\n${E}`,
    "Step 'start' is defined twice (flow 'G14')",
  ),
  check(
    "an invalid step name",
    `flow("G15")\n${S("start", '"Bad-Name"')}\n${S("Bad-Name", '"end"')} // <-\n${E}`,
    "Invalid step name 'Bad-Name': use a lowercase letter then lowercase letters, digits or underscores, at most 64 characters (flow 'G15')",
  ),
  check(
    "a reserved step name",
    `flow("G16")\n${S("start", '"input"')}\n${S("input", '"end"')} // <-\n${E}`,
    "Step name 'input' is reserved; choose another name (flow 'G16')",
  ),
  check(
    "an invalid flow name",
    `flow("bad flow") // <-\n${S("start", '"end"')}\n${E}`,
    "Invalid flow name 'bad flow': use a letter then letters, digits or underscores, at most 64 characters",
  ),
  check(
    "a parameter defined twice",
    `flow("G18")\n  .parameter("alpha", { default: 1 })\n  .parameter("alpha", { default: 2 }) // <-\n${S("start", '"end"')}\n${E}`,
    "Parameter 'alpha' is defined twice (flow 'G18')",
  ),
  check(
    "parameters that differ only in case",
    `flow("G19")\n  .parameter("alpha", { default: 1 })\n  .parameter("ALPHA", { default: 2 }) // <-\n${S("start", '"end"')}\n${E}`,
    "Parameters 'alpha' and 'ALPHA' differ only in case; rename one (flow 'G19')",
  ),
  check(
    "a parameter named like a run option",
    `flow("G20")\n  .parameter("tag", { default: "x" }) // <-\n${S("start", '"end"')}\n${E}`,
    "Parameter name 'tag' is reserved (it is an option or a property of every step); choose another name (flow 'G20')",
  ),
  check(
    "an invalid parameter name",
    `flow("G21")\n  .parameter("learning-rate", { default: 1 }) // <-\n${S("start", '"end"')}\n${E}`,
    "Invalid parameter name 'learning-rate': use a letter then letters, digits or underscores (flow 'G21')",
  ),
  check(
    "a parameter of an unknown type",
    `flow("G21b")\n  .parameter("rate", { type: "float", default: 0.3 }) // <-\n${S("start", '"end"')}\n${E}`,
    `Unknown type "float" for parameter 'rate' of flow 'G21b': use one of string, number, integer, boolean, json (decimals are 'number')`,
  ),
  check(
    "a foreach that goes straight to its join",
    `flow("G22")\n  .step("start", (s) => { s.xs = [1]; }, { foreach: "xs", next: "j" }) // <-\n  .step("j", () => {}, { join: true, next: "end" })\n${E}`,
    "Step 'start' is a foreach that goes straight to the join 'j'; put at least one step in each branch (flow 'G22')",
  ),
  check(
    "a foreach with two next steps",
    `flow("G23")\n  .step("start", () => {}, { foreach: "xs", next: ["a", "b"] }) // <-\n${S("a", '"j"')}\n${S("b", '"j"')}\n  .step("j", () => {}, { join: true, next: "end" })\n${E}`,
    "Step 'start' fans out over 'xs' to 2 steps; a foreach has exactly one next step (flow 'G23')",
  ),
  check(
    "a step leading back into start",
    `flow("G24")\n${S("start", '"a"')}\n${S("a", '["start", "end"]')} // <-\n${E}`,
    "Step 'a' goes back to 'start'; nothing may lead into 'start' (flow 'G24')",
  ),
  check(
    "catchError on a foreach",
    `flow("G25")\n  .step("start", (s) => { s.xs = [1]; }, { foreach: "xs", next: "b", decorators: [catchError()] }) // <-\n${S("b", '"j"')}\n  .step("j", () => {}, { join: true, next: "end" })\n${E}`,
    "Step 'start' is a foreach and has catchError: a failed foreach has no items to fan out over; catch errors in the steps it fans out to (flow 'G25')",
  ),
  check(
    "the same decorator twice",
    `flow("G26")\n  .step("start", () => {}, { next: "end", decorators: [retry(), retry({ times: 1 })] }) // <-\n${E}`,
    "Step 'start' has the 'retry' decorator more than once (flow 'G26')",
  ),
];

const run = (args: string[], code: number, message: string, flow = PARAMETERS): Omit<Case, "name"> => ({
  flow,
  args,
  code,
  message,
});
const param = "of flow 'TypedParameters'";

const PARAMETER_CASES: Case[] = [
  {
    name: "an integer that is not one",
    ...run(
      ["run", "--owner", "me", "--count", "1.5"],
      2,
      `Invalid value for parameter 'count' ${param}: "1.5" is not a decimal integer.`,
    ),
  },
  {
    name: "a number that is not one",
    ...run(
      ["run", "--owner", "me", "--ratio", "x"],
      2,
      `Invalid value for parameter 'ratio' ${param}: "x" is not a decimal number.`,
    ),
  },
  {
    name: "a boolean that is not one",
    ...run(
      ["run", "--owner", "me", "--verbose", "maybe"],
      2,
      `Invalid value for parameter 'verbose' ${param}: "maybe" is not a boolean (true or false).`,
    ),
  },
  {
    name: "JSON that does not parse",
    ...run(
      ["run", "--owner", "me", "--config", "{bad"],
      2,
      `Invalid value for parameter 'config' ${param}: "{bad" is not valid JSON (Expected property name or '}' in JSON at position 1).`,
    ),
  },
  {
    name: "a required parameter missing",
    ...run(["run"], 2, "Missing required parameter --owner for flow 'TypedParameters'."),
  },
  {
    name: "an unknown flag",
    ...run(
      ["run", "--owner", "me", "--nosuch", "1"],
      2,
      "Unknown option '--nosuch'. Run with --help to see the options.",
    ),
  },
  {
    name: "a parameter flag given to resume",
    ...run(
      ["resume", "--owner", "me"],
      2,
      "Unknown option '--owner' (resume keeps the origin run's parameters; to change one, start a new run with `run`). Run with --help to see the options.",
    ),
  },
  {
    name: "a parameter flag without its value",
    ...run(
      ["run", "--owner", "me", "--count"],
      2,
      "Option '--count <integer>' argument missing. Run with --help to see the options.",
    ),
  },
  {
    name: "a wrong type given to simulate",
    ...run(
      ["step-functions", "simulate", "--owner", "me", "--count", "abc"],
      2,
      `Invalid value for parameter 'count' ${param}: "abc" is not a decimal integer.`,
    ),
  },
  {
    name: "simulate --sandbox with an unknown kind",
    ...run(
      ["step-functions", "simulate", "--owner", "me", "--sandbox", "docker"],
      2,
      "Invalid --sandbox 'docker': expected auto, bubblewrap, none.",
    ),
  },
  {
    name: "simulate --env without a value",
    ...run(
      ["step-functions", "simulate", "--owner", "me", "--env", "1BAD"],
      2,
      "Invalid --env '1BAD': expected NAME=VALUE, e.g. --env LOG_LEVEL=debug.",
    ),
  },
  {
    name: "create --task-timeout under a minute",
    ...run(
      ["step-functions", "create", "--only-json", "--task-timeout", "10"],
      2,
      "Invalid --task-timeout '10': give a whole number of 60 or more.",
    ),
  },
  {
    name: "create --job-queue empty, named as the flag (not the compiler's option)",
    ...run(
      ["step-functions", "create", "--job-queue", ""],
      2,
      "Invalid --job-queue '': give an AWS Batch job queue such as flowship-queue.",
    ),
    env: NO_AWS,
  },
  {
    name: "create --s3-root without a bucket, named as the flag",
    ...run(
      ["step-functions", "create", "--s3-root", "s3://"],
      2,
      "Invalid --s3-root 's3://': give an S3 datastore root such as s3://my-bucket/flowship.",
    ),
    env: NO_AWS,
  },
  {
    name: "create --keep-versions 0",
    ...run(
      ["step-functions", "create", "--only-json", "--keep-versions", "0"],
      2,
      "Invalid --keep-versions '0': give a whole number of 1 or more.",
    ),
  },
  {
    name: "--max-workers 0",
    ...run(
      ["run", "--owner", "me", "--max-workers", "0"],
      2,
      "Invalid --max-workers '0': give a whole number of 1 or more (FLOWSHIP_MAX_WORKERS sets the default).",
    ),
  },
  {
    name: "FLOWSHIP_MAX_WORKERS that is no count",
    ...run(
      ["run", "--owner", "me"],
      2,
      "Invalid --max-workers 'abc': give a whole number of 1 or more (FLOWSHIP_MAX_WORKERS sets the default).",
    ),
    env: { FLOWSHIP_MAX_WORKERS: "abc" },
  },
  {
    name: "an empty tag",
    ...run(
      ["run", "--owner", "me", "--tag", ""],
      2,
      'Invalid tag "": a tag is 1 to 500 characters on one line.',
    ),
  },
  {
    name: "an unknown command",
    ...run(
      ["deploy"],
      2,
      "Unknown command 'deploy' (did you mean step-functions create?). Run with --help to see the options.",
    ),
  },
  {
    name: "step-functions deploy, which is create",
    ...run(
      ["step-functions", "deploy"],
      2,
      "Unknown command 'deploy' (did you mean create?). Run with --help to see the options.",
    ),
  },
];

const withFlag = (spec: string, code: number, message: string): Case => ({
  name: `--with ${spec}`,
  ...run(["run", "--with", spec], code, message, BRANCH),
});
const decoratorInCode = (name: string, decorator: string, message: string): Case => ({
  name,
  source: `flow("BadDecorator")\n  .step("start", () => {}, { next: "end", decorators: [${decorator}] }) // <-\n${E}`,
  args: ["check"],
  code: 1,
  message: `{file}:{line}: ${message}`,
});

const DECORATOR_CASES: Case[] = [
  withFlag(
    "retry:times=-1",
    2,
    "Invalid retry decorator: 'times' must be a whole number from 0 to 100, got -1 (from --with retry:times=-1).",
  ),
  withFlag(
    "retry:times=1000",
    2,
    "Invalid retry decorator: 'times' must be a whole number from 0 to 100, got 1000 (from --with retry:times=1000).",
  ),
  withFlag(
    "timeout:seconds=0",
    2,
    "Invalid timeout decorator: the duration must be more than 0; give seconds, minutes or hours (from --with timeout:seconds=0).",
  ),
  withFlag(
    "resources:memory=lots",
    2,
    `Invalid resources decorator: 'memory' must be a whole number from 1 to 4000000, got "lots" (from --with resources:memory=lots).`,
  ),
  withFlag(
    "retrying",
    2,
    "Unknown decorator in --with: 'retrying'. Known: retry, catchError, timeout, resources, environment, batch, card.",
  ),
  withFlag(
    "retry:times=2,bogus=1",
    2,
    "Unknown option 'bogus' of retry in --with retry:times=2,bogus=1: retry takes times, minutesBetweenRetries.",
  ),
  withFlag(
    "batch:shared_memory=1024",
    2,
    "Option 'shared_memory' of batch in --with batch:shared_memory=1024 is one of Metaflow's @batch options flowship does not support yet: remove it (the job then gets Batch's default for it).",
  ),
  withFlag(
    "resources:mem=4096",
    2,
    "Unknown option 'mem' of resources in --with resources:mem=4096: resources takes cpu, memory, gpu.",
  ),
  {
    name: "--with kubernetes before check",
    ...run(
      ["--with", "kubernetes", "check"],
      2,
      "Unknown decorator in --with: 'kubernetes'. Known: retry, catchError, timeout, resources, environment, batch, card.",
      BRANCH,
    ),
  },
  withFlag(
    "retry:times",
    2,
    "Invalid --with value: 'retry:times'. Use NAME or NAME:key=value,key=value (e.g. retry:times=2).",
  ),
  {
    name: "--with batch:image with a space, refused before anything is uploaded",
    ...run(
      ["run", "--with", "batch:image=my image"],
      2,
      "Invalid batch option image 'my image' in flow 'BranchFlow': give the container image of Batch jobs, e.g. public.ecr.aws/docker/library/node:22-slim.",
      BRANCH,
    ),
    // S3 and Batch at a dead address: the check comes before any call to them.
    env: {
      ...NO_AWS,
      FLOWSHIP_DATASTORE: "s3",
      FLOWSHIP_S3_ROOT: "s3://flowship-none/x",
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      FLOWSHIP_AWS_REGION: "eu-west-1",
      FLOWSHIP_AWS_JOB_QUEUE: "flowship-queue",
      FLOWSHIP_AWS_BATCH_JOB_ROLE: "arn:aws:iam::123456789012:role/flowship-batch-job",
    },
  },
  withFlag(
    "batch:cpu=1,memory=2048,cpu=8",
    2,
    "Invalid --with value: 'batch:cpu=1,memory=2048,cpu=8' gives the option 'cpu' twice; give it once.",
  ),
  decoratorInCode(
    "a decorator function without its call, which check must refuse",
    "retry",
    "Invalid decorator on step 'start': retry is a function: write retry() (with its options, if any).",
  ),
  check(
    "a misspelt parameter option, which would leave the parameter without its default",
    `flow("ParamTypo")\n  .parameter("alpha", { deafult: 0.1 } as any) // <-\n${S("start", '"end"')}\n${E}`,
    "Unknown option 'deafult' (did you mean 'default'?) of parameter 'alpha' of flow 'ParamTypo': a parameter takes help, default, required, type, separator.",
  ),
  check(
    "a misspelt step option, which would leave the step without its foreach",
    `flow("StepTypo")\n  .step("start", (s) => { s.xs = [1]; }, { foreeach: "xs", next: "end" } as any) // <-\n${E}`,
    "Unknown option 'foreeach' (did you mean 'foreach'?) of step 'start' of flow 'StepTypo': a step takes next, condition, foreach, join, decorators, doc.",
  ),
  check(
    "the options where the step's function goes (a flow file is not type-checked)",
    `flow("NoFunction")\n  .step("start", { next: "end" } as any) // <-\n${E}`,
    `Step 'start' of flow 'NoFunction' has no function: .step(name, fn, options) got an object where the step's function goes; write .step("start", (self) => { … }, options).`,
  ),
  decoratorInCode(
    "retry({ times: -1 }) in code",
    "retry({ times: -1 })",
    "Invalid retry decorator: 'times' must be a whole number from 0 to 100, got -1.",
  ),
  decoratorInCode(
    "retry({ times: 1000 }) in code",
    "retry({ times: 1000 })",
    "Invalid retry decorator: 'times' must be a whole number from 0 to 100, got 1000.",
  ),
  decoratorInCode(
    "timeout({ seconds: 0 }) in code",
    "timeout({ seconds: 0 })",
    "Invalid timeout decorator: the duration must be more than 0; give seconds, minutes or hours.",
  ),
  decoratorInCode(
    `resources({ memory: "lots" }) in code`,
    `resources({ memory: "lots" as any })`,
    `Invalid resources decorator: 'memory' must be a whole number from 1 to 4000000, got "lots".`,
  ),
  decoratorInCode(
    "batch() with a misspelt option, which would be dropped",
    "batch({ cpu: 4, memroy: 16384 } as any)",
    "Invalid batch decorator: unknown option 'memroy'; batch takes cpu, memory, gpu, image, queue, iamRole, executionRole.",
  ),
  decoratorInCode(
    "batch() with options that are no object",
    `batch("big" as any)`,
    `Invalid batch decorator: give an object of options such as { cpu: 4, memory: 16384 }, got "big".`,
  ),
  decoratorInCode(
    "batch({ cpu: Infinity }), shown as written rather than as JSON's null",
    "batch({ cpu: Infinity })",
    "Invalid batch decorator: 'cpu' must be a number ≥ 0.25, got Infinity.",
  ),
  decoratorInCode(
    "catchError with a var that is no name",
    `catchError({ var: "the error" })`,
    `Invalid catchError decorator: 'var' must be an identifier, got "the error".`,
  ),
  decoratorInCode(
    "environment with a bad variable name",
    `environment({ vars: { "1ST": "x" } })`,
    "Invalid environment decorator: variable '1ST' must have an identifier name and a string value.",
  ),
];

const cron = (expression: string, reason: string): Case => ({
  name: `cron '${expression}'`,
  source: `flow("Scheduled")\n  .decorator(schedule({ cron: "${expression}" }))\n${S("start", '"end"')}\n${E}`,
  args: ["check"],
  code: 1,
  message: `Invalid cron expression '${expression}': ${reason}.`,
});

const CRON_CASES: Case[] = [
  cron(
    "0 10 * * *",
    "AWS cron has 6 fields (minutes hours day-of-month month day-of-week year), this has 5; add a year, e.g. '0 10 * * ? *'",
  ),
  cron(
    "0 10 * * ? * *",
    "AWS cron has 6 fields (minutes hours day-of-month month day-of-week year), this has 7",
  ),
  cron(
    "0 10 * * * *",
    "set day-of-month or day-of-week, not both: put '?' in one of them (e.g. '0 10 * * ? *')",
  ),
  cron("0 10 ? * ? *", "day-of-month and day-of-week cannot both be '?'"),
  cron("60 10 * * ? *", "minutes value 60 is out of range 0-59"),
  cron("0 24 * * ? *", "hours value 24 is out of range 0-23"),
  cron("0 10 32 * ? *", "day-of-month value 32 is out of range 1-31"),
  cron("0 10 * 13 ? *", "month value 13 is out of range 1-12"),
  cron("0 10 ? * FOO *", "day-of-week has 'FOO', which is not a number or a name"),
  cron("*/0 10 * * ? *", "minutes step '0' must be a whole number ≥ 1"),
  cron("*/60 10 * * ? *", "minutes step 60 is too large: minutes has only 60 values"),
  cron("0 10-5 * * ? *", "hours range '10-5' goes backwards"),
  cron("0 1/2/3 * * ? *", "hours has more than one '/' in '1/2/3'"),
  cron("0 1,,2 * * ? *", "hours has an empty list item"),
  cron("0 10 * * ? 1900", "year value 1900 is out of range 1970-2199"),
  cron("0 10 ? * 8 *", "day-of-week value 8 is out of range 1-7"),
  cron("L 10 * * ? *", "minutes has 'L', which is not a number"),
  ...["0 0 30 2 ? *", "0 9 31 APR,JUN ? *", "0 10 * * ? 2020"].map((expression) => ({
    name: `cron '${expression}', which never fires`,
    source: `flow("Scheduled")\n  .decorator(schedule({ cron: "${expression}" }))\n${S("start", '"end"')}\n${E}`,
    args: ["check"],
    code: 1,
    message: `Schedule cron(${expression}) of flow 'Scheduled' never fires: no time from now on matches it (a day its months do not have, such as 30 February, or only years gone by); fix its day-of-month, month or year.`,
  })),
  {
    name: "a backfill of fire times still to come, which the schedule will run",
    source: `flow("Scheduled")\n  .decorator(schedule({ daily: true, timezone: "Europe/Berlin" }))\n${S("start", '"end"')}\n${E}`,
    args: ["step-functions", "backfill", "--start", "2099-01-01", "--end", "2099-01-03", "--dry-run"],
    code: 2,
    message:
      "Invalid backfill window: --end '2099-01-03' takes in the fire time 2099-01-01T00:00:00+01:00, which is still to come (the schedule will run it); give an --end no later than now.",
    env: NO_AWS,
  },
  {
    name: "a time zone that does not exist",
    source: `flow("Scheduled")\n  .decorator(schedule({ cron: "0 10 * * ? *", timezone: "Mars/Olympus" }))\n${S("start", '"end"')}\n${E}`,
    args: ["check"],
    code: 1,
    message: "Invalid schedule time zone 'Mars/Olympus': use an IANA name such as 'Europe/Berlin' or 'UTC'.",
  },
  {
    name: "two schedules at once",
    source: `flow("Scheduled")\n  .decorator(schedule({ hourly: true, daily: true })) // <-\n${S("start", '"end"')}\n${E}`,
    args: ["check"],
    code: 1,
    message: "{file}:{line}: Invalid schedule decorator: give exactly one of hourly, daily, weekly or cron.",
  },
];

const PATHSPEC_CASES: Case[] = [
  {
    name: "logs ../../etc/passwd",
    ...run(
      ["logs", "../../etc/passwd"],
      2,
      "Invalid pathspec 'TypedParameters/../../etc/passwd': expected Flow[/RunId[/step[/taskId]]].",
    ),
  },
  {
    name: "logs of an absolute path",
    ...run(
      ["logs", "/etc/passwd"],
      2,
      "Invalid run id '' in pathspec 'TypedParameters//etc/passwd': use letters, digits, '_', '-' and '.'.",
    ),
  },
  {
    name: "logs of task id '..'",
    ...run(
      ["logs", "{run}/start/.."],
      2,
      "Invalid task id '..' in pathspec 'TypedParameters/{run}/start/..': use letters, digits, '_', '-' and '.'.",
    ),
  },
  {
    name: "logs with too many parts",
    ...run(
      ["logs", "{run}/start/0/extra"],
      2,
      "Invalid pathspec 'TypedParameters/{run}/start/0/extra': expected Flow[/RunId[/step[/taskId]]].",
    ),
  },
  {
    name: "a datastore root that is a URL other than s3:// (S3 in capitals)",
    ...run(
      ["run", "--datastore-root", "S3://my-bucket/flowship"],
      2,
      "The datastore root 'S3://my-bucket/flowship' is a URL flowship does not store runs at: an S3 root starts with 's3://' (in lowercase), a local root is a folder path.",
    ),
  },
  {
    name: "logs of a run that does not exist",
    ...run(
      ["logs", "12345"],
      1,
      "Run not found: 'TypedParameters/12345' is not in the datastore {root}. Check the pathspec, or point the client at the right datastore (--datastore-root or FLOWSHIP_DATASTORE_ROOT on the command line, setDatastore() in code).",
    ),
  },
  {
    name: "logs --attempt -1",
    ...run(
      ["logs", "{run}/start/0", "--attempt", "-1"],
      2,
      "Invalid --attempt '-1': give 0 for the first attempt, 1 for the first retry, ….",
    ),
  },
  {
    name: "dump ../../etc/passwd/end",
    ...run(
      ["dump", "../../etc/passwd/end"],
      2,
      "Invalid pathspec 'TypedParameters/../../etc/passwd/end': expected Flow[/RunId[/step[/taskId]]].",
    ),
  },
  {
    name: "dump of a step named '..'",
    ...run(
      ["dump", "{run}/../start"],
      2,
      "Invalid step name '..' in pathspec 'TypedParameters/{run}/../start': use letters, digits, '_', '-' and '.'.",
    ),
  },
  {
    name: "dump of a run without a step",
    ...run(
      ["dump", "{run}"],
      2,
      "Expected RUN/STEP or RUN/STEP/TASK: 'TypedParameters/{run}'. Name a step, e.g. <run>/end.",
    ),
  },
  {
    name: "dump of a step the run does not have",
    ...run(
      ["dump", "{run}/nosuch"],
      1,
      "Step not found: 'TypedParameters/{run}/nosuch' is not in the datastore {root}. The run has no task of this step; list the steps it ran with run.steps() or `logs <run>`.",
    ),
  },
  {
    name: "tag add ../../etc/passwd",
    ...run(
      ["tag", "add", "../../etc/passwd", "x"],
      2,
      "Invalid pathspec 'TypedParameters/../../etc/passwd': expected Flow/RunId.",
    ),
  },
  {
    name: "tag list ..",
    ...run(
      ["tag", "list", ".."],
      2,
      "Invalid run id '..' in pathspec 'TypedParameters/..': use letters, digits, '_', '-' and '.'.",
    ),
  },
  {
    name: "resume --origin-run-id ../../etc/passwd",
    ...run(
      ["resume", "--origin-run-id", "../../etc/passwd"],
      2,
      "Invalid run id '../../etc/passwd': use letters, digits, '_', '-' and '.'.",
    ),
  },
  {
    name: "resume --origin-run-id of an absolute path",
    ...run(
      ["resume", "--origin-run-id", "/etc/passwd"],
      2,
      "Invalid run id '/etc/passwd': use letters, digits, '_', '-' and '.'.",
    ),
  },
  {
    name: "resume of a run that does not exist",
    ...run(
      ["resume", "--origin-run-id", "12345"],
      1,
      "Cannot resume: run 'TypedParameters/12345' does not exist in {root}.",
    ),
  },
  {
    name: "resume from a step the flow does not have",
    ...run(
      ["resume", "../../etc", "--origin-run-id", "{run}"],
      2,
      "Cannot resume from step '../../etc': flow 'TypedParameters' has no such step; its steps are start, end.",
    ),
  },
];

const NAME_CASES: Case[] = [
  {
    name: "a state machine name with a space",
    ...run(
      ["step-functions", "create", "--only-json", "--name", "bad name"],
      2,
      "Invalid state machine name for flow 'BranchFlow': 'bad name' (1 to 80 letters, digits, '-' or '_'). Choose another --name.",
      BRANCH,
    ),
  },
  {
    name: "a state machine name with a slash",
    ...run(
      ["step-functions", "create", "--only-json", "--name", "team/flow"],
      2,
      "Invalid state machine name for flow 'BranchFlow': 'team/flow' (1 to 80 letters, digits, '-' or '_'). Choose another --name.",
      BRANCH,
    ),
  },
  {
    name: "a state machine name of 81 characters",
    ...run(
      ["step-functions", "create", "--only-json", "--name", "f".repeat(81)],
      2,
      `Invalid state machine name for flow 'BranchFlow': '${"f".repeat(81)}' (1 to 80 letters, digits, '-' or '_'). Choose another --name.`,
      BRANCH,
    ),
  },
  {
    name: "a state machine name with an accent",
    ...run(
      ["step-functions", "create", "--only-json", "--name", "résumé"],
      2,
      "Invalid state machine name for flow 'BranchFlow': 'résumé' (1 to 80 letters, digits, '-' or '_'). Choose another --name.",
      BRANCH,
    ),
  },
  {
    name: "a state machine name AWS cannot take, before any AWS call",
    ...run(
      ["step-functions", "list-runs", "--name", "../x"],
      2,
      "Invalid state machine name for flow 'BranchFlow': '../x' (1 to 80 letters, digits, '-' or '_'). Choose another --name.",
      BRANCH,
    ),
    env: NO_AWS,
  },
];

const LONG = "x".repeat(20_481);
const TOO_LARGE = "Pass shorter values, or store large inputs in S3 and pass their location.";

/**
 * Parameters travel to Step Functions in the execution input (at most 20,480 characters) and on
 * into the start step's Batch container overrides. No artifact ever travels in a state payload
 * (the compiled state machine carries only ids, a foreach's indices and a caught error's name),
 * so the parameters are what can be too large.
 */
const AWS_LIMIT_CASES: Case[] = [
  {
    name: "simulate with a parameter over the 20,480-character input",
    ...run(
      ["step-functions", "simulate", "--owner", "me", "--note", LONG],
      2,
      `Execution input too large to trigger flow 'TypedParameters': '20530 characters, at most 20480'. ${TOO_LARGE}`,
    ),
  },
  {
    name: "simulate with parameters over the start step's container overrides",
    ...run(
      ["step-functions", "simulate", "--owner", "me", "--note", "x".repeat(8_000)],
      2,
      `Parameters too large for the start step of flow 'TypedParameters': '8032 characters of escaped JSON, at most 7804' (Batch container overrides hold 8,192 characters). ${TOO_LARGE}`,
    ),
  },
  {
    name: "trigger with a parameter over the 20,480-character input",
    ...run(
      ["step-functions", "trigger", "--owner", "me", "--note", LONG],
      2,
      `Execution input too large to trigger flow 'TypedParameters': '20530 characters, at most 20480'. ${TOO_LARGE}`,
    ),
  },
  {
    name: "create without any AWS configuration",
    ...run(
      ["step-functions", "create"],
      2,
      "Missing AWS settings for step-functions create: 'region, sfnRole, jobQueue, s3Root, batchJobRole'. Give them with 'flowship configure aws' (writes {dir}/absent.json) or in the environment (configure aws flag / variable): --region / FLOWSHIP_AWS_REGION, --sfn-role / FLOWSHIP_AWS_SFN_ROLE, --job-queue / FLOWSHIP_AWS_JOB_QUEUE, --s3-root / FLOWSHIP_AWS_S3_ROOT, --batch-job-role / FLOWSHIP_AWS_BATCH_JOB_ROLE.",
      BRANCH,
    ),
    env: NO_AWS,
  },
  {
    name: "run --with batch without any AWS configuration",
    ...run(
      ["run", "--with", "batch"],
      2,
      "Missing AWS settings for the Batch steps of flow 'BranchFlow': 'region, jobQueue, batchJobRole'. Give them with 'flowship configure aws' or in the environment (configure aws flag / variable): --region / FLOWSHIP_AWS_REGION (or AWS_REGION), --job-queue / FLOWSHIP_AWS_JOB_QUEUE (or queue=… in --with batch or batch()), --batch-job-role / FLOWSHIP_AWS_BATCH_JOB_ROLE (or iam_role=… in --with batch, iamRole in batch()).",
      BRANCH,
    ),
    env: { ...NO_AWS, ...S3_NOWHERE },
  },
  {
    name: "trigger without any AWS configuration",
    ...run(
      ["step-functions", "trigger", "--owner", "me"],
      2,
      "Missing AWS setting for step-functions trigger: 'region'. Give it with 'flowship configure aws' (writes {dir}/absent.json) or in the environment (configure aws flag / variable): --region / FLOWSHIP_AWS_REGION.",
    ),
    env: NO_AWS,
  },
];

const FILE_CASES: Case[] = [
  {
    name: "a flow file with a syntax error",
    source: `export default flow("Broken")\n  .step("start", () => { , { next: "end" })\n${E}`,
    args: ["check"],
    code: 1,
    message: "Cannot compile flow file '{file}': {relative}:3:25: Unexpected \",\".",
  },
  {
    name: "a flow file that throws at import",
    source: `throw new Error("no database here");`,
    args: ["check"],
    code: 1,
    message: "Flow file '{file}' threw while loading: no database here (at {relative}:2).",
  },
  {
    name: "an empty flow file name (the current folder)",
    flow: "",
    args: ["run"],
    code: 2,
    message: "Flow file '' is a folder: give the path of a .ts or .js file.",
  },
  {
    name: "a flow file that throws a string at import",
    source: `throw "no database here";`,
    args: ["check"],
    code: 1,
    message: "Flow file '{file}' threw while loading: no database here.",
  },
  {
    name: "a flow file that calls process.exit(0) at import",
    source: "process.exit(0);",
    args: ["run"],
    code: 1,
    message:
      "Flow file '{file}' called process.exit(0) while loading: nothing ran. A flow file defines the flow; remove the call.",
  },
  {
    name: "a flow file with no flow in it",
    source: "export const answer = 42;",
    args: ["check"],
    code: 2,
    message: `No flow in '{file}': define one with flow("Name") and export it (export default flow("Name")…).`,
  },
  {
    name: "a flow file with two flows and no default export",
    source: `export const a = flow("A")\n${S("start", '"end"')}\n${E}\nexport const b = flow("B")\n${S("start", '"end"')}\n${E}`,
    args: ["check"],
    code: 2,
    message: "'{file}' defines 2 flows (A, B); export the one to use as the default export.",
  },
  {
    name: "a flow file that does not exist",
    flow: "flows/missing.ts",
    args: ["check"],
    code: 2,
    message: "Flow file not found: 'flows/missing.ts'.",
  },
  {
    name: "a data file where the flow file goes",
    flow: "package.json",
    args: ["run"],
    code: 2,
    message:
      "Not a flow file: 'package.json'. Give a TypeScript or JavaScript file (.ts, .mts, .cts, .tsx, .js, .mjs, .cjs, .jsx).",
  },
];

const CATALOGUE: Record<string, Case[]> = {
  "AWS limits and configuration": AWS_LIMIT_CASES,
  "graph rules": GRAPH_RULES,
  parameters: PARAMETER_CASES,
  decorators: DECORATOR_CASES,
  "cron expressions": CRON_CASES,
  "pathspecs and run ids": PATHSPEC_CASES,
  "Step Functions names": NAME_CASES,
  "flow files": FILE_CASES,
};

before(async () => {
  const result = await runCli([PARAMETERS, "run", "--owner", "me"], { env });
  assert.equal(result.code, 0, result.stderr);
  runId = runIdFrom(result.stderr);
});

function prepare(c: Case, index: number): { file: string; args: string[]; expected: string } {
  let file = c.flow ?? "";
  let line = 0;
  if (c.source !== undefined) {
    const source = flowSource(
      c.source.startsWith("export") || c.source.startsWith("throw") ? c.source : `export default ${c.source}`,
    );
    file = path.join(dir, `case_${index}.ts`);
    fs.writeFileSync(file, source);
    line = source.split("\n").findIndex((l) => l.includes("// <-")) + 1;
  }
  const fill = (text: string) =>
    text
      .replaceAll("{file}", file)
      .replaceAll("{relative}", path.relative(process.cwd(), file))
      .replaceAll("{line}", String(line))
      .replaceAll("{run}", runId)
      .replaceAll("{root}", root)
      .replaceAll("{dir}", dir);
  return { file, args: c.args.map(fill), expected: `error: ${fill(c.message)}\n` };
}

describe("bad input catalogue", () => {
  let index = 0;
  for (const [group, cases] of Object.entries(CATALOGUE)) {
    describe(group, { concurrency: 3 }, () => {
      for (const c of cases) {
        const n = index++;
        test(c.name, async () => {
          // given
          const { file, args, expected } = prepare(c, n);
          // when
          const result = await runCli([file, ...args], { env: { ...env, ...c.env } });
          // then
          assert.equal(result.stderr, expected);
          assert.equal(result.code, c.code);
        });
      }
    });
  }

  test("holds at least 50 cases", () => {
    assert.ok(Object.values(CATALOGUE).flat().length >= 50);
    assert.ok(CRON_CASES.length >= 10);
  });

  test("Batch steps Fargate cannot run are named, each with where its size was given", async () => {
    // given: a gpu from --with, one from batch(), memory from resources(); the queue cannot be
    // read, so the compute setting (fargate) says what it is
    const file = path.join(dir, "fargate_sizes.ts");
    fs.writeFileSync(
      file,
      `import { batch, flow, resources } from "flowship";
export default flow("FargateSizes")
  .step("start", () => {}, { next: "train" })
  .step("train", () => {}, { next: "end", decorators: [batch({ gpu: 2 })] })
  .step("end", () => {}, { decorators: [resources({ memory: 200000 })] });
`,
    );
    // when
    const result = await runCli([file, "run", "--with", "batch:gpu=1"], {
      env: {
        ...env,
        ...NO_AWS,
        ...S3_NOWHERE,
        FLOWSHIP_AWS_REGION: "eu-west-1",
        FLOWSHIP_AWS_JOB_QUEUE: "small",
        FLOWSHIP_AWS_BATCH_JOB_ROLE: "arn:aws:iam::123456789012:role/job",
        FLOWSHIP_AWS_COMPUTE: "fargate",
      },
    });
    // then
    assert.equal(result.code, 2, result.stderr);
    assert.equal(
      result.stderr.split("\n").at(-2),
      "error: Fargate cannot run the Batch steps of flow 'FargateSizes' as asked: steps 'start', 'end' ask gpu: 1 (from --with batch:gpu=1) on queue 'small'; step 'train' asks gpu: 2 (from batch({ gpu: 2 })) on queue 'small'; step 'end' asks memory: 200000 (from resources({ memory: 200000 })) on queue 'small' (Fargate has no GPUs; Fargate runs at most 122880 MiB (120 GiB)). Lower or drop these sizes where they are given, or send the steps to a job queue on EC2 (queue=… in --with batch or batch(), or --job-queue / FLOWSHIP_AWS_JOB_QUEUE).",
    );
  });

  test("--debug adds the stack trace; without it there is none", async () => {
    const { file, args } = prepare(
      DECORATOR_CASES.find((c) => c.name === "retry({ times: -1 }) in code")!,
      1000,
    );
    const plain = await runCli([file, ...args], { env });
    const debug = await runCli([file, "--debug", ...args], { env });
    assert.equal(plain.stderr.split("\n").length, 2, "one line");
    assert.doesNotMatch(plain.stderr, /\n\s+at /);
    assert.equal(debug.code, plain.code);
    assert.ok(debug.stderr.startsWith(plain.stderr), "the same line first");
    assert.match(debug.stderr, /\n {4}at /, "then the stack");
    assert.match(debug.stderr, /Caused by: FlowDefinitionError: Invalid retry decorator/);
  });
});
