import { ConfigValidationError } from '../../lib/config/config-issue';
import { devKafkaDefaults, prodKafkaDefaults } from '../../lib/config/kafka';
import { devMonitoringDefaults, prodMonitoringDefaults } from '../../lib/config/monitoring';
import {
  resolvedIdempotencyExpirySeconds,
  resolvedVisibilityTimeoutSeconds,
  stackNameFor,
} from '../../lib/config/stage-config';
import { DEFAULT_STAGE, loadStageConfig, STAGE_NAMES } from '../../lib/config/stages';
import { defaultTopology } from '../../lib/config/topology';

describe('stage defaults', () => {
  test('dev is the default stage and dev, prod are the known stages', () => {
    expect(DEFAULT_STAGE).toBe('dev');
    expect(STAGE_NAMES).toEqual(['dev', 'prod']);
  });

  test('dev: a cheap single-instance broker that can be destroyed, with receipts for verification', () => {
    expect(loadStageConfig('dev')).toEqual({
      stage: 'dev',
      retainData: false,
      terminationProtection: false,
      logRetentionDays: 14,
      network: {
        existingVpc: undefined,
        cidr: '10.40.0.0/16',
        maxAzs: 2,
        natGateways: 0,
        interfaceEndpoints: true,
        flowLogs: true,
      },
      broker: {
        brokerName: 'mq-cloud-integration-dev',
        engineVersion: '3.13',
        instanceType: 'mq.t3.micro',
        deploymentMode: 'SINGLE_INSTANCE',
        adminUsername: 'admin',
        autoMinorVersionUpgrade: true,
        publiclyAccessible: false,
        kmsKeyArn: undefined,
        auditLogs: false,
        maintenanceWindow: { dayOfWeek: 'SUNDAY', timeOfDay: '03:00', timeZone: 'UTC' },
        // Every limit left to Amazon MQ's defaults (RabbitMQ 3 takes none anyway).
        limits: {
          maxMessageSizeBytes: undefined,
          connectionMax: undefined,
          channelMaxPerNode: undefined,
          clusterQueueLimit: undefined,
          consumerMaxPerChannel: undefined,
          vhostMax: undefined,
          clusterExchangeLimit: undefined,
          consumerTimeoutMs: undefined,
        },
      },
      queues: {
        fifo: false,
        messageGroupIdField: undefined,
        maxReceiveCount: 5,
        visibilityTimeoutSeconds: undefined,
        retentionSeconds: 345_600,
        deadLetterRetentionSeconds: 1_209_600,
      },
      functions: {
        runtime: 'nodejs24.x',
        architecture: 'arm64',
        tracing: true,
        logLevel: 'DEBUG',
        producer: { memoryMb: 512, timeoutSeconds: 30, confirmTimeoutMs: 10_000, reservedConcurrency: 5 },
        bridge: { memoryMb: 512, timeoutSeconds: 60, sendParallelism: 4 },
        consumer: { memoryMb: 256, timeoutSeconds: 30, idempotencyExpirySeconds: undefined },
      },
      eventSources: {
        rabbitMq: { batchSize: 100, maxBatchingWindowSeconds: undefined, shards: 1 },
        sqs: { batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 5 },
      },
      verification: { receipts: true },
      topology: defaultTopology(),
      kafka: devKafkaDefaults(),
      monitoring: devMonitoringDefaults,
      tags: { project: 'mq-cloud-integration', stage: 'dev' },
    });
  });

  test('prod: a three-node cluster on RabbitMQ 4.2 / m7g that keeps its data, without the receipts queue', () => {
    const dev = loadStageConfig('dev');
    const prod = loadStageConfig('prod');
    expect(prod).toEqual({
      ...dev,
      stage: 'prod',
      retainData: true,
      terminationProtection: true,
      logRetentionDays: 365,
      network: { ...dev.network, maxAzs: 3 },
      broker: {
        ...dev.broker,
        brokerName: 'mq-cloud-integration-prod',
        engineVersion: '4.2',
        instanceType: 'mq.m7g.large',
        deploymentMode: 'CLUSTER_MULTI_AZ',
      },
      functions: {
        ...dev.functions,
        logLevel: 'INFO',
        producer: { ...dev.functions.producer, reservedConcurrency: 50 },
      },
      eventSources: {
        rabbitMq: { ...dev.eventSources.rabbitMq, shards: 3 },
        sqs: { ...dev.eventSources.sqs, maxConcurrency: 20 },
      },
      topology: defaultTopology({ shards: 3 }),
      verification: { receipts: false },
      kafka: prodKafkaDefaults(),
      monitoring: prodMonitoringDefaults,
      tags: { project: 'mq-cloud-integration', stage: 'prod' },
    });
  });

  test('the source queue visibility timeout defaults to 6 x consumer timeout + batching window', () => {
    expect(resolvedVisibilityTimeoutSeconds(loadStageConfig('dev'))).toBe(180);
    const longer = loadStageConfig('dev', { eventSources: { sqs: { batchSize: 50, maxBatchingWindowSeconds: 5 } } });
    expect(resolvedVisibilityTimeoutSeconds(longer)).toBe(185);
    expect(
      resolvedVisibilityTimeoutSeconds(loadStageConfig('dev', { queues: { visibilityTimeoutSeconds: 600 } })),
    ).toBe(600);
  });

  test('the idempotency expiry defaults to the redelivery window + 1 day: longest retention, or both for FIFO', () => {
    const day = 86_400;
    expect(resolvedIdempotencyExpirySeconds(loadStageConfig('dev'))).toBe(15 * day);
    expect(resolvedIdempotencyExpirySeconds(loadStageConfig('prod'))).toBe(15 * day);
    const shorter = loadStageConfig('dev', {
      queues: { retentionSeconds: 2 * day, deadLetterRetentionSeconds: 7 * day },
    });
    expect(resolvedIdempotencyExpirySeconds(shorter)).toBe(8 * day);
    const fifo = loadStageConfig('dev', { queues: { fifo: true, messageGroupIdField: 'type' } });
    expect(resolvedIdempotencyExpirySeconds(fifo)).toBe((4 + 14 + 1) * day);
    const explicit = loadStageConfig('dev', { functions: { consumer: { idempotencyExpirySeconds: 30 * day } } });
    expect(resolvedIdempotencyExpirySeconds(explicit)).toBe(30 * day);
  });

  test('the stack of a stage is MqCloudIntegration-<stage>', () => {
    expect(stackNameFor('prod')).toBe('MqCloudIntegration-prod');
  });

  test('each load returns its own copy', () => {
    const a = loadStageConfig('dev');
    (a.tags as Record<string, string>).extra = 'x';
    expect(loadStageConfig('dev').tags).not.toHaveProperty('extra');
  });
});

