import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Vpc } from 'aws-cdk-lib/aws-ec2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { loadStageConfig, type StageConfigOverrides } from '../../lib/config/stages';
import { stageConfigIssues } from '../../lib/config/validation';
import { projectFunction } from '../../lib/constructs/project-function';
import { QueueWithDeadLetterQueue } from '../../lib/constructs/queue-with-dead-letter-queue';
import { RabbitMqBroker } from '../../lib/constructs/rabbitmq-broker';

/**
 * Every configuration AWS would refuse at deploy time (ARCHITECTURE §4 and the delivery rules) is refused at synth,
 * with a message that names the field, the value received and what is allowed.
 */

const EXISTING_VPC = { vpcId: 'vpc-0123456789abcdef0', vpcCidrBlock: '10.1.0.0/16' };

/** Builds the broker construct with one change to otherwise valid props. */
function broker(overrides: Partial<ConstructorParameters<typeof RabbitMqBroker>[2]>, maxAzs = 3): void {
  const stack = new Stack(new App(), 'Broker');
  const vpc = new Vpc(stack, 'Vpc', { maxAzs, natGateways: 0 });
  new RabbitMqBroker(stack, 'Broker', {
    vpc,
    vpcSubnets: { subnets: vpc.isolatedSubnets },
    brokerName: 'broker',
    engineVersion: '4.2',
    instanceType: 'mq.m7g.large',
    deploymentMode: 'CLUSTER_MULTI_AZ',
    logRetention: RetentionDays.ONE_WEEK,
    ...overrides,
  });
}

type Case = [name: string, refuse: () => unknown, message: RegExp];

const config = (stage: string, overrides: StageConfigOverrides) => () => loadStageConfig(stage, overrides);

