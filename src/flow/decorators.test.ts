import assert from "node:assert/strict";
import { test } from "node:test";
import { isFlowshipError } from "../errors.js";
import {
  batch,
  card,
  catchError,
  environment,
  parseDecoratorSpec,
  project,
  resources,
  retry,
  schedule,
  timeout,
} from "./decorators.js";
import { flow } from "./flow-builder.js";

test("--with batch takes Metaflow's option names, snake_case too", () => {
  // when
  const parsed = parseDecoratorSpec(
    "batch:cpu=4,memory=16384,image=my/image:1,queue=big,iam_role=arn:aws:iam::1:role/job",
  );
  // then
  assert.deepEqual(parsed, {
    kind: "batch",
    options: { cpu: 4, memory: 16384, image: "my/image:1", queue: "big", iamRole: "arn:aws:iam::1:role/job" },
  });
  assert.deepEqual(parseDecoratorSpec("batch"), { kind: "batch", options: {} });
});

test("batch() refuses what Batch would: a bad size, an empty queue, an unknown option", () => {
  for (const bad of [() => batch({ memory: 0 }), () => batch({ queue: " " }), () => batch({ gpu: 1.5 })]) {
    assert.throws(bad, (error) => isFlowshipError(error) && error.code === "FS_FLOW_BAD_DECORATOR");
  }
  assert.throws(
    () => parseDecoratorSpec("batch:bogus=1"),
    (error) =>
      isFlowshipError(error) && error.code === "FS_FLOW_BAD_WITH" && /Unknown option/.test(error.message),
  );
});

test("Metaflow's @batch options not supported yet are refused by name, not as unknown", () => {
  for (const spec of ["batch:shared_memory=1024", "batch:maxSwap=0", "batch:aws_batch_tags=x"]) {
    assert.throws(
      () => parseDecoratorSpec(spec),
      (error) =>
        isFlowshipError(error) &&
        error.code === "FS_FLOW_BAD_WITH" &&
        /does not support yet/.test(error.message),
    );
  }
  assert.throws(
    () => batch({ cpu: 2, shared_memory: 1024 } as never),
    (error) =>
      isFlowshipError(error) &&
      error.message ===
        "Option 'shared_memory' of batch() is one of Metaflow's @batch options flowship does not support yet: remove it (the job then gets Batch's default for it).",
  );
});

test("card() takes a title; --with card and card:title=… give every step a default card", () => {
  assert.deepEqual(parseDecoratorSpec("card"), { kind: "card", options: {} });
  assert.deepEqual(parseDecoratorSpec("card:title=Report"), { kind: "card", options: { title: "Report" } });
  assert.throws(
    () => card({ title: " " }),
    (error) => isFlowshipError(error) && error.code === "FS_FLOW_BAD_DECORATOR",
  );
  assert.throws(
    () => parseDecoratorSpec("card:type=blank"),
    (error) => isFlowshipError(error) && error.code === "FS_FLOW_BAD_WITH",
  );
  // in code as on the command line: a misspelt or Metaflow-only option is refused, not ignored
  const refused = (options: unknown, message: string) =>
    assert.throws(
      () => card(options as never),
      (error) =>
        isFlowshipError(error) && error.code === "FS_FLOW_BAD_DECORATOR" && error.message === message,
    );
  refused({ tilte: "x" }, "Invalid card decorator: unknown option 'tilte'; card takes title.");
  refused(
    { id: "metrics" },
    "Invalid card decorator: unknown option 'id'; card takes title (a card of another id needs no decorator: current.card.get(id)).",
  );
  refused(
    "Report",
    'Invalid card decorator: card() takes options such as { title: "Report" }, got "Report".',
  );
});

test("a decorator function given without its call, or anything else that is not a decorator, is refused where it is declared", () => {
  const refused = (declare: () => unknown, message: string) =>
    assert.throws(declare, (error) => {
      assert.ok(isFlowshipError(error));
      assert.equal(error.code, "FS_FLOW_BAD_DECORATOR");
      assert.equal(error.message, message);
      return true;
    });
  refused(
    () => flow("F").step("start", () => {}, { next: "end", decorators: [card as never] }),
    "Invalid decorator on step 'start': card is a function: write card() (with its options, if any).",
  );
  refused(
    () =>
      flow("F").step("start", () => {}, { next: "end", decorators: [schedule({ daily: true }) as never] }),
    `Invalid decorator on step 'start': {"kind":"schedule","options":{"daily":true}} is not a step decorator; use retry(), catchError(), timeout(), resources(), environment(), batch() or card().`,
  );
  refused(
    () => flow("F").decorator(project as never),
    "Invalid decorator of flow 'F': project is a function: write project() (with its options, if any).",
  );
});

