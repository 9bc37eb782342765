// A static split: two branches run in parallel, and a join combines what they computed.
import { flow, mergeArtifacts } from "flowship";

interface Artifacts {
  base: number;
  doubled: number;
  squared: number;
  total: number;
}

export default flow<Artifacts>("BranchFlow")
  .step(
    "start",
    (self) => {
      self.base = 7;
    },
    { next: ["double", "square"] },
  )
  .step(
    "double",
    (self) => {
      self.doubled = self.base * 2;
    },
    { next: "join" },
  )
  .step(
    "square",
    (self) => {
      self.squared = self.base ** 2;
    },
    { next: "join" },
  )
  .step(
    "join",
    (self, inputs) => {
      // Branches are reachable by name; `base` is equal on both sides, so it merges.
      self.total = inputs.double.doubled + inputs.square.squared;
      mergeArtifacts(self, inputs, { exclude: ["doubled", "squared"] });
    },
    { join: true, next: "end" },
  )
  .step("end", (self) => {
    console.log(`base ${self.base}: doubled + squared = ${self.total}`);
  })
  .run();
