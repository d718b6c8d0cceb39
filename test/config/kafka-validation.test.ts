import { devKafkaDefaults, prodKafkaDefaults } from '../../lib/config/kafka';
import { kafkaConfigIssues, MSK_KAFKA_VERSIONS } from '../../lib/config/kafka-rules';
import { loadStageConfig, type StageConfigOverrides } from '../../lib/config/stages';

/**
 * The Kafka config: off by default in every stage, on with `{"kafka":{"enabled":true}}`, and every value MSK or the
 * MSK event source would refuse is refused at synth, naming the field, the value and what is allowed.
 */

const kafkaOn = (kafka: Record<string, unknown>, network?: Record<string, unknown>): StageConfigOverrides =>
  ({ kafka: { enabled: true, ...kafka }, ...(network ? { network } : {}) }) as StageConfigOverrides;

describe('defaults', () => {
  it.each(['dev', 'prod'])('%s: Kafka is off', (stage) => {
    expect(loadStageConfig(stage).kafka.enabled).toBe(false);
  });

  it('dev: two t3.small Standard brokers on 3.9.x, 20 GiB, topic events with 3 partitions and 2 copies', () => {
    expect(loadStageConfig('dev').kafka).toEqual(devKafkaDefaults());
    expect(devKafkaDefaults()).toMatchObject({
      cluster: {
        brokerType: 'kafka.t3.small',
        brokerCount: 2,
        kafkaVersion: '3.9.x',
        volumeSizeGb: 20,
        enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      },
      topic: { name: 'events', partitions: 3, replicationFactor: 2, retentionHours: 168 },
      eventSource: {
        batchSize: 100,
        maxBatchingWindowSeconds: 1,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 3,
        bisectBatchOnFunctionError: true,
        minimumPollers: 1,
        maximumPollers: 2,
      },
      producer: { memoryMb: 512, timeoutSeconds: 30, sendTimeoutMs: 10_000 },
      bridge: { memoryMb: 512, timeoutSeconds: 60 },
      alarms: { maxOffsetLag: 10_000, maxTimeLagSeconds: 300, brokerDiskUsedPercent: 80, brokerCpuPercent: 80 },
    });
  });

  it('prod: three m7g.large brokers, 500 GiB, 6 partitions with 3 copies, up to 6 pollers', () => {
    expect(loadStageConfig('prod').kafka).toEqual(prodKafkaDefaults());
    expect(prodKafkaDefaults()).toMatchObject({
      cluster: { brokerType: 'kafka.m7g.large', brokerCount: 3, volumeSizeGb: 500 },
      topic: { partitions: 6, replicationFactor: 3 },
      eventSource: { maximumPollers: 6 },
    });
  });

  it.each(['dev', 'prod'])('%s defaults are valid when switched on', (stage) => {
    expect(loadStageConfig(stage, kafkaOn({})).kafka.enabled).toBe(true);
  });

  it('a disabled Kafka config is not checked beyond its switch', () => {
    expect(
      kafkaConfigIssues({ ...devKafkaDefaults(), cluster: { ...devKafkaDefaults().cluster, brokerCount: 7 } }, 2),
    ).toEqual([]);
  });
});

type Case = [name: string, stage: string, overrides: StageConfigOverrides, message: RegExp];