test("--with environment keeps each value as written: FOO=1 and DEBUG=true are text, as variables are", () => {
  assert.deepEqual(parseDecoratorSpec("environment:FOO=1,DEBUG=true,NAME=x"), {
    kind: "environment",
    options: { vars: { FOO: "1", DEBUG: "true", NAME: "x" } },
  });
});

test("--with keeps a value's own '=' signs: the pair splits at the first", () => {
  assert.deepEqual(parseDecoratorSpec("environment:OPTS=--level=3,TOKEN=YWJj=="), {
    kind: "environment",
    options: { vars: { OPTS: "--level=3", TOKEN: "YWJj==" } },
  });
});

test("--with gives an option once: twice (or in both spellings) is refused, not a guess at which wins", () => {
  for (const spec of ["batch:cpu=1,memory=2048,cpu=8", "batch:iam_role=arn:aws:iam::1:role/a,iamRole=b"]) {
    assert.throws(
      () => parseDecoratorSpec(spec),
      (error) =>
        isFlowshipError(error) &&
        error.code === "FS_FLOW_BAD_WITH" &&
        /twice; give it once/.test(error.message),
    );
  }
});

test("schedule() from plain JavaScript: no options, or a cron or time zone that is not a string, is a decorator error", () => {
  const refused = (options: unknown, message: string) =>
    assert.throws(
      () => schedule(options as never),
      (error: unknown) =>
        isFlowshipError(error) && error.code === "FS_FLOW_BAD_DECORATOR" && error.message === message,
    );
  refused(
    undefined,
    `Invalid schedule decorator: give an object such as { daily: true } or { cron: "0 10 * * ? *" }, got undefined.`,
  );
  refused({ cron: 5 }, "Invalid schedule decorator: 'cron' must be a string, got 5.");
  refused({ daily: true, timezone: 1 }, "Invalid schedule decorator: 'timezone' must be a string, got 1.");
});

test("a timeout or a pause between retries longer than a timer holds is refused, not turned into 1 ms", () => {
  const refused = (make: () => unknown, message: string) =>
    assert.throws(make, (error: unknown) => isFlowshipError(error) && error.message === message);
  refused(
    () => timeout({ hours: 1e20 }),
    "Invalid timeout decorator: the duration must be at most 365 days (31536000 s), got 3.6e+23 s.",
  );
  refused(
    () => retry({ minutesBetweenRetries: 1e20 }),
    "Invalid retry decorator: 'minutesBetweenRetries' must be a number from 0 to 525600, got 100000000000000000000.",
  );
  assert.deepEqual(timeout({ hours: 24 * 24 }), { kind: "timeout", options: { seconds: 2_073_600 } });
});

test("decorators refuse an option they do not take, naming the one meant", () => {
  const refused = (make: () => unknown, message: string) =>
    assert.throws(
      make,
      (error) =>
        isFlowshipError(error) && error.code === "FS_FLOW_BAD_DECORATOR" && error.message === message,
    );
  refused(
    () => retry({ time: 5 } as never),
    "Invalid retry decorator: unknown option 'time' (did you mean 'times'?); retry takes times, minutesBetweenRetries.",
  );
  // Metaflow's spelling, in code
  refused(
    () => retry({ minutes_between_retries: 2 } as never),
    "Invalid retry decorator: unknown option 'minutes_between_retries' (did you mean 'minutesBetweenRetries'?); retry takes times, minutesBetweenRetries.",
  );
  refused(
    () => catchError({ variable: "e" } as never),
    "Invalid catchError decorator: unknown option 'variable'; catchError takes var, printException.",
  );
  refused(
    () => timeout({ second: 5 } as never),
    "Invalid timeout decorator: unknown option 'second' (did you mean 'seconds'?); timeout takes seconds, minutes, hours.",
  );
  refused(
    () => timeout(30 as never),
    "Invalid timeout decorator: give an object of options (seconds, minutes, hours), got 30.",
  );
  refused(
    () => resources({ memroy: 8192 } as never),
    "Invalid resources decorator: unknown option 'memroy' (did you mean 'memory'?); resources takes cpu, memory, gpu.",
  );
  refused(
    () => environment({ vars: {}, env: {} } as never),
    "Invalid environment decorator: unknown option 'env'; environment takes vars.",
  );
  // flow decorators: a misspelt time zone would have scheduled the flow in UTC
  refused(
    () => schedule({ daily: true, timezon: "Europe/Paris" } as never),
    "Invalid schedule decorator: unknown option 'timezon' (did you mean 'timezone'?); schedule takes hourly, daily, weekly, cron, timezone.",
  );
  refused(
    () => project({ name: "fraud", nam: "x" } as never),
    "Invalid project decorator: unknown option 'nam' (did you mean 'name'?); project takes name.",
  );
  assert.deepEqual(retry({ times: 1 }).options, { times: 1, minutesBetweenRetries: 0 });
});
