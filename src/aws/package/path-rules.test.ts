import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { globToRegExp, neverShippedBy, PathRules } from "./path-rules.js";

describe("globs", () => {
  test("a pattern without a slash matches a name at any depth", () => {
    const csv = globToRegExp("*.csv");
    assert.ok(csv.test("a.csv"));
    assert.ok(csv.test("data/deep/a.csv"));
    assert.ok(!csv.test("a.csv.bak"));
  });

  test("a pattern with a slash matches from the root; ** spans folders", () => {
    const data = globToRegExp("data/**");
    assert.ok(data.test("data/a"));
    assert.ok(data.test("data/x/y/z.json"));
    assert.ok(!data.test("other/data/a"));
    const nested = globToRegExp("src/**/*.ts");
    assert.ok(nested.test("src/a.ts"));
    assert.ok(nested.test("src/x/y/a.ts"));
    assert.ok(!nested.test("src/a.js"));
    assert.ok(globToRegExp("**").test(".env"));
    assert.ok(globToRegExp("conf/?.json").test("conf/a.json"));
    assert.ok(!globToRegExp("conf/?.json").test("conf/ab.json"));
  });
});

describe("never-shipped files", () => {
  test("secrets, version control, dependencies and the datastore are refused at any depth", () => {
    for (const refused of [
      ".env",
      ".env.production",
      "config/.ENV.local",
      ".aws/config",
      "home/.aws/credentials",
      "credentials",
      "credentials.json",
      "deploy/server.pem",
      "tls.key",
      "keys/id_rsa",
      "keys/id_rsa.pub",
      ".ssh/known_hosts",
      "id_ed25519",
      ".git/config",
      "node_modules/x/index.js",
      "packages/a/node_modules/b.js",
      ".flowship/HelloFlow/latest_run",
      ".npmrc",
    ]) {
      assert.ok(neverShippedBy(refused), refused);
    }
    for (const allowed of [
      "flows/hello.ts",
      "envelope.ts",
      "environment.md",
      "my_credentials_guide.md",
      "keys.ts",
    ]) {
      assert.equal(neverShippedBy(allowed), undefined, allowed);
    }
  });

  test("exclude globs add to the fixed rules and include globs cannot lift them", () => {
    // given
    const rules = new PathRules({ include: ["**"], exclude: ["data/**", "*.log"] });
    // when / then
    assert.ok(rules.included(".env"));
    assert.match(rules.refusal(".env")!, /never shipped/);
    assert.match(rules.refusal("data/big.parquet")!, /excluded by 'data\/\*\*'/);
    assert.match(rules.refusal("logs/run.log")!, /excluded by '\*\.log'/);
    assert.equal(rules.refusal("flows/hello.ts"), undefined);
    assert.ok(rules.prunes("node_modules"));
    assert.ok(rules.prunes("a/.git"));
    assert.ok(!rules.prunes("src"));
  });
});
