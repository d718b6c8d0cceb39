import { App, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ADMIN_PASSWORD_EXCLUDED_CHARACTERS,
  RabbitMqBroker,
  type RabbitMqBrokerProps,
} from '../../lib/constructs/rabbitmq-broker';

/** An environment-agnostic stack offers two AZs; a cluster needs three. */
class ThreeAzStack extends Stack {
  override get availabilityZones(): string[] {
    return [0, 1, 2].map((i) => Fn.select(i, Fn.getAzs()));
  }
}

function build(props: Partial<RabbitMqBrokerProps> = {}, maxAzs = 3) {
  const stack = new ThreeAzStack(new App(), 'BrokerTest');
  const vpc = new Vpc(stack, 'Vpc', { maxAzs, natGateways: 0 });
  const broker = new RabbitMqBroker(stack, 'Broker', {
    vpc,
    vpcSubnets: { subnets: vpc.isolatedSubnets },
    brokerName: 'orders-broker',
    engineVersion: '3.13',
    instanceType: 'mq.t3.micro',
    deploymentMode: 'SINGLE_INSTANCE',
    logRetention: RetentionDays.TWO_WEEKS,
    ...props,
  });
  return { stack, vpc, broker, template: Template.fromStack(stack) };
}

describe('single instance (defaults)', () => {
  const { stack, vpc, broker, template } = build();

  test('a private RabbitMQ broker with automatic minor version upgrades and general logs', () => {
    template.hasResourceProperties('AWS::AmazonMQ::Broker', {
      BrokerName: 'orders-broker',
      EngineType: 'RABBITMQ',
      EngineVersion: '3.13',
      HostInstanceType: 'mq.t3.micro',
      DeploymentMode: 'SINGLE_INSTANCE',
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: true,
      Logs: { General: true },
      MaintenanceWindowStartTime: { DayOfWeek: 'SUNDAY', TimeOfDay: '03:00', TimeZone: 'UTC' },
    });
  });

  test('no EncryptionOptions: RabbitMQ brokers refuse them', () => {
    template.hasResourceProperties('AWS::AmazonMQ::Broker', { EncryptionOptions: Match.absent() });
  });

  test('a single instance takes exactly one subnet', () => {
    const subnetIds = Object.values(template.findResources('AWS::AmazonMQ::Broker'))[0].Properties.SubnetIds;
    expect(subnetIds).toEqual([stack.resolve(vpc.isolatedSubnets[0].subnetId)]);
  });

  test('the admin password is a dynamic reference to a generated secret, never a literal', () => {
    template.hasResourceProperties('AWS::AmazonMQ::Broker', {
      Users: [
        {
          Username: 'admin',
          Password: {
            'Fn::Join': [
              '',
              [
                '{{resolve:secretsmanager:',
                { Ref: Match.stringLikeRegexp('^BrokerAdminSecret') },
                ':SecretString:password::}}',
              ],
            ],
          },
        },
      ],
    });
  });

  test('the generated password is 32 characters, without , : = and without URI-reserved punctuation', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: '{"username":"admin"}',
        GenerateStringKey: 'password',
        PasswordLength: 32,
        ExcludeCharacters: ADMIN_PASSWORD_EXCLUDED_CHARACTERS,
        RequireEachIncludedType: true,
      },
    });
    for (const refused of [',', ':', '=', '@', '/', '?', '#', '%'])
      expect(ADMIN_PASSWORD_EXCLUDED_CHARACTERS).toContain(refused);
    for (const unreserved of ['-', '.', '_', '~']) expect(ADMIN_PASSWORD_EXCLUDED_CHARACTERS).not.toContain(unreserved);
  });

  test('the admin secret is deleted with the stack by default', () => {
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Delete' });
  });

  test('the general log group gets the retention (Amazon MQ creates the group itself)', () => {
    template.hasResourceProperties('Custom::LogRetention', {
      LogGroupName: {
        'Fn::Join': ['', ['/aws/amazonmq/broker/', { Ref: Match.stringLikeRegexp('^Broker') }, '/general']],
      },
      RetentionInDays: 14,
    });
  });

  test('the security group admits AMQPS from itself only, and nothing goes out but AMQPS to itself', () => {
    const sgId = stack.resolve(broker.securityGroup.securityGroupId);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: sgId,
      SourceSecurityGroupId: sgId,
      FromPort: 5671,
      ToPort: 5671,
      IpProtocol: 'tcp',
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 1);
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: sgId,
      DestinationSecurityGroupId: sgId,
      FromPort: 5671,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^RabbitMQ broker orders-broker'),
      SecurityGroupEgress: Match.absent(),
      SecurityGroupIngress: Match.absent(),
    });
  });

  test('endpoints: amqps://HOST:5671 and https://HOST of the management API', () => {
    expect(stack.resolve(broker.amqpsEndpoint)).toEqual({
      'Fn::Select': [0, { 'Fn::GetAtt': [expect.stringMatching(/^Broker/), 'AmqpEndpoints'] }],
    });
    expect(stack.resolve(broker.managementEndpoint)).toEqual({
      'Fn::Join': [
        '',
        [
          'https:',
          {
            'Fn::Select': [
              1,
              {
                'Fn::Split': [
                  ':',
                  { 'Fn::Select': [0, { 'Fn::GetAtt': [expect.stringMatching(/^Broker/), 'AmqpEndpoints'] }] },
                ],
              },
            ],
          },
        ],
      ],
    });
  });

  test('exposes what monitoring needs', () => {
    expect(broker).toMatchObject({
      brokerName: 'orders-broker',
      deploymentMode: 'SINGLE_INSTANCE',
      engineVersion: '3.13',
      instanceType: 'mq.t3.micro',
    });
  });
});

