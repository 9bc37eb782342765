// The seed's ParameterFlow: one parameter, read in every step.
//   npx tsx examples/parameter_flow.ts run --alpha 0.5
//   npx flowship examples/parameter_flow.ts run --alpha 0.5
import { flow } from "flowship";

export default flow("ParameterFlow")
  .parameter("alpha", { help: "learning rate", default: 0.1 })
  .step(
    "start",
    (self) => {
      console.log(`alpha is ${self.alpha}`);
    },
    { next: "end" },
  )
  .step("end", (self) => {
    console.log(`alpha still is ${self.alpha}`);
  })
  .run();
