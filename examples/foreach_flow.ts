// A foreach: one task per item, in parallel, then a join that sees every result in order.
import { flow } from "flowship";

export default flow("ForeachFlow")
  .parameter("count", { help: "how many items to fan out over", type: "integer", default: 5 })
  .step(
    "start",
    (self) => {
      self.items = Array.from({ length: self.count }, (_, i) => i + 1);
    },
    { foreach: "items", next: "square" },
  )
  .step(
    "square",
    (self) => {
      self.result = self.input * self.input;
      console.log(`item ${self.index}: ${self.input}² = ${self.result}`);
    },
    { next: "join" },
  )
  .step(
    "join",
    (self, inputs) => {
      self.results = inputs.map((input) => input.result);
    },
    { join: true, next: "end" },
  )
  .step("end", (self) => {
    console.log(`results: ${self.results.join(", ")}`);
  })
  .run();