const cases: Case[] = [
  // Amazon MQ for RabbitMQ: engine, instance type and deployment mode matrix.
  [
    'RabbitMQ 4.x on an m5 instance',
    config('prod', { broker: { instanceType: 'mq.m5.large' } }),
    /broker\.engineVersion: got "4\.2"; RabbitMQ 4\.x runs only on mq\.m7g\.\* instance types, not on mq\.m5\.large/,
  ],
  [
    'mq.t3.micro with RabbitMQ 4.2',
    config('dev', { broker: { engineVersion: '4.2' } }),
    /broker\.instanceType: got "mq\.t3\.micro"; mq\.t3\.micro runs only RabbitMQ 3\.13, not 4\.2/,
  ],
  [
    'mq.t3.micro as a cluster',
    config('prod', { broker: { instanceType: 'mq.t3.micro', engineVersion: '3.13' } }),
    /broker\.instanceType: got "mq\.t3\.micro"; mq\.t3\.micro is single-instance only/,
  ],
  [
    'an engine version past end of support',
    config('dev', { broker: { engineVersion: '3.12' } }),
    /broker\.engineVersion: got "3\.12"; allowed: 3\.13, 4\.2 \(3\.11 and 3\.12 reached end of support\)/,
  ],
  [
    'an instance type Amazon MQ does not offer',
    config('prod', { broker: { instanceType: 'mq.m6g.large' } }),
    /broker\.instanceType: got "mq\.m6g\.large"; allowed: mq\.t3\.micro, mq\.m5\.large/,
  ],
  [
    'the ActiveMQ-only deployment mode',
    config('prod', { broker: { deploymentMode: 'ACTIVE_STANDBY_MULTI_AZ' as never } }),
    /broker\.deploymentMode: got "ACTIVE_STANDBY_MULTI_AZ"; allowed: SINGLE_INSTANCE, CLUSTER_MULTI_AZ \(ACTIVE_STANDBY_MULTI_AZ is ActiveMQ only\)/,
  ],
  [
    'a customer managed KMS key',
    config('prod', { broker: { kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/abc' } }),
    /broker\.kmsKeyArn: got "arn:aws:kms:eu-west-1:111122223333:key\/abc"; must be left out: Amazon MQ refuses a customer managed KMS key for RabbitMQ brokers/,
  ],
  [
    'audit logs',
    config('dev', { broker: { auditLogs: true } }),
    /broker\.auditLogs: got true; must be false: RabbitMQ brokers have no audit log/,
  ],
  [
    'automatic minor version upgrades off',
    config('prod', { broker: { autoMinorVersionUpgrade: false } }),
    /broker\.autoMinorVersionUpgrade: got false; must be true: Amazon MQ requires automatic minor version upgrades for RabbitMQ 3\.13 and later/,
  ],
  [
    'a public broker',
    config('dev', { broker: { publiclyAccessible: true } }),
    /broker\.publiclyAccessible: got true; must be false: the broker is reachable only inside the VPC/,
  ],
  // Names and users.
  [
    'a broker name with a space',
    config('dev', { broker: { brokerName: 'my broker' } }),
    /broker\.brokerName: got "my broker"; allowed: 1-50 characters of A-Z a-z 0-9 - _/,
  ],
  [
    'a broker name longer than 50 characters',
    config('dev', { broker: { brokerName: 'b'.repeat(51) } }),
    /broker\.brokerName: got "b{51}"; allowed: 1-50 characters/,
  ],
  [
    'the admin user named guest',
    config('dev', { broker: { adminUsername: 'guest' } }),
    /broker\.adminUsername: got "guest"; the username "guest" is refused by Amazon MQ/,
  ],
  [
    'an admin username with a colon',
    config('dev', { broker: { adminUsername: 'ad:min' } }),
    /broker\.adminUsername: got "ad:min"; allowed: 2-100 characters of A-Z a-z 0-9 - \. _ ~/,
  ],
  [
    'an admin user that is also a topology user',
    config('dev', { broker: { adminUsername: 'producer' } }),
    /broker\.adminUsername: got "producer"; must differ from the topology's users \(producer, event-source\)/,
  ],
  [
    'a maintenance window at 25:00',
    config('dev', { broker: { maintenanceWindow: { timeOfDay: '25:00' } } }),
    /broker\.maintenanceWindow\.timeOfDay: got "25:00"; allowed: 24-hour HH:MM/,
  ],
  [
    'a maintenance window in an unknown time zone',
    config('dev', { broker: { maintenanceWindow: { timeZone: 'Mars/Olympus' } } }),
    /broker\.maintenanceWindow\.timeZone: got "Mars\/Olympus"; allowed: an IANA time zone name/,
  ],
  // Subnets per deployment mode.
  [
    'a cluster in a two-AZ VPC',
    config('prod', { network: { maxAzs: 2 } }),
    /network\.maxAzs: got 2; a CLUSTER_MULTI_AZ broker takes 3 private subnets in 3 distinct availability zones/,
  ],
  [
    'a cluster in an existing VPC with one AZ',
    config('prod', {
      network: {
        existingVpc: {
          ...EXISTING_VPC,
          availabilityZones: ['eu-west-1a'],
          privateSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'],
        },
      },
    }),
    /network\.existingVpc\.privateSubnetIds: got 3; a CLUSTER_MULTI_AZ broker takes 3 private subnets in 3 distinct availability zones \(got 1 distinct AZs\)/,
  ],
  [
    'a cluster construct given two subnets',
    () => broker({}, 2),
    /Invalid RabbitMqBroker 'Broker' \(1 problem\):\n {2}- props\.vpcSubnets: got 2; a CLUSTER_MULTI_AZ broker takes 3 private subnets/,
  ],
  [
    'the broker construct with RabbitMQ 4.2 on m5',
    () => broker({ instanceType: 'mq.m5.large' }),
    /props\.engineVersion: got "4\.2"; RabbitMQ 4\.x runs only on mq\.m7g\.\* instance types/,
  ],
  // Network.
  [
    'a VPC CIDR too large',
    config('dev', { network: { cidr: '10.0.0.0/8' } }),
    /network\.cidr: got "10\.0\.0\.0\/8"; allowed: an IPv4 CIDR block with a \/16 to \/24 prefix/,
  ],
  [
    'more AZs than every region guarantees',
    config('prod', { network: { maxAzs: 4 } }),
    /network\.maxAzs: got 4; allowed: an integer from 1 to 3 \(AZs are picked in the deployment region, which guarantees three; deploy into an existingVpc for more\)/,
  ],
  [
    'more NAT gateways than AZs',
    config('dev', { network: { natGateways: 3 } }),
    /network\.natGateways: got 3; allowed: an integer from 0 to 2/,
  ],
  [
    'no endpoints and no NAT',
    config('dev', { network: { interfaceEndpoints: false } }),
    /network\.interfaceEndpoints: got false; with natGateways 0 the functions and the RabbitMQ event source reach SQS, Secrets Manager, Lambda and STS only through the interface endpoints/,
  ],
  [
    'a malformed VPC id',
    config('dev', {
      network: {
        existingVpc: {
          ...EXISTING_VPC,
          vpcId: 'vpc-xyz',
          availabilityZones: ['eu-west-1a'],
          privateSubnetIds: ['subnet-0123456789abcdef0'],
        },
      },
    }),
    /network\.existingVpc\.vpcId: got "vpc-xyz"; allowed: a VPC id like vpc-0123456789abcdef0/,
  ],
  // Functions.
  [
    'the deprecated nodejs18.x runtime',
    config('dev', { functions: { runtime: 'nodejs18.x' } }),
    /functions\.runtime: got "nodejs18\.x"; Lambda refuses to create functions on deprecated runtimes; allowed: nodejs22\.x, nodejs24\.x/,
  ],
  [
    'a runtime that is not Node.js',
    config('dev', { functions: { runtime: 'python3.13' } }),
    /functions\.runtime: got "python3\.13"; not a supported Node\.js runtime; allowed: nodejs22\.x, nodejs24\.x/,
  ],
  [
    'a function construct on nodejs20.x',
    () =>
      projectFunction(new Stack(new App(), 'Fn'), 'Fn', {
        entry: 'lambda/producer/index.ts',
        description: 'x',
        runtime: 'nodejs20.x',
        memorySize: 128,
        timeout: Duration.seconds(3),
        environment: {},
        logRetention: RetentionDays.ONE_DAY,
      }),
    /Invalid function 'Fn' \(1 problem\):\n {2}- props\.runtime: got "nodejs20\.x"; Lambda refuses to create functions on deprecated runtimes/,
  ],
  [
    'an unknown architecture',
    config('dev', { functions: { architecture: 'mips' as never } }),
    /functions\.architecture: got "mips"; allowed: arm64, x86_64/,
  ],
  [
    'memory below Lambda minimum',
    config('dev', { functions: { consumer: { memoryMb: 64 } } }),
    /functions\.consumer\.memoryMb: got 64; allowed: an integer from 128 to 10,240 MB/,
  ],
  [
    'a timeout above 15 minutes',
    config('dev', { functions: { bridge: { timeoutSeconds: 901 } } }),
    /functions\.bridge\.timeoutSeconds: got 901; allowed: an integer from 1 to 900 seconds/,
  ],
  [
    'a confirm timeout the producer cannot wait for',
    config('dev', { functions: { producer: { confirmTimeoutMs: 30_000 } } }),
    /functions\.producer\.confirmTimeoutMs: got 30000; must be at least 1000 ms shorter than the producer timeout \(30000 ms\)/,
  ],
  [
    'a confirm timeout that leaves the producer no time to publish before its deadline',
    config('dev', { functions: { producer: { confirmTimeoutMs: 29_001 } } }),
    /functions\.producer\.confirmTimeoutMs: got 29001; must be at least 1000 ms shorter than the producer timeout \(30000 ms\)/,
  ],
  // Event sources.
  [
    'a RabbitMQ batch above 10,000',
    config('dev', { eventSources: { rabbitMq: { batchSize: 10_001 } } }),
    /eventSources\.rabbitMq\.batchSize: got 10001; allowed: an integer from 1 to 10,000/,
  ],
  [
    'a RabbitMQ batching window above 5 minutes',
    config('dev', { eventSources: { rabbitMq: { maxBatchingWindowSeconds: 301 } } }),
    /eventSources\.rabbitMq\.maxBatchingWindowSeconds: got 301; allowed: an integer from 0 to 300 seconds/,
  ],
  [
    'an SQS batch of 11 from a FIFO queue',
    config('dev', {
      queues: { fifo: true, messageGroupIdField: 'type' },
      eventSources: { sqs: { batchSize: 11, maxBatchingWindowSeconds: 1 } },
    }),
    /eventSources\.sqs\.batchSize: got 11; allowed: an integer from 1 to 10 \(FIFO queues deliver at most 10 records per batch\)/,
  ],
  [
    'an SQS batch above 10 without a batching window',
    config('dev', { eventSources: { sqs: { batchSize: 100 } } }),
    /eventSources\.sqs\.maxBatchingWindowSeconds: got 0; a batch size above 10 \(here 100\) needs a batching window of at least 1 second/,
  ],
  [
    'an SQS batch above 10,000',
    config('dev', { eventSources: { sqs: { batchSize: 10_001, maxBatchingWindowSeconds: 1 } } }),
    /eventSources\.sqs\.batchSize: got 10001; allowed: an integer from 1 to 10,000/,
  ],
  [
    'SQS maximum concurrency below 2',
    config('dev', { eventSources: { sqs: { maxConcurrency: 1 } } }),
    /eventSources\.sqs\.maxConcurrency: got 1; allowed: an integer from 2 to 1,000/,
  ],
  // Queues.
  [
    'a visibility timeout shorter than 6 x the consumer timeout',
    config('dev', { queues: { visibilityTimeoutSeconds: 60 } }),
    /queues\.visibilityTimeoutSeconds: got 60; must be at least 180 s = 6 × consumer timeout \(30 s\) \+ batching window \(0 s\)/,
  ],
  [
    'a queue construct whose visibility timeout misses the batching window',
    () =>
      new QueueWithDeadLetterQueue(new Stack(new App(), 'Q'), 'Queues', {
        consumerTimeout: Duration.seconds(10),
        consumerBatchingWindow: Duration.seconds(5),
        visibilityTimeout: Duration.seconds(60),
      }),
    /Invalid QueueWithDeadLetterQueue 'Queues' \(1 problem\):\n {2}- props\.visibilityTimeoutSeconds: got 60; must be at least 65 s/,
  ],
  [
    'a FIFO queue with a standard dead-letter queue',
    () => {
      const stack = new Stack(new App(), 'Q');
      new QueueWithDeadLetterQueue(stack, 'Queues', {
        consumerTimeout: Duration.seconds(10),
        fifo: true,
        deadLetterQueue: new Queue(stack, 'Standard'),
      });
    },
    /props\.fifo: got true; the dead-letter queue of a FIFO queue must also be FIFO \(dead-letter queue fifo: false\)/,
  ],
  [
    'a standard queue with a FIFO dead-letter queue',
    () => {
      const stack = new Stack(new App(), 'Q');
      new QueueWithDeadLetterQueue(stack, 'Queues', {
        consumerTimeout: Duration.seconds(10),
        deadLetterQueue: new Queue(stack, 'Fifo', { fifo: true }),
      });
    },
    /props\.fifo: got false; the dead-letter queue of a standard queue must also be standard \(dead-letter queue fifo: true\)/,
  ],
  [
    'maxReceiveCount 0',
    config('dev', { queues: { maxReceiveCount: 0 } }),
    /queues\.maxReceiveCount: got 0; allowed: an integer from 1 to 1,000/,
  ],
  [
    'a DLQ that keeps messages shorter than the queue',
    config('dev', { queues: { retentionSeconds: 1_209_600, deadLetterRetentionSeconds: 345_600 } }),
    /queues\.deadLetterRetentionSeconds: got 345600; must be at least the source queue's retention \(1209600 s\)/,
  ],
  [
    'a retention above 14 days',
    config('dev', { queues: { retentionSeconds: 1_209_601 } }),
    /queues\.retentionSeconds: got 1209601; allowed: an integer from 60 to 1,209,600 seconds/,
  ],
  [
    'an empty message group field',
    config('dev', { queues: { fifo: true, messageGroupIdField: '' } }),
    /queues\.messageGroupIdField: got ""; allowed: the dotted path of the message field that supplies the message group id, e\.g\. "type" or "payload\.customerId"; absent puts every message in one group/,
  ],
  [
    'a message group field with an empty path segment',
    config('dev', { queues: { fifo: true, messageGroupIdField: 'payload..id' } }),
    /queues\.messageGroupIdField: got "payload\.\.id"; allowed: the dotted path/,
  ],
  [
    'a message group field on standard queues',
    config('dev', { queues: { messageGroupIdField: 'type' } }),
    /queues\.messageGroupIdField: got "type"; only allowed with fifo: true/,
  ],
  // Idempotency: a record must outlive every copy SQS can still bring back.
  [
    'an idempotency expiry shorter than the DLQ retention',
    config('dev', { functions: { consumer: { idempotencyExpirySeconds: 86_400 } } }),
    /functions\.consumer\.idempotencyExpirySeconds: got 86400; must be at least 1209600 s = the longer of queues\.retentionSeconds \(345600 s\) and queues\.deadLetterRetentionSeconds \(1209600 s\); a copy redriven from the DLQ after its idempotency record expired would have a second effect/,
  ],
  [
    'a FIFO idempotency expiry shorter than queue + DLQ retention',
    config('dev', {
      queues: { fifo: true, messageGroupIdField: 'type' },
      functions: { consumer: { idempotencyExpirySeconds: 1_209_600 } },
    }),
    /functions\.consumer\.idempotencyExpirySeconds: got 1209600; must be at least 1555200 s = the sum of queues\.retentionSeconds \(345600 s\) and queues\.deadLetterRetentionSeconds \(1209600 s\), as a FIFO queue restarts a message's retention/,
  ],
  [
    'an idempotency expiry in milliseconds',
    config('dev', { functions: { consumer: { idempotencyExpirySeconds: 1_296_000_000 } } }),
    /functions\.consumer\.idempotencyExpirySeconds: got 1296000000; allowed: an integer from 60 to 31,536,000 seconds \(1 minute to 365 days\)/,
  ],
  // Stage-wide.
  [
    'a log retention CloudWatch does not offer',
    config('dev', { logRetentionDays: 10 }),
    /logRetentionDays: got 10; allowed \(CloudWatch Logs\): 1, 3, 5, 7, 14, 30/,
  ],
  [
    'receipts given as a string',
    config('dev', { verification: { receipts: 'yes' as never } }),
    /verification\.receipts: got "yes"; allowed: true or false/,
  ],
];

describe('refused at synth', () => {
  test('the table covers at least 15 invalid configurations', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  test.each(cases)('%s', (_name, refuse, message) => {
    expect(refuse).toThrow(message);
  });
});

describe('reporting', () => {
  test('every problem of a config is listed at once', () => {
    expect(() =>
      loadStageConfig('prod', {
        broker: { instanceType: 'mq.m5.large', auditLogs: true },
        queues: { maxReceiveCount: 0 },
      }),
    ).toThrow(
      /Invalid configuration for stage 'prod' \(3 problems\):\n {2}- broker\.engineVersion: .*\n {2}- broker\.auditLogs: .*\n {2}- queues\.maxReceiveCount: /,
    );
  });

  test('the shipped stages have no problems', () => {
    expect(stageConfigIssues(loadStageConfig('dev'))).toEqual([]);
    expect(stageConfigIssues(loadStageConfig('prod'))).toEqual([]);
  });

  test('values that are only known at deploy time are not judged at synth', () => {
    const stack = new Stack(new App(), 'Tokens');
    const deployTime = Duration.seconds(new CfnParameter(stack, 'VisibilityTimeout', { type: 'Number' }).valueAsNumber);
    expect(
      () =>
        new QueueWithDeadLetterQueue(stack, 'Queues', {
          consumerTimeout: Duration.seconds(10),
          visibilityTimeout: deployTime,
        }),
    ).not.toThrow();
    expect(
      () =>
        new QueueWithDeadLetterQueue(stack, 'Literal', {
          consumerTimeout: Duration.seconds(10),
          visibilityTimeout: Duration.seconds(59),
        }),
    ).toThrow(/must be at least 60 s/);
  });
});
