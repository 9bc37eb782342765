// The account stack's template: the decisions a reader of the template relies on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { StackOptionError } from "./errors.js";
import { OUTPUT_SETTINGS, type StackOptions, stackTemplate } from "./stack-template.js";

const NETWORK = {
  vpcId: "vpc-0a1b2c3d",
  subnetIds: ["subnet-0a1b2c3d", "subnet-1a1b2c3d"],
  securityGroupId: "sg-0a1b2c3d",
};
const VARIANTS: StackOptions[] = (["fargate", "ec2", "spot"] as const).flatMap((compute) => [
  { compute },
  { compute, network: NETWORK, bucket: "my-flows", alertsTopic: true },
]);

/** Every policy document in the template: roles' inline and trust policies, managed and topic policies. */
function policies(template: unknown): { Statement: { Action: string | string[] }[] }[] {
  const found: { Statement: { Action: string | string[] }[] }[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (/PolicyDocument$/.test(key)) found.push(item as never);
        walk(item);
      }
    }
  };
  walk(template);
  return found;
}

test("no policy in any template grants a wildcard action", () => {
  for (const options of VARIANTS) {
    // given
    const template = stackTemplate(options);
    // when
    const actions = policies(template).flatMap((p) => p.Statement.flatMap((s) => [s.Action].flat()));
    // then
    assert.ok(actions.length > 30, "the template's policies were found");
    for (const action of actions) assert.doesNotMatch(action, /\*/, `${options.compute}: ${action}`);
  }
});

test("a new bucket is encrypted, private and retained on delete and on replacement", () => {
  const bucket = stackTemplate().Resources.Bucket!;
  assert.equal(bucket.DeletionPolicy, "Retain");
  assert.equal(bucket.UpdateReplacePolicy, "Retain");
  assert.deepEqual(bucket.Properties?.PublicAccessBlockConfiguration, {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  });
  assert.ok(bucket.Properties?.BucketEncryption);
  // an existing bucket is named, never made
  const existing = stackTemplate({ bucket: "my-flows" });
  assert.equal(existing.Resources.Bucket, undefined);
  assert.equal(existing.Outputs.S3Root!.Value, "s3://my-flows/flowship");
  assert.match(
    JSON.stringify(existing.Resources.BatchJobRole),
    /arn:\$\{AWS::Partition\}:s3:::my-flows\/flowship\/\*/,
  );
});

test("the outputs are the settings configure aws --from-stack fills, and only those that apply", () => {
  const names = (options: StackOptions) => Object.keys(stackTemplate(options).Outputs).sort();
  const always = [
    "BatchJobRole",
    "Compute",
    "DeployerPolicy",
    "EventsRole",
    "JobQueue",
    "Region",
    "S3Root",
    "SchedulerRole",
    "SfnRole",
  ];
  assert.deepEqual(names({}), [...always, "ExecutionRole"].sort());
  assert.deepEqual(names({ compute: "ec2" }), always);
  assert.deepEqual(names({ compute: "spot", alertsTopic: true }), [...always, "NotifySnsTopic"].sort());
  for (const options of VARIANTS) {
    for (const name of names(options)) assert.ok(name in OUTPUT_SETTINGS, name);
  }
  // Spot instances are EC2 instances to a job definition.
  assert.equal(stackTemplate({ compute: "spot" }).Outputs.Compute!.Value, "ec2");
});

test("the compute environment matches --compute", () => {
  const resources = (options: StackOptions) => stackTemplate(options).Resources;
  const fargate = resources({ compute: "fargate", maxVcpus: 16 });
  assert.deepEqual(
    {
      type: fargate.ComputeEnvironment!.Properties!.Type,
      ...(fargate.ComputeEnvironment!.Properties!.ComputeResources as object),
    },
    {
      type: "MANAGED",
      Type: "FARGATE",
      MaxvCpus: 16,
      Subnets: [{ Ref: "SubnetA" }, { Ref: "SubnetB" }],
      SecurityGroupIds: [{ "Fn::GetAtt": ["SecurityGroup", "GroupId"] }],
    },
  );
  assert.equal(fargate.InstanceProfile, undefined);
  assert.ok(fargate.ExecutionRole);
  const spot = resources({ compute: "spot" }).ComputeEnvironment!.Properties!.ComputeResources as Record<
    string,
    unknown
  >;
  assert.equal(spot.Type, "SPOT");
  assert.equal(spot.AllocationStrategy, "SPOT_PRICE_CAPACITY_OPTIMIZED");
  assert.deepEqual(spot.InstanceRole, { "Fn::GetAtt": ["InstanceProfile", "Arn"] });
  const ec2 = resources({ compute: "ec2" });
  assert.equal((ec2.ComputeEnvironment!.Properties!.ComputeResources as Record<string, unknown>).Type, "EC2");
  assert.ok(ec2.InstanceRole && ec2.InstanceProfile);
  assert.equal(ec2.ExecutionRole, undefined);
});

test("a VPC of its own, or the given subnets and security group and no network resources", () => {
  const own = stackTemplate().Resources;
  assert.deepEqual(
    [
      "Vpc",
      "InternetGateway",
      "InternetGatewayAttachment",
      "PublicRouteTable",
      "PublicRoute",
      "SecurityGroup",
      "SubnetA",
      "SubnetB",
    ].filter((id) => !own[id]),
    [],
  );
  assert.equal((own.SecurityGroup!.Properties as Record<string, unknown>).SecurityGroupIngress, undefined);
  const existing = stackTemplate({ network: NETWORK }).Resources;
  assert.deepEqual(
    Object.keys(existing).filter((id) => existing[id]!.Type.startsWith("AWS::EC2::")),
    [],
  );
  assert.deepEqual(existing.ComputeEnvironment!.Properties!.ComputeResources, {
    Type: "FARGATE",
    MaxvCpus: 64,
    Subnets: NETWORK.subnetIds,
    SecurityGroupIds: [NETWORK.securityGroupId],
  });
});

test("bad options are refused with their option's name, before any template", () => {
  const code = (options: StackOptions) => {
    try {
      stackTemplate(options);
      return "made";
    } catch (error) {
      assert.ok(error instanceof StackOptionError);
      assert.equal(error.exitCode, 2);
      return error.message.split(":")[0];
    }
  };
  assert.equal(code({ compute: "gpu" as never }), "Invalid --compute");
  assert.equal(code({ maxVcpus: 0 }), "Invalid --max-vcpus");
  assert.equal(code({ network: { ...NETWORK, subnetIds: ["sub-1"] } }), "Invalid --subnet-ids");
  assert.equal(code({ network: { ...NETWORK, securityGroupId: "default" } }), "Invalid --security-group-id");
  assert.equal(code({ bucket: "My_Bucket" }), "Invalid --bucket");
  // S3's naming rules beyond the characters: an IP address, a label ending in a hyphen, S3's
  // reserved prefixes and suffixes
  for (const bucket of [
    "192.168.1.1",
    "a.-b",
    "a-.b",
    "abc-s3alias",
    "abc--ol-s3",
    "sthree-abc",
    "xn--abc",
    "ab",
    "a..b",
  ]) {
    assert.equal(code({ bucket }), "Invalid --bucket", bucket);
  }
  for (const bucket of ["my-flows", "flows.example.com", "a1b", "192.168.1.1a"]) {
    assert.equal(code({ bucket }), "made", bucket);
  }
  const subnet = NETWORK.subnetIds[0]!;
  assert.equal(code({ network: { ...NETWORK, subnetIds: [subnet, subnet] } }), "Invalid --subnet-ids");
});
