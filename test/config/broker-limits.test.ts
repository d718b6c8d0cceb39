import {
  RABBITMQ_4_DEFAULT_LIMITS,
  RABBITMQ_MAXIMUM_LIMITS,
  type LimitTableMode,
} from '../../lib/config/amazon-mq-limit-table';
import { brokerConfigurationData, resolvedBrokerLimits } from '../../lib/config/broker-limits';
import { stageMessageSizeLimit } from '../../lib/config/broker-capacity';
import { loadStageConfig, type StageConfigOverrides } from '../../lib/config/stages';

/** `broker.limits`: Amazon MQ's defaults per instance type and mode, the allowed ranges and the configuration data. */

const load = (stage: string, limits: Record<string, unknown>, broker: Record<string, unknown> = {}) =>
  loadStageConfig(stage, { broker: { ...broker, limits } } as StageConfigOverrides);

describe('defaults per stage (Amazon MQ tables, 2026-11-30)', () => {
  test('dev (RabbitMQ 3.13, mq.t3.micro): the fixed maximums a 3.x broker runs at, 128 MiB messages', () => {
    expect(resolvedBrokerLimits(loadStageConfig('dev').broker)).toEqual({
      connectionMax: 500,
      channelMaxPerNode: 1_500,
      consumerMaxPerChannel: 1_000,
      clusterQueueLimit: 2_500,
      vhostMax: undefined,
      clusterExchangeLimit: undefined,
      maxMessageSizeBytes: 134_217_728,
    });
  });

  test('prod (RabbitMQ 4.2, mq.m7g.large cluster): the RabbitMQ 4 defaults, 512 KiB messages', () => {
    expect(resolvedBrokerLimits(loadStageConfig('prod').broker)).toEqual({
      connectionMax: 500,
      channelMaxPerNode: 1_500,
      consumerMaxPerChannel: 10,
      clusterQueueLimit: 1_000,
      vhostMax: 50,
      clusterExchangeLimit: 1_000,
      maxMessageSizeBytes: 524_288,
    });
  });

  test('a single-instance 4.2 broker gets the single-instance defaults of its type', () => {
    const broker = load('prod', {}, { deploymentMode: 'SINGLE_INSTANCE', instanceType: 'mq.m7g.xlarge' }).broker;
    expect(resolvedBrokerLimits(broker)).toMatchObject({ connectionMax: 3_000, channelMaxPerNode: 9_000 });
  });

  test('a configured limit replaces the default, the others keep theirs', () => {
    const broker = load('prod', { maxMessageSizeBytes: 1_000_000, connectionMax: 2_000 }).broker;
    expect(resolvedBrokerLimits(broker)).toMatchObject({
      maxMessageSizeBytes: 1_000_000,
      connectionMax: 2_000,
      channelMaxPerNode: 1_500,
    });
  });

  test.each(['SINGLE_INSTANCE', 'CLUSTER_MULTI_AZ'] as LimitTableMode[])(
    'every RabbitMQ 4 default (%s) is within the maximum for its type',
    (mode) => {
      for (const [type, defaults] of Object.entries(RABBITMQ_4_DEFAULT_LIMITS[mode])) {
        const max = RABBITMQ_MAXIMUM_LIMITS[mode][type];
        for (const [field, value] of Object.entries(defaults)) {
          expect([type, field, value <= (max as unknown as Record<string, number>)[field]]).toEqual([
            type,
            field,
            true,
          ]);
        }
      }
    },
  );
});

