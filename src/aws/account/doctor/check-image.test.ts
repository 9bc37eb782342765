import assert from "node:assert/strict";
import { test } from "node:test";
import { parsePrivateEcrImage } from "./check-image.js";

test("a private ECR image's account, region, repository and tag or digest", () => {
  // given / when / then
  assert.deepEqual(parsePrivateEcrImage("123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/jobs:v1"), {
    registry: "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
    account: "123456789012",
    region: "eu-west-1",
    repository: "team/jobs",
    id: { imageTag: "v1" },
  });
  const digest = `sha256:${"b".repeat(64)}`;
  assert.deepEqual(parsePrivateEcrImage(`123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs@${digest}`)?.id, {
    imageDigest: digest,
  });
  assert.deepEqual(parsePrivateEcrImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/jobs")?.id, {
    imageTag: "latest",
  });
});

test("public and other registries' images are not private ECR images", () => {
  for (const image of [
    "public.ecr.aws/docker/library/node:22-slim",
    "node:22",
    "docker.io/library/node:22",
    "ghcr.io/acme/jobs:1",
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example/jobs:1",
  ]) {
    assert.equal(parsePrivateEcrImage(image), undefined, image);
  }
});
