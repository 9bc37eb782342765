/** `run --scheduled-time` reads a time without a zone as `step-functions backfill --start` does. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FlowSpec } from "../../flow/types.js";
import { scheduledTimeOption } from "./run.js";

const flowWith = (decorators: unknown[]) => ({ name: "Nightly", decorators }) as unknown as FlowSpec;

test("--scheduled-time without a zone: the flow's schedule time zone, else UTC; with one, as written", async () => {
  const berlin = flowWith([{ kind: "schedule", options: { daily: true, timezone: "Europe/Berlin" } }]);
  const unscheduled = flowWith([]);
  assert.equal(await scheduledTimeOption("2026-11-30", berlin), "2026-11-29T23:00:00.000Z");
  assert.equal(await scheduledTimeOption("2026-10-24T09:00", berlin), "2026-10-24T07:00:00.000Z");
  assert.equal(await scheduledTimeOption("2026-11-30", unscheduled), "2026-11-30T00:00:00.000Z");
  assert.equal(await scheduledTimeOption("2026-11-30T02:00:00+01:00", berlin), "2026-11-30T01:00:00.000Z");
  await assert.rejects(
    scheduledTimeOption("2026-02-30", berlin),
    /Invalid --scheduled-time '2026-02-30'.*Europe\/Berlin/,
  );
});
