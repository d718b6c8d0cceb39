import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Network, type NetworkProps } from '../../lib/constructs/network';

function build(props: Partial<NetworkProps> = {}) {
  const stack = new Stack(new App(), 'NetworkTest');
  const network = new Network(stack, 'Network', { logRetention: RetentionDays.TWO_WEEKS, ...props });
  return { stack, network, template: Template.fromStack(stack) };
}

describe('defaults', () => {
  const { stack, network, template } = build();

  test('a new VPC with isolated private subnets and no route to the internet', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.40.0.0/16' });
    template.resourceCountIs('AWS::EC2::Subnet', 2);
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    expect(network.vpc.isolatedSubnets).toHaveLength(2);
  });

  test('interface endpoints for SQS, Secrets Manager, Lambda and STS, with private DNS', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    for (const service of ['sqs', 'secretsmanager', 'lambda', 'sts']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, `.${service}`]] },
        SecurityGroupIds: [stack.resolve(network.endpointSecurityGroup!.securityGroupId)],
      });
    }
  });

  test('the endpoints admit nobody until a security group is allowed (never the VPC CIDR)', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Interface endpoints: HTTPS from the functions and the RabbitMQ event source only',
      SecurityGroupIngress: Match.absent(),
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
  });

  test('VPC flow logs go to a log group with retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test('privateSubnets selects the private group', () => {
    expect(network.vpc.selectSubnets(network.privateSubnets).subnets).toEqual(network.vpc.isolatedSubnets);
  });
});

test('allowEndpointAccessFrom admits HTTPS from that group only', () => {
  const stack = new Stack(new App(), 'Access');
  const network = new Network(stack, 'Network', { logRetention: RetentionDays.ONE_DAY, maxAzs: 1 });
  const fn = new SecurityGroup(stack, 'Fn', { vpc: network.vpc, allowAllOutbound: false });
  network.allowEndpointAccessFrom(fn);
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
  template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
    GroupId: stack.resolve(network.endpointSecurityGroup!.securityGroupId),
    SourceSecurityGroupId: stack.resolve(fn.securityGroupId),
    FromPort: 443,
    ToPort: 443,
  });
  template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
    GroupId: stack.resolve(fn.securityGroupId),
    FromPort: 443,
  });
});

test('with NAT gateways the private subnets get egress through public ones', () => {
  const { template } = build({ natGateways: 1, maxAzs: 2 });
  template.resourceCountIs('AWS::EC2::NatGateway', 1);
  template.resourceCountIs('AWS::EC2::InternetGateway', 1);
  template.resourceCountIs('AWS::EC2::Subnet', 4);
});

test('flow logs and endpoints can be left out', () => {
  const { network, template } = build({ flowLogs: false, interfaceEndpoints: false });
  template.resourceCountIs('AWS::EC2::FlowLog', 0);
  template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  expect(network.endpointSecurityGroup).toBeUndefined();
});

test('an existing VPC is used as it is', () => {
  const stack = new Stack(new App(), 'Existing');
  const vpc = Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.1.0.0/16',
    availabilityZones: ['eu-west-1a'],
    privateSubnetIds: ['subnet-0123456789abcdef0'],
  });
  const network = new Network(stack, 'Network', { vpc, logRetention: RetentionDays.ONE_DAY });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::EC2::VPC', 0);
  template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
    VpcId: 'vpc-0123456789abcdef0',
    SubnetIds: ['subnet-0123456789abcdef0'],
  });
  expect(network.vpc.selectSubnets(network.privateSubnets).subnetIds).toEqual(['subnet-0123456789abcdef0']);
});
