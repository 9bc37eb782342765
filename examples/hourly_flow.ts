// The seed's scheduled flow: runs every hour once deployed to AWS Step Functions.
// Locally the schedule is inert: `npx flowship examples/hourly_flow.ts run` runs it once.
import { flow, schedule } from "flowship";

export default flow("HourlyFlow")
  .decorator(schedule({ hourly: true }))
  .step("start", () => {}, { next: "end" })
  .step("end", () => {
    console.log("Scheduled successfully");
  })
  .run();
