/**
 * Where Batch starts its jobs: an existing VPC's subnets and security group, or a small VPC of the
 * stack's own — two public subnets in two Availability Zones behind an internet gateway, and a
 * security group that lets nothing in. Public subnets, not private ones behind a NAT gateway: a
 * NAT gateway costs about $0.045 an hour whether jobs run or not, and jobs only call out (to the
 * image registry and S3). Fargate jobs then need a public IP (the job definition's
 * `assignPublicIp`, ENABLED by default); EC2 instances get one from the subnet.
 */
import { AWS_STACK_NAME, getAtt, type Resources, ref, type TemplateValue } from "./cloudformation-values.js";

/** An existing network: the VPC, subnets in it and a security group that allows outbound HTTPS. */
export interface ExistingNetwork {
  vpcId: string;
  subnetIds: string[];
  securityGroupId: string;
}

/** What the compute environment is given. */
export interface NetworkRefs {
  subnets: TemplateValue[];
  securityGroupIds: TemplateValue[];
}

const VPC_CIDR = "10.0.0.0/16";
const SUBNETS = [
  { id: "SubnetA", cidr: "10.0.0.0/20", zone: 0 },
  { id: "SubnetB", cidr: "10.0.16.0/20", zone: 1 },
] as const;

const named = (stackSuffix: string) => [
  { Key: "Name", Value: { "Fn::Sub": `${AWS_STACK_NAME}-${stackSuffix}` } },
];

/** The VPC's resources, or none with an existing network; and what the compute environment uses. */
export function networkResources(existing: ExistingNetwork | undefined): {
  resources: Resources;
  refs: NetworkRefs;
} {
  if (existing) {
    return {
      resources: {},
      refs: { subnets: [...existing.subnetIds], securityGroupIds: [existing.securityGroupId] },
    };
  }
  const resources: Resources = {
    Vpc: {
      Type: "AWS::EC2::VPC",
      Properties: {
        CidrBlock: VPC_CIDR,
        EnableDnsSupport: true,
        EnableDnsHostnames: true,
        Tags: named("vpc"),
      },
    },
    InternetGateway: { Type: "AWS::EC2::InternetGateway", Properties: { Tags: named("igw") } },
    InternetGatewayAttachment: {
      Type: "AWS::EC2::VPCGatewayAttachment",
      Properties: { VpcId: ref("Vpc"), InternetGatewayId: ref("InternetGateway") },
    },
    PublicRouteTable: {
      Type: "AWS::EC2::RouteTable",
      Properties: { VpcId: ref("Vpc"), Tags: named("public") },
    },
    // The route needs the gateway attached first, which CloudFormation cannot infer.
    PublicRoute: {
      Type: "AWS::EC2::Route",
      DependsOn: "InternetGatewayAttachment",
      Properties: {
        RouteTableId: ref("PublicRouteTable"),
        DestinationCidrBlock: "0.0.0.0/0",
        GatewayId: ref("InternetGateway"),
      },
    },
    SecurityGroup: {
      Type: "AWS::EC2::SecurityGroup",
      Properties: {
        GroupDescription: "flowship Batch jobs: outbound only (image registry, S3, AWS APIs)",
        VpcId: ref("Vpc"),
        SecurityGroupEgress: [{ IpProtocol: "-1", CidrIp: "0.0.0.0/0", Description: "all outbound" }],
        Tags: named("jobs"),
      },
    },
  };
  for (const subnet of SUBNETS) {
    resources[subnet.id] = {
      Type: "AWS::EC2::Subnet",
      Properties: {
        VpcId: ref("Vpc"),
        CidrBlock: subnet.cidr,
        AvailabilityZone: { "Fn::Select": [subnet.zone, { "Fn::GetAZs": "" }] },
        // EC2 instances pull the image and reach S3 through the internet gateway.
        MapPublicIpOnLaunch: true,
        Tags: named(`public-${subnet.zone + 1}`),
      },
    };
    resources[`${subnet.id}RouteTableAssociation`] = {
      Type: "AWS::EC2::SubnetRouteTableAssociation",
      Properties: { SubnetId: ref(subnet.id), RouteTableId: ref("PublicRouteTable") },
    };
  }
  return {
    resources,
    refs: { subnets: SUBNETS.map((s) => ref(s.id)), securityGroupIds: [getAtt("SecurityGroup", "GroupId")] },
  };
}
