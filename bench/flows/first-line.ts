// Benchmark flow: a start step that prints one line, then end (benchmark 10 times `run` to that line).
import { flow } from "flowship";

export default flow("FirstLineBench")
  .step(
    "start",
    () => {
      console.log("bench: first line");
    },
    { next: "end" },
  )
  .step("end", () => {})
  .run();
