// Every graph rule of switches and loops: a flow that breaks it, checked by the real CLI's
// `check`, and the exact one-line message with the file:line of the step that breaks it.

import path from "node:path";
import { describe } from "node:test";
import { flowshipEnv, tempDir } from "../helpers/cli.js";
import { type GraphCase, S, testGraphCases } from "../helpers/graph-cases.js";

const dir = tempDir();
const env = flowshipEnv(path.join(dir, ".flowship"));
const E = `  .step("end", () => {});`;
/** A switch step on `route` with these cases (a JS object literal). */
const W = (name: string, cases: string, extra = "") =>
  `  .step("${name}", () => {}, { condition: "route", next: ${cases}${extra} })`;

const CASES: GraphCase[] = [
  {
    name: "a condition without a map of cases",
    body: `flow("NoCases")\n  .step("start", () => {}, { condition: "route", next: "end" }) // <-\n${E}`,
    message:
      "Step 'start' has condition 'route' but its next is not a map of cases; write next: { \"<value>\": \"<step>\", … } (flow 'NoCases')",
  },
  {
    name: "a map of cases without a condition",
    body: `flow("NoCondition")\n  .step("start", () => {}, { next: { a: "a", b: "end" } }) // <-\n${S("a", '"end"')}\n${E}`,
    message:
      "Step 'start' maps values to next steps but names no condition; add condition: \"<artifact>\" to say which artifact picks the case (flow 'NoCondition')",
  },
  {
    name: "a switch with one case",
    body: `flow("OneCase")\n${W("start", '{ a: "end" }')} // <-\n${E}`,
    message:
      "Step 'start' is a switch with 1 case; a switch needs at least two (use next: \"<step>\" for one way on) (flow 'OneCase')",
  },
  {
    name: "a condition that is not an artifact name",
    body: `flow("BadCondition")\n  .step("start", () => {}, { condition: "my route", next: { a: "a", b: "end" } }) // <-\n${S("a", '"end"')}\n${E}`,
    message: "Step 'start' has condition 'my route', which is not an artifact name (flow 'BadCondition')",
  },
  {
    name: "a case naming no step",
    body: `flow("UnknownCase")\n${W("start", '{ a: "nowhere", b: "end" }')} // <-\n${E}`,
    message:
      "Step 'start' goes to 'nowhere', which is not a step; known steps: 'start', 'end' (flow 'UnknownCase')",
  },
  {
    name: "a switch that is also a foreach",
    body: `flow("SwitchForeach")\n${W("start", '{ a: "a", b: "end" }', ', foreach: "xs"')} // <-\n${S("a", '"end"')}\n${E}`,
    message:
      "Step 'start' is a switch and a foreach; add a step between them so each does one thing (flow 'SwitchForeach')",
  },
  {
    name: "a switch that is also a join",
    body: `flow("SwitchJoin")\n${S("start", '["a", "b"]')}\n${S("a", '"j"')}\n${S("b", '"j"')}\n${W("j", '{ x: "c", y: "end" }', ", join: true")} // <-\n${S("c", '"end"')}\n${E}`,
    message:
      "Step 'j' is a switch and a join; add a step between them so each does one thing (flow 'SwitchJoin')",
  },
  {
    name: "catchError on a switch",
    body: `flow("CatchSwitch")\n${W("start", '{ a: "a", b: "end" }', ", decorators: [catchError()]")} // <-\n${S("a", '"end"')}\n${E}`,
    message:
      "Step 'start' is a switch and has catchError: a failed switch step has no case to go to; catch errors in the steps its cases lead to (flow 'CatchSwitch')",
  },
  {
    name: "a case leading straight into a join (Metaflow's rule)",
    body: `flow("SwitchToJoin")\n${S("start", '["a", "b"]')}\n${W("a", '{ x: "c", y: "j" }')} // <-\n${S("b", '"j"')}\n${S("c", '"j"')}\n  .step("j", () => {}, { join: true, next: "end" })\n${E}`,
    message:
      "Switch 'a' leads straight into the join 'j'; put a step between them on that case (a join waits for every branch, and a case not taken never arrives) (flow 'SwitchToJoin')",
  },
  {
    name: "a loop no case leaves",
    body: `flow("Endless")\n${S("start", '"a"')}\n${W("a", '{ again: "a", other: "b" }')} // <-\n${S("b", '"a"')}\n${E}`,
    message:
      "The loop a -> a never ends: no case of a switch in it leads out of it; give one a case that leaves the loop (flow 'Endless')",
  },
  {
    name: "a loop entered at two steps",
    body: `flow("TwoEntries")\n${W("start", '{ x: "a", y: "b" }')}\n${S("a", '"b"')} // <-\n${W("b", '{ again: "a", done: "end" }')}\n${E}`,
    message:
      "The loop a -> b -> a is entered at 'a', 'b'; enter a loop at one step, where each of its iterations begins (flow 'TwoEntries')",
  },
  {
    name: "a loop that goes back from inside a foreach to before it",
    body: `flow("LeavesForeach")\n${S("start", '"a"')}\n  .step("a", (s) => { s.xs = [1]; }, { foreach: "xs", next: "b" })\n${W("b", '{ again: "a", done: "c" }')} // <-\n${S("c", '"j"')}\n  .step("j", () => {}, { join: true, next: "end" })\n${E}`,
    message:
      "Step 'b' goes back to 'a' from inside 'a', a split or foreach the loop began outside of; join it first, then go back (flow 'LeavesForeach')",
  },
  {
    name: "branches of a split meeting without a join, next to a switch",
    body: `flow("NoJoin")\n${S("start", '["a", "b"]')}\n${W("a", '{ x: "c", y: "d" }')}\n${S("b", '"d"')}\n${S("c", '"d"')}\n${S("d", '"end"')} // <-\n${E}`,
    message:
      "Step 'd' is reached from a, b, c but is not a join; add join: true and take (self, inputs) (flow 'NoJoin')",
  },
];

describe("switch and loop rules, through `check`", () => {
  testGraphCases(CASES, dir, env);
});