describe('overrides', () => {
  test('objects merge field by field, values replace', () => {
    const config = loadStageConfig('dev', {
      broker: { instanceType: 'mq.m7g.medium' },
      functions: { consumer: { memoryMb: 1024 } },
    });
    expect(config.broker.instanceType).toBe('mq.m7g.medium');
    expect(config.broker.engineVersion).toBe('3.13');
    expect(config.functions.consumer).toEqual({ memoryMb: 1024, timeoutSeconds: 30 });
  });

  test('tags accept new keys; arrays replace', () => {
    const config = loadStageConfig('prod', { tags: { owner: 'platform' }, topology: { vhost: 'orders' } });
    expect(config.tags).toEqual({ project: 'mq-cloud-integration', stage: 'prod', owner: 'platform' });
    expect(config.topology.vhost).toBe('orders');
    expect(config.topology.queues).toEqual(defaultTopology({ shards: 3 }).queues);
  });

  test('topology overrides apply on top of the default topology of the shard count', () => {
    const config = loadStageConfig('dev', { eventSources: { rabbitMq: { shards: 2 } }, topology: { vhost: 'orders' } });
    expect(config.topology).toEqual({ ...defaultTopology({ shards: 2 }), vhost: 'orders' });
  });

  test('an existing VPC replaces the new one', () => {
    const existingVpc = {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '10.1.0.0/16',
      availabilityZones: ['eu-west-1a'],
      privateSubnetIds: ['subnet-0123456789abcdef0'],
    };
    expect(loadStageConfig('dev', { network: { existingVpc } }).network.existingVpc).toEqual(existingVpc);
  });

  test('an unknown field is refused with the fields that exist', () => {
    expect(() => loadStageConfig('dev', { broker: { instanceTyp: 'mq.m7g.large' } } as never)).toThrow(
      /broker\.instanceTyp: got "mq\.m7g\.large"; unknown field; allowed: brokerName, engineVersion, instanceType/,
    );
  });

  test('the stage itself cannot be overridden', () => {
    expect(() => loadStageConfig('dev', { stage: 'prod' } as never)).toThrow(
      /stage: got "prod"; cannot be overridden; choose the stage with -c stage=NAME/,
    );
  });

  test('overrides must be an object', () => {
    expect(() => loadStageConfig('dev', [] as never)).toThrow(/config: got \[\]; must be a JSON object/);
  });

  test('overridden values are validated like the defaults', () => {
    expect(() => loadStageConfig('prod', { eventSources: { rabbitMq: { batchSize: 0 } } })).toThrow(
      ConfigValidationError,
    );
    expect(() => loadStageConfig('prod', { eventSources: { rabbitMq: { batchSize: 0 } } })).toThrow(
      /Invalid configuration for stage 'prod' \(1 problem\):\n {2}- eventSources\.rabbitMq\.batchSize: got 0; allowed: an integer from 1 to 10,000/,
    );
  });

  test('the topology is validated too', () => {
    const topology = defaultTopology();
    const users = topology.users.map((u) => (u.name === 'producer' ? { ...u, name: 'guest' } : u));
    expect(() => loadStageConfig('dev', { topology: { users, producerUser: 'guest' } })).toThrow(
      /topology\.users\[0\]\.name: got "guest"/,
    );
  });
});

describe('unknown stage', () => {
  test('names the stage and the stages that exist', () => {
    expect(() => loadStageConfig('qa')).toThrow(
      /Unknown stage \(1 problem\):\n {2}- stage: got "qa"; allowed: dev, prod \(choose with -c stage=NAME\)/,
    );
  });
});
