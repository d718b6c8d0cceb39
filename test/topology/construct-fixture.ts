import { App, Stack } from 'aws-cdk-lib';
import { SecurityGroup, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { defaultTopology, type TopologyDefinition } from '../../lib/config/topology';
import { RabbitMqTopology, type RabbitMqTopologyProps } from '../../lib/constructs/rabbitmq-topology';

/** A minimal environment-agnostic stack around the topology construct: VPC, broker security group, admin secret. */
export function topologyStack(overrides: Partial<RabbitMqTopologyProps> = {}): {
  app: App;
  stack: Stack;
  topology: RabbitMqTopology;
  definition: TopologyDefinition;
  brokerSecurityGroup: SecurityGroup;
} {
  const app = new App();
  const stack = new Stack(app, 'TopologyTest');
  const vpc = new Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: SubnetType.PRIVATE_ISOLATED }],
  });
  const brokerSecurityGroup = new SecurityGroup(stack, 'BrokerSecurityGroup', {
    vpc,
    description: 'broker',
    allowAllOutbound: false,
  });
  const adminSecret = new Secret(stack, 'AdminSecret');
  const definition = defaultTopology();
  const topology = new RabbitMqTopology(stack, 'Topology', {
    topology: definition,
    vpc,
    brokerSecurityGroup,
    adminSecret,
    managementEndpoint: 'https://b-1234.mq.eu-west-1.amazonaws.com',
    retainOnDelete: false,
    logRetention: RetentionDays.ONE_MONTH,
    ...overrides,
  });
  return { app, stack, topology, definition, brokerSecurityGroup };
}
