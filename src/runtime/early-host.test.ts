import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { runsInTaskHosts } from "./early-host.js";

describe("runsInTaskHosts: which command lines get their first task host early", () => {
  const none = {};
  test("a local run in the default isolation", () => {
    assert.equal(runsInTaskHosts(["flow.ts", "run"], none), true);
    assert.equal(runsInTaskHosts(["flow.ts", "run", "--alpha", "2"], none), true);
    assert.equal(runsInTaskHosts(["flow.ts", "--datastore-root", "/tmp/x", "run"], none), true);
    assert.equal(runsInTaskHosts(["flow.ts", "run", "--isolation", "host"], none), true);
    assert.equal(runsInTaskHosts(["flow.ts", "run"], { FLOWSHIP_ISOLATION: "host" }), true);
  });

  test("not other commands, help, or another isolation", () => {
    assert.equal(runsInTaskHosts([], none), false);
    assert.equal(runsInTaskHosts(["flow.ts"], none), false);
    assert.equal(runsInTaskHosts(["--help"], none), false);
    assert.equal(runsInTaskHosts(["flow.ts", "resume"], none), false);
    assert.equal(runsInTaskHosts(["flow.ts", "check"], none), false);
    assert.equal(runsInTaskHosts(["flow.ts", "run", "--help"], none), false);
    assert.equal(runsInTaskHosts(["flow.ts", "run", "--isolation", "process"], none), false);
    assert.equal(runsInTaskHosts(["flow.ts", "run", "--isolation=thread"], none), false);
    assert.equal(runsInTaskHosts(["flow.ts", "run"], { FLOWSHIP_ISOLATION: "process" }), false);
    // Given twice, the last one counts, as the option parser takes it.
    assert.equal(
      runsInTaskHosts(["flow.ts", "run", "--isolation", "host", "--isolation", "process"], none),
      false,
    );
    assert.equal(runsInTaskHosts(["flow.ts", "run", "--isolation=process", "--isolation=host"], none), true);
    // The flag wins over the variable, as in run-common.ts.
    assert.equal(
      runsInTaskHosts(["flow.ts", "run", "--isolation", "host"], { FLOWSHIP_ISOLATION: "thread" }),
      true,
    );
  });
});