describe('validation: field, value, what is allowed', () => {
  test('a max_message_size above 128 MiB is refused with the range for the instance type and mode', () => {
    expect(() => load('prod', { maxMessageSizeBytes: 999_999_999 })).toThrow(
      /broker\.limits\.maxMessageSizeBytes: got 999999999; allowed: an integer from 1 to 134,217,728 \(max_message_size: Amazon MQ's maximum for mq\.m7g\.large CLUSTER_MULTI_AZ\)/,
    );
  });

  test.each([
    ['connectionMax', 5_001, /connectionMax: got 5001; allowed: an integer from 1 to 5,000 \(connection_max/],
    ['channelMaxPerNode', 15_001, /channelMaxPerNode: got 15001; allowed: an integer from 1 to 15,000/],
    ['clusterQueueLimit', 10_001, /clusterQueueLimit: got 10001; allowed: an integer from 1 to 10,000/],
    ['consumerMaxPerChannel', 0, /consumerMaxPerChannel: got 0; allowed: an integer from 1 to 1,000/],
    ['vhostMax', 1.5, /vhostMax: got 1\.5; allowed: an integer from 1 to 1,500/],
    ['clusterExchangeLimit', 50_001, /clusterExchangeLimit: got 50001; allowed: an integer from 1 to 50,000/],
  ])('%s outside the mq.m7g.large cluster range is refused', (field, value, message) => {
    expect(() => load('prod', { [field]: value })).toThrow(message);
  });

  test('the maximum itself is accepted', () => {
    expect(load('prod', { maxMessageSizeBytes: 134_217_728 }).broker.limits.maxMessageSizeBytes).toBe(134_217_728);
  });

  test('any resource limit for a RabbitMQ 3.x broker is refused, saying why', () => {
    expect(() => load('dev', { maxMessageSizeBytes: 1_000_000 })).toThrow(
      /broker\.limits\.maxMessageSizeBytes: got 1000000; RabbitMQ 3\.13 brokers run at Amazon MQ's fixed maximums and refuse a max_message_size configuration \(resource limits are configurable from RabbitMQ 4 on\); remove it, or use engineVersion 4\.2/,
    );
  });

  test('consumer_timeout: 0 (none) to 2,147,483,647 ms, on any engine version', () => {
    expect(load('dev', { consumerTimeoutMs: 0 }).broker.limits.consumerTimeoutMs).toBe(0);
    expect(() => load('dev', { consumerTimeoutMs: 2_147_483_648 })).toThrow(
      /broker\.limits\.consumerTimeoutMs: got 2147483648; allowed: an integer from 0 to 2,147,483,647 ms \(consumer_timeout; 0 = no timeout\)/,
    );
  });

  test('an unknown limit is refused as an unknown field', () => {
    expect(() => load('prod', { maxMessageSize: 1 })).toThrow(
      /broker\.limits\.maxMessageSize: got 1; unknown field; allowed: maxMessageSizeBytes, connectionMax/,
    );
  });
});

describe('broker configuration data (Cuttlefish, rabbitmq.conf keys)', () => {
  test('prod writes every resource limit, defaults included', () => {
    expect(brokerConfigurationData(loadStageConfig('prod').broker)).toBe(
      [
        'max_message_size = 524288',
        'connection_max = 500',
        'channel_max_per_node = 1500',
        'cluster_queue_limit = 1000',
        'consumer_max_per_channel = 10',
        'vhost_max = 50',
        'cluster_exchange_limit = 1000',
        '',
      ].join('\n'),
    );
  });

  test('consumer_timeout is written only when set', () => {
    expect(brokerConfigurationData(load('prod', { consumerTimeoutMs: 3_600_000 }).broker)).toMatch(
      /cluster_exchange_limit = 1000\nconsumer_timeout = 3600000\n$/,
    );
  });

  test('a RabbitMQ 3.x broker gets no configuration, unless it sets consumer_timeout', () => {
    expect(brokerConfigurationData(loadStageConfig('dev').broker)).toBeUndefined();
    expect(brokerConfigurationData(load('dev', { consumerTimeoutMs: 600_000 }).broker)).toBe(
      'consumer_timeout = 600000\n',
    );
  });
});

describe('the flow size limit per stage: min(max_message_size, SQS limit less the bridge attributes)', () => {
  test('dev: 1,040,384 (SQS bounds it); prod: 524,288 (the broker bounds it)', () => {
    expect(stageMessageSizeLimit(loadStageConfig('dev'))).toEqual({
      maxBodyBytes: 1_040_384,
      brokerMaxMessageSizeBytes: 134_217_728,
    });
    expect(stageMessageSizeLimit(loadStageConfig('prod'))).toEqual({
      maxBodyBytes: 524_288,
      brokerMaxMessageSizeBytes: 524_288,
    });
  });

  test('raising max_message_size past the SQS body limit leaves SQS as the bound', () => {
    expect(stageMessageSizeLimit(load('prod', { maxMessageSizeBytes: 2_000_000 })).maxBodyBytes).toBe(1_040_384);
  });
});
