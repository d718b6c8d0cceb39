import { App, Stack } from 'aws-cdk-lib';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { loadStageConfig, type StageConfigOverrides } from '../../lib/config/stages';
import { RabbitMqBroker } from '../../lib/constructs/rabbitmq-broker';

/**
 * The synth-time refusals of the reliability issue that `validation.test.ts` (the main table) does not reach: the
 * single-instance half of "subnet count per mode" and the lower bound of the event-source batch sizes. Each is
 * refused at synth with a message naming the field, the value and what is allowed.
 */

const EXISTING_VPC = { vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.1.0.0/16', availabilityZones: ['eu-west-1a'] };

const config = (stage: string, overrides: StageConfigOverrides) => () => loadStageConfig(stage, overrides);

function singleInstanceBrokerWithoutSubnets(): void {
  const stack = new Stack(new App(), 'Broker');
  const vpc = new Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
  new RabbitMqBroker(stack, 'Broker', {
    vpc,
    vpcSubnets: { subnets: [] },
    brokerName: 'broker',
    engineVersion: '3.13',
    instanceType: 'mq.t3.micro',
    deploymentMode: 'SINGLE_INSTANCE',
    logRetention: RetentionDays.ONE_DAY,
  });
}

test.each<[name: string, refuse: () => unknown, message: RegExp]>([
  [
    'a single-instance broker construct given no subnet',
    singleInstanceBrokerWithoutSubnets,
    /Invalid RabbitMqBroker 'Broker' \(1 problem\):\n {2}- props\.vpcSubnets: got 0; a SINGLE_INSTANCE broker takes exactly 1 subnet/,
  ],
  [
    'a single-instance stage in an existing VPC without private subnets',
    config('dev', { network: { existingVpc: { ...EXISTING_VPC, privateSubnetIds: [] } } }),
    /network\.existingVpc\.privateSubnetIds: got 0; a SINGLE_INSTANCE broker takes exactly 1 subnet/,
  ],
  [
    'a RabbitMQ batch of 0',
    config('dev', { eventSources: { rabbitMq: { batchSize: 0 } } }),
    /eventSources\.rabbitMq\.batchSize: got 0; allowed: an integer from 1 to 10,000/,
  ],
  [
    'an SQS batch of 0',
    config('dev', { eventSources: { sqs: { batchSize: 0 } } }),
    /eventSources\.sqs\.batchSize: got 0; allowed: an integer from 1 to 10,000/,
  ],
])('refused at synth: %s', (_name, refuse, message) => {
  expect(refuse).toThrow(message);
});
