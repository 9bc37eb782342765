// Compile-time checks of parameter defaults, run by `tsc --noEmit` in `npm test`: a default
// function's context is typed without an annotation (docs/authoring.md writes
// `default: ({ user }) => …`, which must pass a strict type-check), and the value's type follows
// what the function returns.
import { current, flow, type ParameterContext } from "flowship";

export const typedDefaults = flow("TypedDefaults")
  .parameter("owner", { default: ({ user }) => `run-by-${user}` })
  .parameter("label", { default: async (context) => `${context.flowName}.${context.parameterName}` })
  .parameter("branch", { default: () => current.project?.branch ?? "none" })
  .parameter("width", { default: ({ user }) => user.length })
  .step(
    "start",
    (self) => {
      const owner: string = self.owner;
      const label: string = self.label;
      const width: number = self.width;
      // @ts-expect-error: width is a number
      const wrong: string = self.width;
      void [owner, label, width, wrong, self.branch];
    },
    { next: "end" },
  )
  .step("end", () => {});

export function contextFields(context: ParameterContext): string {
  // @ts-expect-error: a default's context has no run id; the run does not exist yet
  return context.runId;
}
