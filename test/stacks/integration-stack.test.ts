import { Match } from 'aws-cdk-lib/assertions';
import type { MonitoredBroker } from '../../lib/constructs/monitoring-metrics';
import { OUTPUTS } from '../../lib/stacks/integration-stack';
import { OUTPUT_KEYS } from '../../verify/stack-outputs';
import { logicalIdOf, resourcesOfType, synthStage, type SynthesizedStage } from './stack-fixture';

/** What differs between the stages; everything else is asserted the same for both. */
const STAGES = [
  {
    stage: 'dev',
    mode: 'SINGLE_INSTANCE',
    engine: '3.13',
    instance: 'mq.t3.micro',
    subnets: 1,
    retention: 14,
    deletion: 'Delete',
    receipts: true,
    concurrency: 5,
    logLevel: 'DEBUG',
    // SQS bounds the body: 1 MiB less 8 KiB for the bridge's attributes; RabbitMQ 3.13 runs at 128 MiB.
    maxBodyBytes: '1040384',
    brokerMaxMessageSize: '134217728',
  },
  {
    stage: 'prod',
    mode: 'CLUSTER_MULTI_AZ',
    engine: '4.2',
    instance: 'mq.m7g.large',
    subnets: 3,
    retention: 365,
    deletion: 'RetainExceptOnCreate',
    receipts: false,
    concurrency: 20,
    logLevel: 'INFO',
    // The broker bounds the body: Amazon MQ's RabbitMQ 4 default max_message_size.
    maxBodyBytes: '524288',
    brokerMaxMessageSize: '524288',
  },
] as const;

const synthesized = new Map<string, SynthesizedStage>();
beforeAll(() => {
  for (const { stage } of STAGES) synthesized.set(stage, synthStage(stage));
});
const get = (stage: string) => synthesized.get(stage)!;

/** Actions that AWS offers no resource-level scope for, and that the project needs; no other action may use `*`. */
const ACTIONS_WITHOUT_RESOURCE_SCOPE = new Set([
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeVpcs',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  // CDK's LogRetention singleton (acknowledged in lib/nag.ts).
  'logs:PutRetentionPolicy',
  'logs:DeleteRetentionPolicy',
]);

