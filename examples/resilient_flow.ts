// retry, catchError and timeout: a flaky step that succeeds on its third attempt, a step
// whose failure is caught and stored, and a step with a time limit.
import { catchError, current, flow, retry, timeout } from "flowship";

export default flow("ResilientFlow")
  .step(
    "start",
    () => {
      if ((current.retryCount ?? 0) < 2) throw new Error(`flaky failure on attempt ${current.retryCount}`);
      console.log(`succeeded on attempt ${current.retryCount}`);
    },
    { next: "risky", decorators: [retry({ times: 3 })] },
  )
  .step(
    "risky",
    (self) => {
      self.partial = "computed before the failure";
      throw new Error("the external service is down");
    },
    { next: "bounded", decorators: [retry({ times: 0 }), catchError({ var: "riskyError" })] },
  )
  .step(
    "bounded",
    async (self) => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      self.bounded = "finished within its time limit";
    },
    { next: "end", decorators: [timeout({ seconds: 30 })] },
  )
  .step("end", (self) => {
    console.log(`risky failed with: ${self.riskyError.message}; ${self.bounded}`);
  })
  .run();
