// Every graph rule: a flow that breaks it, checked by the real CLI before anything runs, and the
// exact one-line message naming the rule, the step and the file:line of the step.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { flowshipEnv, runCli, tempDir } from "../helpers/cli.js";
import { flowSource } from "../helpers/datastore.js";
import { type GraphCase, S, testGraphCases, writeGraphCase } from "../helpers/graph-cases.js";

const dir = tempDir();
const env = flowshipEnv(path.join(dir, ".flowship"));

const CASES: GraphCase[] = [
  {
    name: "no start step",
    body: `flow("NoStart") // <-\n  .step("begin", () => {}, { next: "end" })\n  .step("end", () => {});`,
    message: "Flow 'NoStart' has no 'start' step; every flow begins at 'start' and finishes at 'end'",
  },
  {
    name: "no end step",
    body: `flow("NoEnd") // <-\n  .step("start", () => {}, { next: "finish" })\n  .step("finish", () => {});`,
    message: "Flow 'NoEnd' has no 'end' step; every flow begins at 'start' and finishes at 'end'",
  },
  {
    name: "next names no step",
    body: `flow("Unknown")\n${S("start", '"nowhere"')} // <-\n  .step("end", () => {});`,
    message:
      "Step 'start' goes to 'nowhere', which is not a step; known steps: 'start', 'end' (flow 'Unknown')",
  },
  {
    name: "unreachable step",
    body: `flow("Orphan")\n${S("start", '"end"')}\n${S("orphan", '"end"')} // <-\n  .step("end", () => {});`,
    message:
      "Step 'orphan' is unreachable from 'start'; lead to it from another step or remove it (flow 'Orphan')",
  },
  {
    name: "cycle",
    body: `flow("Loop")\n${S("start", '"a"')}\n${S("a", '"b"')} // <-\n${S("b", '["a", "end"]')}\n  .step("end", () => {});`,
    message:
      "There is a loop in the flow: a -> b -> a; only a switch (condition and next: { … }) may lead back to an earlier step, with a case that leaves the loop (flow 'Loop')",
  },
  {
    name: "split without a join before end",
    body: `flow("Unjoined")\n${S("start", '["a", "b"]')}\n${S("a", '"end"')}\n${S("b", '"end"')}\n  .step("end", () => {}); // <-`,
    message:
      "Step 'end' is reached from a, b but is not a join; add join: true and take (self, inputs) (flow 'Unjoined')",
  },
  {
    name: "foreach without a join before end",
    body: `flow("UnjoinedForeach")\n  .step("start", (s) => { s.xs = [1]; }, { foreach: "xs", next: "body" })\n${S("body", '"end"')}\n  .step("end", () => {}); // <-`,
    message:
      "The 'end' step is reached before the split(s) 'start' were joined; add a join step before 'end' (flow 'UnjoinedForeach')",
  },
  {
    name: "join fed by branches of different splits",
    body: [
      `flow("CrossJoin")`,
      S("start", '["a", "b"]'),
      S("a", '["a1", "a2"]'),
      S("a1", '"j"'),
      S("a2", '"ja"'),
      S("b", '"ja"'),
      `  .step("ja", () => {}, { join: true, next: "j" }) // <-`,
      `  .step("j", () => {}, { join: true, next: "end" })`,
      `  .step("end", () => {});`,
    ].join("\n"),
    message:
      "Join 'ja' joins steps from different splits (a2, b); join each split on its own first (flow 'CrossJoin')",
  },
  {
    name: "join missing a branch",
    body: [
      `flow("Mismatch")`,
      S("start", '["a", "b", "c"]'),
      S("a", '"j"'),
      S("b", '"j"'),
      S("c", '"d"'),
      `  .step("j", () => {}, { join: true, next: "d" }) // <-`,
      `  .step("d", () => {}, { join: true, next: "end" })`,
      `  .step("end", () => {});`,
    ].join("\n"),
    message:
      "Join 'j' is fed by a, b but split 'start' opened the branches a, b, c; every branch of a split must reach its join (flow 'Mismatch')",
  },
  {
    name: "join without a split",
    body: `flow("LonelyJoin")\n${S("start", '"j"')}\n  .step("j", () => {}, { join: true, next: "end" }) // <-\n  .step("end", () => {});`,
    message:
      "Step 'j' is a join but no split or foreach comes before it; remove join: true or add the split (flow 'LonelyJoin')",
  },
  {
    name: "a step that is both join and split",
    body: `flow("JoinSplit")\n${S("start", '["a", "b"]')}\n${S("a", '"j"')}\n${S("b", '"j"')}\n  .step("j", () => {}, { join: true, next: ["c", "d"] }) // <-\n${S("c", '"end"')}\n${S("d", '"end"')}\n  .step("end", () => {});`,
    message:
      "Step 'j' is both a join and a split; add a step between them so each does one thing (flow 'JoinSplit')",
  },
  {
    name: "end with a next",
    body: `flow("EndNext")\n${S("start", '"end"')}\n  .step("end", () => {}, { next: "start" }); // <-`,
    message: "The 'end' step must not have a next step, but it goes to 'start' (flow 'EndNext')",
  },
  {
    name: "a step without a next",
    body: `flow("Dangling")\n${S("start", '"middle"')}\n  .step("middle", () => {}) // <-\n  .step("end", () => {});`,
    message: `Step 'middle' has no next step; add { next: "…" } (only 'end' may finish the flow) (flow 'Dangling')`,
  },
  {
    name: "duplicate step",
    body: `flow("Twice")\n${S("start", '"end"')}\n${S("start", '"end"')} // <-\n  .step("end", () => {});`,
    message: "Step 'start' is defined twice (flow 'Twice')",
  },
  {
    name: "invalid step name",
    body: `flow("BadStep")\n${S("start", '"Bad-Name"')}\n${S("Bad-Name", '"end"')} // <-\n  .step("end", () => {});`,
    message:
      "Invalid step name 'Bad-Name': use a lowercase letter then lowercase letters, digits or underscores, at most 64 characters (flow 'BadStep')",
  },
  {
    name: "reserved step name",
    body: `flow("Reserved")\n${S("start", '"input"')}\n${S("input", '"end"')} // <-\n  .step("end", () => {});`,
    message: "Step name 'input' is reserved; choose another name (flow 'Reserved')",
  },
  {
    name: "invalid flow name",
    body: `flow("bad flow") // <-\n${S("start", '"end"')}\n  .step("end", () => {});`,
    message:
      "Invalid flow name 'bad flow': use a letter then letters, digits or underscores, at most 64 characters",
  },
  {
    name: "duplicate parameter",
    body: `flow("DupParam")\n  .parameter("alpha", { default: 1 })\n  .parameter("alpha", { default: 2 }) // <-\n${S("start", '"end"')}\n  .step("end", () => {});`,
    message: "Parameter 'alpha' is defined twice (flow 'DupParam')",
  },
  {
    name: "parameters differing only in case",
    body: `flow("CaseParam")\n  .parameter("alpha", { default: 1 })\n  .parameter("Alpha", { default: 2 }) // <-\n${S("start", '"end"')}\n  .step("end", () => {});`,
    message: "Parameters 'alpha' and 'Alpha' differ only in case; rename one (flow 'CaseParam')",
  },
  {
    name: "a separator on a number parameter",
    body: `flow("SepParam")\n  .parameter("sizes", { type: "integer", separator: "," }) // <-\n${S("start", '"end"')}\n  .step("end", () => {});`,
    message:
      'Parameter \'sizes\' has a separator, which needs type "string" and a non-empty separator (it is type "integer", separator ",") (flow \'SepParam\')',
  },
  {
    name: "parameter named like a run option",
    body: `flow("ReservedParam")\n  .parameter("tag", { default: "x" }) // <-\n${S("start", '"end"')}\n  .step("end", () => {});`,
    message:
      "Parameter name 'tag' is reserved (it is an option or a property of every step); choose another name (flow 'ReservedParam')",
  },
  {
    name: "parameter named like a run option in camelCase (it would take --max-workers' value)",
    body: `flow("CamelParam")\n  .parameter("maxWorkers", { default: 2 }) // <-\n${S("start", '"end"')}\n  .step("end", () => {});`,
    message:
      "Parameter name 'maxWorkers' is reserved (it is an option or a property of every step); choose another name (flow 'CamelParam')",
  },
  {
    name: "parameter named like a run option that would leave it without a flag",
    body: `flow("IsolationParam")\n  .parameter("isolation", { required: true }) // <-\n${S("start", '"end"')}\n  .step("end", () => {});`,
    message:
      "Parameter name 'isolation' is reserved (it is an option or a property of every step); choose another name (flow 'IsolationParam')",
  },
  {
    name: "invalid parameter name",
    body: `flow("BadParam")\n  .parameter("learning-rate", { default: 1 }) // <-\n${S("start", '"end"')}\n  .step("end", () => {});`,
    message:
      "Invalid parameter name 'learning-rate': use a letter then letters, digits or underscores (flow 'BadParam')",
  },
  {
    name: "foreach followed directly by its join (Metaflow crashes here)",
    body: `flow("EmptyForeach")\n  .step("start", (s) => { s.xs = [1]; }, { foreach: "xs", next: "j" }) // <-\n  .step("j", () => {}, { join: true, next: "end" })\n  .step("end", () => {});`,
    message:
      "Step 'start' is a foreach that goes straight to the join 'j'; put at least one step in each branch (flow 'EmptyForeach')",
  },
  {
    name: "foreach with two next steps",
    body: `flow("WideForeach")\n  .step("start", () => {}, { foreach: "xs", next: ["a", "b"] }) // <-\n${S("a", '"j"')}\n${S("b", '"j"')}\n  .step("j", () => {}, { join: true, next: "end" })\n  .step("end", () => {});`,
    message:
      "Step 'start' fans out over 'xs' to 2 steps; a foreach has exactly one next step (flow 'WideForeach')",
  },
  {
    name: "a transition back into start",
    body: `flow("BackToStart")\n${S("start", '"a"')}\n${S("a", '["start", "end"]')} // <-\n  .step("end", () => {});`,
    message: "Step 'a' goes back to 'start'; nothing may lead into 'start' (flow 'BackToStart')",
  },
  {
    name: "catchError on a foreach",
    body: `flow("CatchForeach")\n  .step("start", (s) => { s.xs = [1]; }, { foreach: "xs", next: "b", decorators: [catchError()] }) // <-\n${S("b", '"j"')}\n  .step("j", () => {}, { join: true, next: "end" })\n  .step("end", () => {});`,
    message:
      "Step 'start' is a foreach and has catchError: a failed foreach has no items to fan out over; catch errors in the steps it fans out to (flow 'CatchForeach')",
  },
  {
    name: "the same decorator twice",
    body: `flow("TwoRetries")\n  .step("start", () => {}, { next: "end", decorators: [retry(), retry({ times: 1 })] }) // <-\n  .step("end", () => {});`,
    message: "Step 'start' has the 'retry' decorator more than once (flow 'TwoRetries')",
  },
];

describe("graph validation, through `check`", () => {
  testGraphCases(CASES, dir, env);

  test("`run` refuses an invalid flow before any task runs", async () => {
    const { file } = writeGraphCase(dir, CASES[2]!, 100);
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 1);
    assert.equal(fs.existsSync(path.join(dir, ".flowship", "Unknown")), false, "nothing was stored");
  });

  test("several broken rules are reported together, one line each", async () => {
    const source = flowSource(
      `export default flow("Many")\n${S("start", '"nowhere"')}\n${S("start", '"end"')}\n  .step("end", () => {});`,
    );
    const file = path.join(dir, "many.ts");
    fs.writeFileSync(file, source);
    const result = await runCli([file, "check"], { env });
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines[0], "error: Flow 'Many' breaks 2 rules:");
    assert.equal(lines.length, 3);
  });

  test("a valid flow passes `check`", async () => {
    const result = await runCli(["examples/nested_foreach_flow.ts", "check"], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "Flow 'NestedForeachFlow' is valid: 9 steps, 0 parameters.\n");
  });
});