describe.each(STAGES)('stage $stage', (expected) => {
  const s = () => get(expected.stage);
  const fnProps = (name: string) => s().json.Resources[logicalIdOf(s(), `Functions/${name}`)].Properties;

  test('stack: MqCloudIntegration-<stage>, environment-agnostic, termination protection only in prod', () => {
    const { stack } = s();
    expect(stack.stackName).toBe(`MqCloudIntegration-${expected.stage}`);
    expect(stack.terminationProtection).toBe(expected.stage === 'prod');
    expect(stack.resolve(stack.account)).toEqual({ Ref: 'AWS::AccountId' });
    expect(stack.resolve(stack.region)).toEqual({ Ref: 'AWS::Region' });
  });

  test(`broker: private ${expected.mode} on ${expected.instance}, RabbitMQ ${expected.engine}, automatic minor upgrades`, () => {
    s().template.hasResourceProperties('AWS::AmazonMQ::Broker', {
      BrokerName: `mq-cloud-integration-${expected.stage}`,
      EngineType: 'RABBITMQ',
      EngineVersion: expected.engine,
      HostInstanceType: expected.instance,
      DeploymentMode: expected.mode,
      PubliclyAccessible: false,
      AutoMinorVersionUpgrade: true,
      EncryptionOptions: Match.absent(),
      Logs: { General: true },
      SubnetIds: Match.arrayWith([{ Ref: Match.stringLikeRegexp('^NetworkVpcPrivateSubnet') }]),
    });
    const broker = Object.values(resourcesOfType(s().json, 'AWS::AmazonMQ::Broker'))[0];
    expect(broker.Properties?.SubnetIds).toHaveLength(expected.subnets);
  });

  test('no password appears in the template: every Password is a Secrets Manager dynamic reference', () => {
    const passwords: unknown[] = [];
    JSON.stringify(s().json, (key, value) => {
      if (key === 'Password') passwords.push(value);
      return value;
    });
    expect(passwords.length).toBeGreaterThan(0);
    for (const password of passwords)
      expect(JSON.stringify(password)).toMatch(
        /^\{"Fn::Join":\["",\["\{\{resolve:secretsmanager:",\{"Ref":"[A-Za-z0-9]+"\},":SecretString:password::\}\}"\]\]\}$/,
      );
  });

  test('broker security group: AMQPS from the producer and the event source pollers, HTTPS from the topology handler, nothing else', () => {
    const brokerSg = logicalIdOf(s(), 'Broker/SecurityGroup');
    const ingress = Object.values(resourcesOfType(s().json, 'AWS::EC2::SecurityGroupIngress'))
      .map((r) => r.Properties as Record<string, { 'Fn::GetAtt': string[] }>)
      .filter((p) => p.GroupId['Fn::GetAtt'][0] === brokerSg)
      .map((p) => `${p.SourceSecurityGroupId['Fn::GetAtt'][0]}:${p.FromPort}-${p.ToPort}`)
      .sort();
    expect(ingress).toEqual(
      [
        `${brokerSg}:5671-5671`,
        `${logicalIdOf(s(), 'Functions/ProducerSecurityGroup')}:5671-5671`,
        `${logicalIdOf(s(), 'Topology/HandlerSecurityGroup')}:443-443`,
      ].sort(),
    );
  });

  test('no security group admits traffic from the internet', () => {
    expect(JSON.stringify(resourcesOfType(s().json, 'AWS::EC2::SecurityGroupIngress'))).not.toMatch(
      /0\.0\.0\.0\/0|::\/0/,
    );
    for (const sg of Object.values(resourcesOfType(s().json, 'AWS::EC2::SecurityGroup')))
      expect(sg.Properties?.SecurityGroupIngress).toBeUndefined();
  });

  test('SQS: queue and DLQ encrypted and TLS-only, redrive after 5 receives, visibility 6 x consumer timeout', () => {
    const { template } = s();
    const dlq = logicalIdOf(s(), 'Queues/DeadLetterQueue');
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedriveAllowPolicy: Match.objectLike({ redrivePermission: 'byQueue' }),
    });
    template.resourceCountIs('AWS::SQS::Queue', expected.receipts ? 3 : 2);
    template.resourceCountIs('AWS::SQS::QueuePolicy', expected.receipts ? 3 : 2);
  });

  test(`data and credentials: ${expected.deletion} when the stack or resource goes`, () => {
    const policyOf = (path: string) =>
      (s().json.Resources[logicalIdOf(s(), path)] as { DeletionPolicy?: string }).DeletionPolicy;
    for (const path of ['Broker/AdminSecret', 'Queues/Queue', 'Queues/DeadLetterQueue', 'Outcomes/IdempotencyTable'])
      expect(policyOf(path)).toBe(expected.deletion);
  });

  test('the three functions: nodejs24.x on arm64, explicit log groups with retention, active tracing', () => {
    for (const name of ['Producer', 'Bridge', 'Consumer']) {
      const props = fnProps(name);
      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
      const logGroup = props.LoggingConfig.LogGroup.Ref;
      expect(s().json.Resources[logGroup]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: expected.retention },
        DeletionPolicy: expected.deletion,
      });
    }
    expect(fnProps('Producer')).toMatchObject({ MemorySize: 512, Timeout: 30 });
    expect(fnProps('Bridge')).toMatchObject({ MemorySize: 512, Timeout: 60 });
    expect(fnProps('Consumer')).toMatchObject({ MemorySize: 256, Timeout: 30 });
  });

  test(`every log group the stack owns keeps ${expected.retention} days and is ${expected.deletion === 'Delete' ? 'deleted' : 'retained'} with the stack`, () => {
    const logGroups = Object.entries(resourcesOfType(s().json, 'AWS::Logs::LogGroup'));
    expect(logGroups.length).toBeGreaterThanOrEqual(8);
    for (const [id, logGroup] of logGroups) {
      expect([id, logGroup.Properties?.RetentionInDays, logGroup.DeletionPolicy]).toEqual([
        id,
        expected.retention,
        expected.deletion,
      ]);
    }
    s().template.hasResourceProperties('Custom::LogRetention', { RetentionInDays: expected.retention });
  });

  test('no function anywhere in the stack runs on a runtime older than nodejs22.x', () => {
    const runtimes = Object.values(resourcesOfType(s().json, 'AWS::Lambda::Function')).map((r) =>
      String(r.Properties?.Runtime),
    );
    expect(runtimes.length).toBeGreaterThanOrEqual(3);
    for (const runtime of runtimes) expect(Number(/^nodejs(\d+)\.x$/.exec(runtime)?.[1])).toBeGreaterThanOrEqual(22);
  });

  test('environment variables are exactly the documented ones', () => {
    const env = (name: string) => fnProps(name).Environment.Variables;
    const powertools = {
      POWERTOOLS_SERVICE_NAME: expect.any(String),
      POWERTOOLS_METRICS_NAMESPACE: `MqCloudIntegration-${expected.stage}`,
      POWERTOOLS_LOG_LEVEL: expected.logLevel,
      NODE_OPTIONS: '--enable-source-maps',
    };
    expect(env('Producer')).toEqual({
      ...powertools,
      BROKER_AMQPS_ENDPOINT: {
        'Fn::Select': [0, { 'Fn::GetAtt': [logicalIdOf(s(), 'Broker/Broker'), 'AmqpEndpoints'] }],
      },
      BROKER_SECRET_ARN: { Ref: logicalIdOf(s(), 'Topology/User-producer') },
      VHOST: 'integration',
      EXCHANGE: 'events',
      ROUTING_KEY: 'event',
      CONFIRM_TIMEOUT_MS: '10000',
      MAX_BODY_BYTES: expected.maxBodyBytes,
      BROKER_MAX_MESSAGE_SIZE_BYTES: expected.brokerMaxMessageSize,
    });
    expect(env('Bridge')).toEqual({
      ...powertools,
      TARGET_QUEUE_URL: { Ref: logicalIdOf(s(), 'Queues/Queue') },
      SEND_PARALLELISM: '4',
      MAX_BODY_BYTES: expected.maxBodyBytes,
      BROKER_MAX_MESSAGE_SIZE_BYTES: expected.brokerMaxMessageSize,
    });
    expect(env('Consumer')).toEqual({
      ...powertools,
      IDEMPOTENCY_TABLE_NAME: { Ref: logicalIdOf(s(), 'Outcomes/IdempotencyTable') },
      // 14-day DLQ retention (longer than the queue's 4 days) + 1 day.
      IDEMPOTENCY_EXPIRY_SECONDS: '1296000',
      SOURCE_QUEUE_URL: { Ref: logicalIdOf(s(), 'Queues/Queue') },
      ...(expected.receipts ? { RECEIPTS_QUEUE_URL: { Ref: logicalIdOf(s(), 'Outcomes/ReceiptsQueue') } } : {}),
    });
    expect([env('Producer'), env('Bridge'), env('Consumer')].map((e) => e.POWERTOOLS_SERVICE_NAME)).toEqual([
      'producer',
      'bridge',
      'consumer',
    ]);
  });

  test('producer and bridge run in the private subnets with their own security groups; the consumer outside the VPC', () => {
    for (const name of ['Producer', 'Bridge']) {
      expect(fnProps(name).VpcConfig).toEqual({
        SecurityGroupIds: [{ 'Fn::GetAtt': [logicalIdOf(s(), `Functions/${name}SecurityGroup`), 'GroupId'] }],
        SubnetIds: expect.arrayContaining([{ Ref: expect.stringMatching(/^NetworkVpcPrivateSubnet/) }]),
      });
    }
    expect(fnProps('Consumer').VpcConfig).toBeUndefined();
  });

  test('RabbitMQ event source: the source queue in the vhost, BASIC_AUTH with the event-source user, created after the topology', () => {
    const mapping = Object.values(resourcesOfType(s().json, 'AWS::Lambda::EventSourceMapping')).find(
      (m) => m.Properties?.Queues,
    );
    expect(mapping?.Properties).toEqual({
      BatchSize: 100,
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(s(), 'Broker/Broker'), 'Arn'] },
      FunctionName: { Ref: logicalIdOf(s(), 'Functions/Bridge') },
      Queues: ['events.to-sqs'],
      SourceAccessConfigurations: [
        { Type: 'VIRTUAL_HOST', URI: 'integration' },
        { Type: 'BASIC_AUTH', URI: { Ref: logicalIdOf(s(), 'Topology/User-event-source') } },
      ],
    });
    expect(mapping?.DependsOn).toEqual(
      expect.arrayContaining([
        logicalIdOf(s(), 'Topology/Resource'),
        expect.stringMatching(/^FunctionsBridgeRoleDefaultPolicy/),
      ]),
    );
  });

  test(`SQS event source: partial batch failures, batch 10, at most ${expected.concurrency} concurrent consumers`, () => {
    s().template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(s(), 'Queues/Queue'), 'Arn'] },
      FunctionName: { Ref: logicalIdOf(s(), 'Functions/Consumer') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: expected.concurrency },
    });
  });

  test('least privilege: no wildcard action anywhere, and `*` resources only for actions without resource scope', () => {
    for (const [id, policy] of Object.entries(resourcesOfType(s().json, 'AWS::IAM::Policy'))) {
      for (const statement of (
        policy.Properties as { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } }
      ).PolicyDocument.Statement) {
        const actions = ([] as string[]).concat(statement.Action);
        for (const action of actions) expect(`${id}: ${action}`).not.toMatch(/:\*$|: \*$/);
        if (([] as unknown[]).concat(statement.Resource).includes('*')) {
          for (const action of actions)
            expect([id, action, ACTIONS_WITHOUT_RESOURCE_SCOPE.has(action)]).toEqual([id, action, true]);
        }
      }
    }
  });

  test('each function may touch only its own resources', () => {
    const statementsOf = (role: string) =>
      (
        s().json.Resources[logicalIdOf(s(), `Functions/${role}Role/DefaultPolicy`)].Properties.PolicyDocument
          .Statement as { Action: string | string[]; Resource: unknown }[]
      )
        .filter((st) => st.Resource !== '*')
        .map((st) => [([] as string[]).concat(st.Action).sort().join(','), JSON.stringify(st.Resource)]);
    const ref = (path: string) => JSON.stringify({ Ref: logicalIdOf(s(), path) });
    const arn = (path: string) => JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(s(), path), 'Arn'] });
    const logs = 'logs:CreateLogStream,logs:PutLogEvents';
    expect(statementsOf('Producer')).toEqual([
      [logs, arn('Functions/ProducerLogGroup')],
      ['secretsmanager:DescribeSecret,secretsmanager:GetSecretValue', ref('Topology/User-producer')],
    ]);
    expect(statementsOf('Bridge')).toEqual([
      [logs, arn('Functions/BridgeLogGroup')],
      ['sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage', arn('Queues/Queue')],
      ['secretsmanager:DescribeSecret,secretsmanager:GetSecretValue', ref('Topology/User-event-source')],
      ['mq:DescribeBroker', arn('Broker/Broker')],
    ]);
    expect(statementsOf('Consumer')).toEqual([
      [logs, arn('Functions/ConsumerLogGroup')],
      ['dynamodb:DeleteItem,dynamodb:GetItem,dynamodb:PutItem,dynamodb:UpdateItem', arn('Outcomes/IdempotencyTable')],
      ...(expected.receipts
        ? [['sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:SendMessage', arn('Outcomes/ReceiptsQueue')]]
        : []),
      [
        'sqs:ChangeMessageVisibility,sqs:DeleteMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl,sqs:ReceiveMessage',
        arn('Queues/Queue'),
      ],
    ]);
  });

  test('the consumer may change the visibility of the queue it reads (fail-fast of invalid records), and of no other', () => {
    const statements = (
      s().json.Resources[logicalIdOf(s(), 'Functions/ConsumerRole/DefaultPolicy')].Properties.PolicyDocument
        .Statement as { Action: string | string[]; Resource: unknown }[]
    ).filter((st) => ([] as string[]).concat(st.Action).includes('sqs:ChangeMessageVisibility'));
    expect(statements.map((st) => st.Resource)).toEqual([{ 'Fn::GetAtt': [logicalIdOf(s(), 'Queues/Queue'), 'Arn'] }]);
    expect(fnProps('Consumer').Environment.Variables.SOURCE_QUEUE_URL).toEqual({
      Ref: logicalIdOf(s(), 'Queues/Queue'),
    });
  });

  test('execution roles carry no AWS managed policy', () => {
    for (const role of ['Producer', 'Bridge', 'Consumer']) {
      expect(
        s().json.Resources[logicalIdOf(s(), `Functions/${role}Role`)].Properties.ManagedPolicyArns,
      ).toBeUndefined();
    }
  });

  test('the topology custom resource is applied with the broker admin secret through the management endpoint', () => {
    s().template.hasResourceProperties('Custom::RabbitMqTopology', {
      ManagementEndpoint: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      AdminSecretArn: { Ref: logicalIdOf(s(), 'Broker/AdminSecret') },
    });
  });

  test('network: private subnets only, no NAT, four interface endpoints, flow logs', () => {
    const { template } = s();
    template.resourceCountIs('AWS::EC2::Subnet', expected.stage === 'prod' ? 3 : 2);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  test('outputs: the keys the verify command and operators read', () => {
    const keys = Object.keys(s().json.Outputs).sort();
    const wanted = Object.values(OUTPUTS).filter((k) => expected.receipts || k !== OUTPUTS.receiptsQueueUrl);
    expect(keys).toEqual([...wanted].sort());
    for (const key of Object.values(OUTPUT_KEYS)) expect(Object.values(OUTPUTS)).toContain(key);
    expect(s().json.Outputs[OUTPUTS.brokerName].Value).toBe(`mq-cloud-integration-${expected.stage}`);
    expect(s().json.Outputs[OUTPUTS.queueUrl].Value).toEqual({ Ref: logicalIdOf(s(), 'Queues/Queue') });
    expect(s().json.Outputs[OUTPUTS.deadLetterQueueUrl].Value).toEqual({
      Ref: logicalIdOf(s(), 'Queues/DeadLetterQueue'),
    });
    expect(s().json.Outputs[OUTPUTS.producerFunctionName].Value).toEqual({
      Ref: logicalIdOf(s(), 'Functions/Producer'),
    });
    expect(s().json.Outputs[OUTPUTS.rabbitMqDeadLetterQueue].Value).toBe('events.dead-letter');
  });

  test('the broker gives monitoring what it needs', () => {
    const broker: MonitoredBroker = s().stack.broker;
    expect(broker).toMatchObject({
      brokerName: `mq-cloud-integration-${expected.stage}`,
      deploymentMode: expected.mode,
      engineVersion: expected.engine,
      instanceType: expected.instance,
    });
  });
});

