// The YAML emitter: what it writes reads back as the same value (with the `yaml` package, which
// the language-server dev tooling already installs), and strings YAML would read as something
// else are quoted.
import assert from "node:assert/strict";
import { test } from "node:test";
import YAML from "yaml";
import { AWS_STACK_NAME, type TemplateValue } from "./cloudformation-values.js";
import { stackTemplate } from "./stack-template.js";
import { toYaml } from "./template-yaml.js";

test("every template reads back from its YAML unchanged", () => {
  for (const compute of ["fargate", "ec2", "spot"] as const) {
    const template = stackTemplate({ compute, alertsTopic: true });
    assert.deepEqual(
      YAML.parse(toYaml(template as unknown as TemplateValue)),
      JSON.parse(JSON.stringify(template)),
    );
  }
});

test("scalars YAML would read as other types or as syntax are quoted", () => {
  // given
  const tricky: TemplateValue = {
    date: "2012-10-17",
    bool: "true",
    no: "no",
    negative: "-1",
    cidr: "0.0.0.0/0",
    colon: "a: b",
    comment: "a #b",
    trailing: "a:",
    star: "*",
    empty: "",
    list: [],
    map: {},
    "Fn::Sub": `${AWS_STACK_NAME}-x`,
    nested: [{ a: [1, true, "x"] }, ["y"]],
    plain: "AWS::S3::Bucket",
  };
  // when
  const text = toYaml(tricky);
  // then
  assert.deepEqual(YAML.parse(text, { version: "1.1" }), tricky);
  assert.deepEqual(YAML.parse(text), tricky);
  assert.match(text, /^plain: AWS::S3::Bucket$/m);
  assert.match(text, /^date: "2012-10-17"$/m);
});
