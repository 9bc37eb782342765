// A foreach inside a foreach, with a static split inside the inner one.
import { flow } from "flowship";

export default flow("NestedForeachFlow")
  .step(
    "start",
    (self) => {
      self.models = ["linear", "tree"];
    },
    { foreach: "models", next: "per_model" },
  )
  .step(
    "per_model",
    (self) => {
      self.model = self.input;
      self.seeds = [1, 2, 3];
    },
    { foreach: "seeds", next: "train" },
  )
  .step(
    "train",
    (self) => {
      self.seed = self.input;
    },
    { next: ["score_a", "score_b"] },
  )
  .step(
    "score_a",
    (self) => {
      self.score = self.seed * 10;
    },
    { next: "combine" },
  )
  .step(
    "score_b",
    (self) => {
      self.score = self.seed;
    },
    { next: "combine" },
  )
  .step(
    "combine",
    (self, inputs) => {
      self.model = inputs.score_a.model;
      self.score = inputs.score_a.score + inputs.score_b.score;
    },
    { join: true, next: "per_model_join" },
  )
  .step(
    "per_model_join",
    (self, inputs) => {
      self.model = inputs[0]!.model;
      self.scores = inputs.map((i) => i.score);
    },
    { join: true, next: "join" },
  )
  .step(
    "join",
    (self, inputs) => {
      self.summary = Object.fromEntries(inputs.map((i) => [i.model, i.scores]));
    },
    { join: true, next: "end" },
  )
  .step("end", (self) => {
    console.log(JSON.stringify(self.summary));
  })
  .run();
