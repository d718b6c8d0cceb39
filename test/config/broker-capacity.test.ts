import { messageSizeLimit } from '../../lambda/shared/message-size';
import {
  base64Bytes,
  brokerCapacityIssues,
  brokerClientDemand,
  declaredQueueCount,
  eventSourceRecordIssues,
  largestBatchBytes,
  LAMBDA_INVOCATION_PAYLOAD_BYTES,
  rabbitMqShardCount,
} from '../../lib/config/broker-capacity';
import type { StageConfig } from '../../lib/config/stage-config';
import { loadStageConfig, type StageConfigOverrides } from '../../lib/config/stages';

/** What the stage asks of the broker, checked at synth against the limits it will enforce. */

const load = (stage: string, overrides: Record<string, unknown>) =>
  loadStageConfig(stage, overrides as StageConfigOverrides);

/** A config with `shards` in its RabbitMQ event source (the field the sharding work adds). */
function withShards(config: StageConfig, shards: number): StageConfig {
  return {
    ...config,
    eventSources: { ...config.eventSources, rabbitMq: { ...config.eventSources.rabbitMq, shards } as never },
  };
}

describe('the stages fit their brokers', () => {
  test.each(['dev', 'prod'])('%s has no capacity issue', (stage) => {
    expect(brokerCapacityIssues(loadStageConfig(stage))).toEqual([]);
  });
});

describe('queues within cluster_queue_limit', () => {
  test('the default topology declares 2 queues; the source queue counts once per shard', () => {
    const prod = loadStageConfig('prod');
    expect(rabbitMqShardCount(prod)).toBe(1);
    expect(declaredQueueCount(prod)).toBe(2);
    expect(rabbitMqShardCount(withShards(prod, 8))).toBe(8);
    expect(declaredQueueCount(withShards(prod, 8))).toBe(9);
  });

  test('more queues than the limit are refused, naming the setting to change', () => {
    expect(() => load('prod', { broker: { limits: { clusterQueueLimit: 1 } } })).toThrow(
      /topology\.queues: got 2; the topology declares 2 queues .* the broker allows 1 \(cluster_queue_limit\): raise broker\.limits\.clusterQueueLimit, or use a larger broker\.instanceType, or declare fewer queues or shards/,
    );
  });

  test('shards count against the limit', () => {
    const config = withShards(load('prod', { broker: { limits: { clusterQueueLimit: 5 } } }), 8);
    expect(brokerCapacityIssues(config)).toEqual([
      expect.objectContaining({ field: 'topology.queues', value: 9, problem: expect.stringMatching(/8 shards/) }),
    ]);
  });
});

describe('connections and channels within the per-node limits', () => {
  test('demand: one connection and channel per concurrent producer, plus one per event source mapping', () => {
    expect(brokerClientDemand(loadStageConfig('prod'))).toEqual({
      producerConcurrency: 50,
      connections: 51,
      channels: 51,
    });
    expect(brokerClientDemand(withShards(loadStageConfig('prod'), 4)).connections).toBe(54);
  });

  test('an unreserved producer counts as the account quota of 1,000 and is refused on mq.t3.micro (500)', () => {
    expect(() => load('dev', { functions: { producer: { reservedConcurrency: undefined } } })).toThrow(
      /functions\.producer\.reservedConcurrency: got undefined; the functions can open 1001 connections \(1000 concurrent producers \(no functions\.producer\.reservedConcurrency: Lambda's default account quota of 1000\) \+ 1 event source poller\), all possibly on one node; the broker allows 500 per node \(connection_max\): lower functions\.producer\.reservedConcurrency, or use a larger broker\.instanceType/,
    );
  });

  test('connections over connection_max are refused, naming both settings', () => {
    expect(() => load('prod', { broker: { limits: { connectionMax: 50 } } })).toThrow(
      /functions\.producer\.reservedConcurrency: got 50; the functions can open 51 connections .* the broker allows 50 per node \(connection_max\): lower functions\.producer\.reservedConcurrency, or raise broker\.limits\.connectionMax, or use a larger broker\.instanceType/,
    );
  });

  test('channels over channel_max_per_node are refused', () => {
    expect(() => load('prod', { broker: { limits: { channelMaxPerNode: 40 } } })).toThrow(
      /the functions can open 51 channels .* the broker allows 40 per node \(channel_max_per_node\): lower functions\.producer\.reservedConcurrency, or raise broker\.limits\.channelMaxPerNode/,
    );
  });

  test('reservedConcurrency is 1 to 1,000', () => {
    expect(() => load('prod', { functions: { producer: { reservedConcurrency: 0 } } })).toThrow(
      /functions\.producer\.reservedConcurrency: got 0; allowed: an integer from 1 to 1,000/,
    );
  });
});

describe('event source payload: 6 MB per invocation, after base64', () => {
  test('the largest body of each stage fits one record with room to spare', () => {
    expect(eventSourceRecordIssues(messageSizeLimit(524_288))).toEqual([]);
    expect(eventSourceRecordIssues(messageSizeLimit())).toEqual([]);
  });

  test('a body whose record would exceed 6 MB is refused: Lambda would drop it', () => {
    const issues = eventSourceRecordIssues({ maxBodyBytes: 4_800_000, brokerMaxMessageSizeBytes: 4_800_000 });
    expect(issues).toEqual([
      {
        field: 'broker.limits.maxMessageSizeBytes',
        value: 4_800_000,
        problem: expect.stringMatching(
          /a 4800000-byte body is 6404096 bytes as an event source record \(base64 \+ properties\), over Lambda's 6291456-byte invocation payload: Lambda would drop it; lower broker\.limits\.maxMessageSizeBytes/,
        ),
      },
    ]);
  });

  test('a full batch of the largest messages is larger than 6 MB: Lambda cuts such batches short', () => {
    expect(base64Bytes(3)).toBe(4);
    const prod = loadStageConfig('prod');
    expect(largestBatchBytes(prod)).toBe(100 * (base64Bytes(524_288) + 4_096));
    // How many of the largest messages one invocation can carry (docs/operations.md).
    expect(Math.floor(LAMBDA_INVOCATION_PAYLOAD_BYTES / (largestBatchBytes(prod) / 100))).toBe(8);
    const dev = loadStageConfig('dev');
    expect(Math.floor(LAMBDA_INVOCATION_PAYLOAD_BYTES / (largestBatchBytes(dev) / 100))).toBe(4);
  });
});

describe('consumer_timeout outlasts the bridge', () => {
  test('a timeout shorter than the bridge timeout + batching window is refused', () => {
    expect(() => load('prod', { broker: { limits: { consumerTimeoutMs: 60_000 } } })).toThrow(
      /broker\.limits\.consumerTimeoutMs: got 60000; must exceed the bridge timeout \(60 s\) \+ the RabbitMQ batching window \(500 ms\) = 60500 ms/,
    );
    expect(load('prod', { broker: { limits: { consumerTimeoutMs: 60_501 } } }).broker.limits.consumerTimeoutMs).toBe(
      60_501,
    );
    expect(load('prod', { broker: { limits: { consumerTimeoutMs: 0 } } }).broker.limits.consumerTimeoutMs).toBe(0);
  });
});