const cases: Case[] = [
  [
    'enabled not a boolean',
    'dev',
    { kafka: { enabled: 'yes' } } as unknown as StageConfigOverrides,
    /kafka\.enabled: got "yes"; allowed: true or false/,
  ],
  [
    'unknown broker type',
    'dev',
    kafkaOn({ cluster: { brokerType: 'kafka.t2.micro' } }),
    /kafka\.cluster\.brokerType: got "kafka\.t2\.micro"; allowed: Standard kafka\.t3\.small/,
  ],
  [
    'unknown Express size',
    'prod',
    kafkaOn({ cluster: { brokerType: 'express.m5.large', kafkaVersion: '3.8.x' } }),
    /kafka\.cluster\.brokerType: got "express\.m5\.large"; allowed:.*Express express\.m7g\.large/,
  ],
  [
    'Kafka older than 3.6 (no topics as code)',
    'dev',
    kafkaOn({ cluster: { kafkaVersion: '3.5.1' } }),
    /kafka\.cluster\.kafkaVersion: got "3\.5\.1"; allowed: 3\.6\.0, 3\.7\.x, 3\.8\.x, 3\.9\.x, 4\.0\.x, 4\.1\.x/,
  ],
  [
    'Express on a version Express does not run',
    'prod',
    kafkaOn({ cluster: { brokerType: 'express.m7g.large', kafkaVersion: '4.1.x' } }),
    /kafka\.cluster\.kafkaVersion: got "4\.1\.x"; Express brokers \(express\.m7g\.large\) run only 3\.6\.0, 3\.8\.x/,
  ],
  [
    'Express with two AZs',
    'dev',
    kafkaOn({ cluster: { brokerType: 'express.m7g.large', kafkaVersion: '3.8.x' } }),
    /kafka\.cluster\.brokerType: got "express\.m7g\.large"; Express brokers need 3 availability zones; the network has 2/,
  ],
  [
    'broker count not a multiple of the AZs',
    'prod',
    kafkaOn({ cluster: { brokerCount: 4 } }),
    /kafka\.cluster\.brokerCount: got 4; must be a multiple of the 3 availability zones/,
  ],
  [
    'broker count zero',
    'dev',
    kafkaOn({ cluster: { brokerCount: 0 } }),
    /kafka\.cluster\.brokerCount: got 0; allowed: an integer from 1 to 30/,
  ],
  [
    'one AZ',
    'dev',
    kafkaOn({}, { maxAzs: 1 }),
    /network: got 1; MSK needs private subnets in at least 2 availability zones/,
  ],
  [
    'volume too large',
    'dev',
    kafkaOn({ cluster: { volumeSizeGb: 20_000 } }),
    /kafka\.cluster\.volumeSizeGb: got 20000; allowed: an integer from 1 to 16,384 GiB/,
  ],
  [
    'unknown monitoring level',
    'dev',
    kafkaOn({ cluster: { enhancedMonitoring: 'ALL' } }),
    /kafka\.cluster\.enhancedMonitoring: got "ALL"; allowed: DEFAULT, PER_BROKER/,
  ],
  [
    'topic name with a space',
    'dev',
    kafkaOn({ topic: { name: 'my events' } }),
    /kafka\.topic\.name: got "my events"; allowed: 1–249 characters/,
  ],
  ['topic name ".."', 'dev', kafkaOn({ topic: { name: '..' } }), /kafka\.topic\.name: got "\.\."/],
  [
    'zero partitions',
    'dev',
    kafkaOn({ topic: { partitions: 0 } }),
    /kafka\.topic\.partitions: got 0; allowed: an integer from 1 to 1,000/,
  ],
  [
    'more copies than brokers',
    'dev',
    kafkaOn({ topic: { replicationFactor: 3 } }),
    /kafka\.topic\.replicationFactor: got 3; must not exceed the broker count \(2\)/,
  ],
  [
    'replication factor 4',
    'prod',
    kafkaOn({ topic: { replicationFactor: 4 } }),
    /kafka\.topic\.replicationFactor: got 4; allowed: an integer from 1 to 3/,
  ],
  [
    'retention zero',
    'dev',
    kafkaOn({ topic: { retentionHours: 0 } }),
    /kafka\.topic\.retentionHours: got 0; allowed: an integer from 1 to 87,600 hours/,
  ],
  [
    'batch 10,001',
    'dev',
    kafkaOn({ eventSource: { batchSize: 10_001 } }),
    /kafka\.eventSource\.batchSize: got 10001; allowed: an integer from 1 to 10,000/,
  ],
  [
    'window 301 s',
    'dev',
    kafkaOn({ eventSource: { maxBatchingWindowSeconds: 301 } }),
    /kafka\.eventSource\.maxBatchingWindowSeconds: got 301; allowed: an integer from 0 to 300 seconds/,
  ],
  [
    'unknown starting position',
    'dev',
    kafkaOn({ eventSource: { startingPosition: 'AT_TIMESTAMP' } }),
    /kafka\.eventSource\.startingPosition: got "AT_TIMESTAMP"; allowed: TRIM_HORIZON, LATEST/,
  ],
  [
    'retries -2',
    'dev',
    kafkaOn({ eventSource: { maximumRetryAttempts: -2 } }),
    /kafka\.eventSource\.maximumRetryAttempts: got -2; allowed: an integer from 0 to 10,000, or -1/,
  ],
  [
    'bisect not a boolean',
    'dev',
    kafkaOn({ eventSource: { bisectBatchOnFunctionError: 'yes' } }),
    /kafka\.eventSource\.bisectBatchOnFunctionError: got "yes"; allowed: true or false/,
  ],
  [
    'zero pollers',
    'dev',
    kafkaOn({ eventSource: { minimumPollers: 0 } }),
    /kafka\.eventSource\.minimumPollers: got 0; allowed: an integer from 1 to 200/,
  ],
  [
    'maximum below minimum pollers',
    'dev',
    kafkaOn({ eventSource: { minimumPollers: 3, maximumPollers: 2 } }),
    /kafka\.eventSource\.maximumPollers: got 2; must be at least minimumPollers \(3\)/,
  ],
  [
    'producer memory',
    'dev',
    kafkaOn({ producer: { memoryMb: 64 } }),
    /kafka\.producer\.memoryMb: got 64; allowed: an integer from 128 to 10,240 MB/,
  ],
  [
    'bridge timeout',
    'dev',
    kafkaOn({ bridge: { timeoutSeconds: 901 } }),
    /kafka\.bridge\.timeoutSeconds: got 901; allowed: an integer from 1 to 900 seconds/,
  ],
  [
    'send timeout past the function timeout',
    'dev',
    kafkaOn({ producer: { sendTimeoutMs: 30_000 } }),
    /kafka\.producer\.sendTimeoutMs: got 30000; must be shorter than the producer timeout \(30000 ms\)/,
  ],
  [
    'offset lag threshold',
    'dev',
    kafkaOn({ alarms: { maxOffsetLag: 0 } }),
    /kafka\.alarms\.maxOffsetLag: got 0; allowed: an integer from 1/,
  ],
  [
    'disk threshold',
    'dev',
    kafkaOn({ alarms: { brokerDiskUsedPercent: 100 } }),
    /kafka\.alarms\.brokerDiskUsedPercent: got 100; allowed: an integer from 1 to 99 %/,
  ],
];

describe('refusals', () => {
  it.each(cases)('%s', (_name, stage, overrides, message) => {
    expect(() => loadStageConfig(stage, overrides)).toThrow(message);
  });

  it('accepts every version on Standard brokers and Express on 3.8.x with three AZs', () => {
    for (const kafkaVersion of MSK_KAFKA_VERSIONS)
      expect(() => loadStageConfig('dev', kafkaOn({ cluster: { kafkaVersion } }))).not.toThrow();
    expect(() =>
      loadStageConfig('prod', kafkaOn({ cluster: { brokerType: 'express.m7g.large', kafkaVersion: '3.8.x' } })),
    ).not.toThrow();
  });

  it('counts the AZs of an existing VPC', () => {
    const existingVpc = {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.1.0.0/16',
      availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
      privateSubnetIds: ['subnet-1', 'subnet-2', 'subnet-3'],
    };
    expect(() => loadStageConfig('dev', kafkaOn({ cluster: { brokerCount: 2 } }, { existingVpc }))).toThrow(
      /kafka\.cluster\.brokerCount: got 2; must be a multiple of the 3 availability zones/,
    );
  });
});