describe('access', () => {
  test('allowAmqpsFrom admits 5671 only, allowManagementFrom 443 only', () => {
    const stack = new Stack(new App(), 'Access');
    const vpc = new Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });
    const broker = new RabbitMqBroker(stack, 'Broker', {
      vpc,
      vpcSubnets: { subnets: vpc.isolatedSubnets },
      brokerName: 'b',
      engineVersion: '3.13',
      instanceType: 'mq.t3.micro',
      deploymentMode: 'SINGLE_INSTANCE',
      logRetention: RetentionDays.ONE_DAY,
    });
    const app = new SecurityGroup(stack, 'App', { vpc, allowAllOutbound: false });
    const admin = new SecurityGroup(stack, 'Admin', { vpc, allowAllOutbound: false });
    broker.allowAmqpsFrom(app, 'App');
    broker.allowManagementFrom(admin, 'Admin');
    const template = Template.fromStack(stack);
    const brokerSg = stack.resolve(broker.securityGroup.securityGroupId);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: brokerSg,
      SourceSecurityGroupId: stack.resolve(app.securityGroupId),
      FromPort: 5671,
      ToPort: 5671,
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: brokerSg,
      SourceSecurityGroupId: stack.resolve(admin.securityGroupId),
      FromPort: 443,
      ToPort: 443,
    });
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 3);
  });
});

describe('cluster', () => {
  const { stack, vpc, template } = build({
    deploymentMode: 'CLUSTER_MULTI_AZ',
    engineVersion: '4.2',
    instanceType: 'mq.m7g.large',
    removalPolicy: RemovalPolicy.RETAIN,
  });

  test('a three-node cluster on m7g in three subnets of three AZs', () => {
    template.hasResourceProperties('AWS::AmazonMQ::Broker', {
      DeploymentMode: 'CLUSTER_MULTI_AZ',
      EngineVersion: '4.2',
      HostInstanceType: 'mq.m7g.large',
      SubnetIds: vpc.isolatedSubnets.map((s) => stack.resolve(s.subnetId)),
    });
  });

  test('a retained admin secret and log group', () => {
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('Custom::LogRetention', { RemovalPolicy: 'retain' });
  });
});

describe('metrics', () => {
  const { stack, broker } = build();

  test('broker-level metrics use the broker NAME as the Broker dimension, not its id', () => {
    const metric = broker.metric('MessageCount');
    expect(metric.namespace).toBe('AWS/AmazonMQ');
    expect(metric.dimensions).toEqual({ Broker: 'orders-broker' });
    expect(stack.resolve(metric.dimensions?.Broker)).toBe('orders-broker');
    expect(metric.period.toMinutes()).toBe(5);
    expect(metric.statistic).toBe('Average');
  });

  test('the library helpers would have used the id (the reason for our own)', () => {
    expect(stack.resolve(broker.deployment.metric('MessageCount').dimensions?.Broker)).toEqual({
      Ref: expect.stringMatching(/^Broker/),
    });
  });

  test('node and queue metrics add their dimensions', () => {
    expect(broker.metricNode('RabbitMQMemUsed', 'rabbit@ip-10-0-1-23').dimensions).toEqual({
      Broker: 'orders-broker',
      Node: 'rabbit@ip-10-0-1-23',
    });
    expect(broker.metricQueue('MessageReadyCount', 'integration', 'events.to-sqs').dimensions).toEqual({
      Broker: 'orders-broker',
      VirtualHost: 'integration',
      Queue: 'events.to-sqs',
    });
  });

  test.each([
    ['metricSystemCpuUtilization', 'SystemCpuUtilization', 'Average'],
    ['metricRabbitMqMemUsed', 'RabbitMQMemUsed', 'Maximum'],
    ['metricRabbitMqMemLimit', 'RabbitMQMemLimit', 'Minimum'],
    ['metricRabbitMqDiskFree', 'RabbitMQDiskFree', 'Minimum'],
    ['metricRabbitMqDiskFreeLimit', 'RabbitMQDiskFreeLimit', 'Maximum'],
    ['metricConnectionCount', 'ConnectionCount', 'Maximum'],
    ['metricConsumerCount', 'ConsumerCount', 'Minimum'],
    ['metricMessageReadyCount', 'MessageReadyCount', 'Maximum'],
  ] as const)('%s reads %s (%s) of this broker by name', (method, metricName, statistic) => {
    const metric = broker[method]();
    expect(metric).toMatchObject({
      namespace: 'AWS/AmazonMQ',
      metricName,
      statistic,
      dimensions: { Broker: 'orders-broker' },
    });
  });

  test('options override the defaults but keep the Broker dimension', () => {
    const metric = broker.metricConsumerCount({ statistic: 'Average', dimensionsMap: { Queue: 'q' } });
    expect(metric.statistic).toBe('Average');
    expect(metric.dimensions).toEqual({ Broker: 'orders-broker', Queue: 'q' });
  });

  test('the worst node of any deployment is one Metrics Insights query', () => {
    expect(broker.metricWorstNode('RabbitMQMemUsed').expression).toBe(
      `SELECT MAX(RabbitMQMemUsed) FROM SCHEMA("AWS/AmazonMQ", Broker, Node) WHERE Broker = 'orders-broker'`,
    );
    expect(broker.metricWorstNode('RabbitMQDiskFree').expression).toMatch(/^SELECT MIN\(RabbitMQDiskFree\)/);
  });
});
