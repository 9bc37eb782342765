// Benchmark flow: start → foreach over N items with an empty body → join → end.
import { flow } from "flowship";

export default flow("FanoutBench")
  .parameter("width", { type: "integer", default: 100 })
  .step(
    "start",
    (self) => {
      self.items = Array.from({ length: self.width }, (_, i) => i);
    },
    { foreach: "items", next: "body" },
  )
  .step("body", () => {}, { next: "join" })
  .step("join", () => {}, { join: true, next: "end" })
  .step("end", () => {})
  .run();
