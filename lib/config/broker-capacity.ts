import { messageSizeLimit, type MessageSizeLimit } from '../../lambda/shared/message-size';
import { resolvedBrokerLimits, supportsResourceLimits } from './broker-limits';
import type { ConfigIssue } from './config-issue';
import type { StageConfig } from './stage-config';

/**
 * What the stage asks of its broker, checked at synth against the limits the broker will enforce (broker-limits.ts):
 * the queues the topology declares, the connections and channels the functions can open at their maximum
 * concurrency, the size of an event-source invocation, and `consumer_timeout` against the bridge. Each refusal names
 * the setting to change.
 */

/** Lambda's default concurrency quota per account and region: what a function without reserved concurrency reaches. */
export const LAMBDA_DEFAULT_ACCOUNT_CONCURRENCY = 1_000;

/** Lambda's invocation payload limit, which also bounds one record of an MQ event source (6 MB). */
export const LAMBDA_INVOCATION_PAYLOAD_BYTES = 6_291_456;

/**
 * Bytes one record of the RabbitMQ event carries besides its base64 data: the AMQP basic properties (ids, headers,
 * timestamps) as JSON. Generous on purpose: headers are the publisher's and can be large.
 */
export const MQ_EVENT_RECORD_OVERHEAD_BYTES = 4_096;

/** Shards the RabbitMQ source is split into (`eventSources.rabbitMq.shards` where the config has it), else 1. */
export function rabbitMqShardCount(config: StageConfig): number {
  const shards = (config.eventSources.rabbitMq as { readonly shards?: unknown }).shards;
  return typeof shards === 'number' && Number.isInteger(shards) && shards > 0 ? shards : 1;
}

/** The flow's size limit for a stage: min(the broker's max_message_size, SQS's limit less the bridge's attributes). */
export function stageMessageSizeLimit(config: StageConfig): MessageSizeLimit {
  const limits = resolvedBrokerLimits(config.broker);
  return messageSizeLimit(limits?.maxMessageSizeBytes);
}

/** Queues the topology declares; the source queue counts once per shard. */
export function declaredQueueCount(config: StageConfig): number {
  const { queues, sourceQueue } = config.topology;
  const hasSource = queues.some((q) => q.name === sourceQueue);
  return queues.length + (hasSource ? rabbitMqShardCount(config) - 1 : 0);
}

/** What the functions can hold open on the broker at once: one per concurrent producer and one per event source. */
export function brokerClientDemand(config: StageConfig): {
  readonly producerConcurrency: number;
  readonly connections: number;
  readonly channels: number;
} {
  const producerConcurrency = config.functions.producer.reservedConcurrency ?? LAMBDA_DEFAULT_ACCOUNT_CONCURRENCY;
  const mappings = rabbitMqShardCount(config);
  // The producer keeps one connection with one confirm channel per container; each RabbitMQ event source mapping
  // runs one poller (concurrency 1) with one channel and one consumer. The topology handler uses HTTPS only.
  return {
    producerConcurrency,
    connections: producerConcurrency + mappings,
    channels: producerConcurrency + mappings,
  };
}

/** Base64 size of `bytes` bytes. */
export function base64Bytes(bytes: number): number {
  return 4 * Math.ceil(bytes / 3);
}

