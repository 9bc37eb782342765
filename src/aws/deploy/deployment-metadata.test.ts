// Deployment metadata in state machine tags, production tokens, and who may change a deployment.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { authorize } from "./deployment.js";
import {
  type DeploymentMetadata,
  generateToken,
  metadataTags,
  normalizeToken,
  readMetadata,
  staleTagKeys,
} from "./deployment-metadata.js";
import { deployTarget } from "./resource-names.js";

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

const metadata: DeploymentMetadata = {
  flow: "ParameterFlow",
  owner: "CORP\\jane.doe",
  token: "parameterflow-0-abcd",
  flowshipVersion: "0.1.0",
  parameters: [
    { name: "alpha", type: "number", required: false, default: 0.1 },
    { name: "when", type: "string", required: false, deployTime: true },
    ...Array.from({ length: 30 }, (_, i) => ({ name: `p${i}`, type: "string", required: true })),
  ],
  namespace: "user:jane",
  runTags: ["nightly", "team: ml {1}"],
};

describe("deployment metadata", () => {
  test("round-trips through tags AWS accepts", () => {
    const tags = metadataTags(metadata);
    for (const [key, value] of Object.entries(tags)) {
      assert.match(key, /^flowship:[a-z:0-9-]+$/);
      assert.match(value, TAG_VALUE, `${key}=${value}`);
    }
    assert.ok(
      Object.keys(tags).some((k) => k === "flowship:parameters:1"),
      "long JSON is chunked",
    );
    assert.equal(tags["flowship:flow"], "ParameterFlow");
    assert.deepEqual(readMetadata(tags), metadata);
  });

  test("a state machine without flowship's tags has no metadata", () => {
    assert.equal(readMetadata({ team: "ml" }), undefined);
  });

  test("tags a shorter deployment no longer has are stale; the user's own never are", () => {
    const before = { ...metadataTags(metadata), team: "ml" };
    const after = metadataTags({ ...metadata, parameters: [], runTags: [] });
    const stale = staleTagKeys(before, after);
    assert.ok(stale.includes("flowship:parameters:1") && stale.includes("flowship:run-tags:0"));
    assert.ok(!stale.includes("team") && !stale.includes("flowship:parameters:0"));
  });
});

describe("production tokens", () => {
  test("a first token is <name>-0-<4 letters>; a new one counts up", () => {
    const first = generateToken("ParameterFlow");
    assert.match(first, /^parameterflow-0-[a-z]{4}$/);
    assert.match(generateToken("ParameterFlow", first), /^parameterflow-1-[a-z]{4}$/);
    assert.match(generateToken("ParameterFlow", "custom"), /^parameterflow-1-[a-z]{4}$/);
  });

  test("given tokens lose a production: prefix and must be simple names", () => {
    assert.equal(normalizeToken("production:nightly-2026", "--new-token"), "nightly-2026");
    assert.throws(() => normalizeToken("has space", "--new-token"), hasCode("FS_SFN_BAD_TOKEN"));
  });

  test("the owner, or anyone with the token, may change a deployment", () => {
    const target = deployTarget(testSettings("s3://b/p"), "ParameterFlow");
    const deployment = { metadata: { ...metadata, owner: "alice" }, tags: {} };
    const action = "deploy a new version of";
    authorize(deployment, { user: "alice", action, target });
    authorize(deployment, { user: "bob", authorize: "production:parameterflow-0-abcd", action, target });
    assert.throws(
      () => authorize(deployment, { user: "bob", action, target }),
      (error: Error & { code?: string }) =>
        error.code === "FS_SFN_UNAUTHORIZED" &&
        error.message ===
          "Not authorized to deploy a new version of the production flow 'ParameterFlow': it was deployed by 'alice', not 'bob'. Pass its production token with --authorize TOKEN (ask alice; it is the namespace production:TOKEN of its runs).",
    );
  });
});