test('dev can be destroyed cleanly: nothing that holds data or credentials is retained', () => {
  const retained = Object.entries(get('dev').json.Resources as Record<string, { DeletionPolicy?: string }>)
    .filter(([, r]) => r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate')
    .map(([id]) => id);
  // The alarm topic's KMS key is kept on purpose (see lib/constructs/monitoring-alarm-topic.ts); it does not block deletion.
  expect(retained).toEqual([logicalIdOf(get('dev'), 'Monitoring/AlarmTopic/Key')]);
});

describe('variants', () => {
  const envOf = (s: SynthesizedStage, fn: string) =>
    s.json.Resources[logicalIdOf(s, `Functions/${fn}`)].Properties.Environment.Variables;

  test('FIFO queues: both queues FIFO, the bridge learns the group field, records outlive both retentions', () => {
    const s = synthStage('dev', { queues: { fifo: true, messageGroupIdField: 'type' } });
    s.template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    expect(
      Object.values(resourcesOfType(s.json, 'AWS::SQS::Queue')).filter((q) => q.Properties?.FifoQueue === true),
    ).toHaveLength(2);
    expect(envOf(s, 'Bridge').MESSAGE_GROUP_ID_FIELD).toBe('type');
    // A FIFO DLQ restarts a message's retention: 4 days in the queue + 14 in the DLQ + 1 day.
    expect(envOf(s, 'Consumer').IDEMPOTENCY_EXPIRY_SECONDS).toBe(String(19 * 86_400));
  });

  test('an explicit idempotency expiry reaches the consumer', () => {
    const s = synthStage('prod', { functions: { consumer: { idempotencyExpirySeconds: 30 * 86_400 } } });
    expect(envOf(s, 'Consumer').IDEMPOTENCY_EXPIRY_SECONDS).toBe('2592000');
  });

  test('an existing VPC: no VPC is created and the broker uses its subnets', () => {
    const s = synthStage('dev', {
      network: {
        existingVpc: {
          vpcId: 'vpc-0123456789abcdef0',
          vpcCidrBlock: '10.1.0.0/16',
          availabilityZones: ['eu-west-1a', 'eu-west-1b'],
          privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        },
      },
    });
    s.template.resourceCountIs('AWS::EC2::VPC', 0);
    s.template.hasResourceProperties('AWS::AmazonMQ::Broker', { SubnetIds: ['subnet-0123456789abcdef0'] });
  });
});