/** Every way the stage's demand exceeds the broker's limits; empty when it fits. */
export function brokerCapacityIssues(config: StageConfig): ConfigIssue[] {
  const limits = resolvedBrokerLimits(config.broker);
  if (!limits) return []; // an unknown instance type or mode is refused by the broker rules
  const out: ConfigIssue[] = [];
  const v4 = supportsResourceLimits(config.broker.engineVersion);
  const raise = (field: string) =>
    v4 ? `raise broker.limits.${field}, or use a larger broker.instanceType` : 'use a larger broker.instanceType';
  const shards = rabbitMqShardCount(config);

  const queues = declaredQueueCount(config);
  if (queues > limits.clusterQueueLimit) {
    out.push({
      field: 'topology.queues',
      value: queues,
      problem: `the topology declares ${queues} queues (${config.topology.queues.length} with the source queue counted once per shard, ${shards} shard${shards === 1 ? '' : 's'}); the broker allows ${limits.clusterQueueLimit} (cluster_queue_limit): ${raise('clusterQueueLimit')}, or declare fewer queues or shards`,
    });
  }

  const demand = brokerClientDemand(config);
  const producer = config.functions.producer.reservedConcurrency;
  const who = `${demand.producerConcurrency} concurrent producers (${producer === undefined ? `no functions.producer.reservedConcurrency: Lambda's default account quota of ${LAMBDA_DEFAULT_ACCOUNT_CONCURRENCY}` : 'functions.producer.reservedConcurrency'}) + ${shards} event source poller${shards === 1 ? '' : 's'}`;
  // Clients reach a cluster through one endpoint that does not promise an even spread, so all may land on one node.
  if (demand.connections > limits.connectionMax) {
    out.push({
      field: 'functions.producer.reservedConcurrency',
      value: producer,
      problem: `the functions can open ${demand.connections} connections (${who}), all possibly on one node; the broker allows ${limits.connectionMax} per node (connection_max): lower functions.producer.reservedConcurrency, or ${raise('connectionMax')}`,
    });
  }
  if (demand.channels > limits.channelMaxPerNode) {
    out.push({
      field: 'functions.producer.reservedConcurrency',
      value: producer,
      problem: `the functions can open ${demand.channels} channels (one per connection: ${who}); the broker allows ${limits.channelMaxPerNode} per node (channel_max_per_node): lower functions.producer.reservedConcurrency, or ${raise('channelMaxPerNode')}`,
    });
  }
  // consumer_max_per_channel is at least 1, and each poller holds one consumer on its channel: nothing to check.

  out.push(...eventSourceRecordIssues(stageMessageSizeLimit(config)), ...consumerTimeoutIssues(config));
  return out;
}

/**
 * Lambda drops an MQ record larger than its 6 MB payload limit (the message never reaches the bridge), so the largest
 * body, base64-encoded with its properties, must fit. A batch larger than 6 MB is not an error: Lambda invokes with
 * the records that fit and leaves the rest for the next batch (see docs/decisions.md, `largestBatchBytes`).
 */
export function eventSourceRecordIssues(size: MessageSizeLimit): ConfigIssue[] {
  const record = base64Bytes(size.maxBodyBytes) + MQ_EVENT_RECORD_OVERHEAD_BYTES;
  if (record <= LAMBDA_INVOCATION_PAYLOAD_BYTES) return [];
  return [
    {
      field: 'broker.limits.maxMessageSizeBytes',
      value: size.brokerMaxMessageSizeBytes,
      problem: `a ${size.maxBodyBytes}-byte body is ${record} bytes as an event source record (base64 + properties), over Lambda's ${LAMBDA_INVOCATION_PAYLOAD_BYTES}-byte invocation payload: Lambda would drop it; lower broker.limits.maxMessageSizeBytes`,
    },
  ];
}

/** The size of the largest full batch the RabbitMQ event source can build: batch size × the largest record. */
export function largestBatchBytes(config: StageConfig): number {
  const size = stageMessageSizeLimit(config);
  return config.eventSources.rabbitMq.batchSize * (base64Bytes(size.maxBodyBytes) + MQ_EVENT_RECORD_OVERHEAD_BYTES);
}

/**
 * RabbitMQ closes the channel of a consumer that holds a delivery longer than `consumer_timeout`; the event source
 * acknowledges a batch only when the bridge returns, so the timeout must outlast the bridge and the batching window.
 */
function consumerTimeoutIssues(config: StageConfig): ConfigIssue[] {
  const timeout = config.broker.limits.consumerTimeoutMs;
  if (timeout === undefined || timeout === 0) return [];
  const windowMs = (config.eventSources.rabbitMq.maxBatchingWindowSeconds ?? 0.5) * 1000;
  const needed = config.functions.bridge.timeoutSeconds * 1000 + windowMs;
  if (timeout > needed) return [];
  return [
    {
      field: 'broker.limits.consumerTimeoutMs',
      value: timeout,
      problem: `must exceed the bridge timeout (${config.functions.bridge.timeoutSeconds} s) + the RabbitMQ batching window (${windowMs} ms) = ${needed} ms, or RabbitMQ closes the event source's channel while the bridge still works and redelivers the batch; raise it (or 0 for none) or lower functions.bridge.timeoutSeconds`,
    },
  ];
}
