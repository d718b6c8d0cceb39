/**
 * The Kafka source (Amazon MSK Provisioned → MSK event source → Kafka bridge → the shared SQS queue): its config
 * types and per-stage defaults. Off by default in every stage: an MSK cluster is the largest fixed cost of the app
 * (docs/configuration.md, "Kafka"). Rules live in `kafka-rules.ts`.
 */

/** MSK Provisioned broker families: Standard (EBS storage you size) or Express (storage MSK manages). */
export type MskBrokerKind = 'standard' | 'express';

/** Where the event source starts reading a topic the first time its consumer group joins. */
export type KafkaStartingPosition = 'TRIM_HORIZON' | 'LATEST';

export interface KafkaClusterConfig {
  /** Broker instance type; `express.*` selects Express brokers. @default 'kafka.t3.small' (dev), 'kafka.m7g.large' (prod) */
  readonly brokerType: string;
  /** Brokers in the cluster, a multiple of the AZs of the private subnets. @default 2 (dev), 3 (prod) */
  readonly brokerCount: number;
  /** Apache Kafka version as MSK names it (3.6.0 or later: topics are managed as CloudFormation resources). @default '3.9.x' */
  readonly kafkaVersion: string;
  /** EBS volume per Standard broker (Express brokers have no volume to size). @default 20 (dev), 500 (prod) */
  readonly volumeSizeGb: number;
  /** Cluster metrics level. @default 'PER_TOPIC_PER_BROKER' (the level that publishes broker disk and CPU per broker) */
  readonly enhancedMonitoring: 'DEFAULT' | 'PER_BROKER' | 'PER_TOPIC_PER_BROKER' | 'PER_TOPIC_PER_PARTITION';
}

export interface KafkaTopicConfig {
  /** @default 'events' */
  readonly name: string;
  /** Partitions: the event source runs at most one poller per partition, so this bounds the bridge's parallelism. @default 3 (dev), 6 (prod) */
  readonly partitions: number;
  /** Copies of each partition, at most the broker count. @default 2 (dev), 3 (prod) */
  readonly replicationFactor: number;
  /** `retention.ms` of the topic, in hours. @default 168 (7 days) */
  readonly retentionHours: number;
}

export interface KafkaEventSourceConfig {
  /** Records per bridge invocation, 1–10,000. @default 100 */
  readonly batchSize: number;
  /** Seconds to gather a batch, 0–300. @default 1 */
  readonly maxBatchingWindowSeconds: number;
  /** @default 'TRIM_HORIZON' (nothing produced before the mapping existed is skipped) */
  readonly startingPosition: KafkaStartingPosition;
  /** Retries of a failed batch before it goes to the on-failure destination: 0–10,000, or -1 (Lambda then applies 10). @default 3 */
  readonly maximumRetryAttempts: number;
  /** Split a failing batch in two to isolate the bad record. @default true */
  readonly bisectBatchOnFunctionError: boolean;
  /** Provisioned-mode pollers (retries, bisect and partial batch responses need provisioned mode). @default 1 */
  readonly minimumPollers: number;
  /** @default 2 (dev), 6 (prod) */
  readonly maximumPollers: number;
}

export interface KafkaFunctionConfig {
  /** @default 512 */
  readonly memoryMb: number;
  /** @default 30 (producer), 60 (bridge) */
  readonly timeoutSeconds: number;
}

export interface KafkaProducerFunctionConfig extends KafkaFunctionConfig {
  /** How long one produce call may wait for `acks=all`, retries included (`SEND_TIMEOUT_MS`). @default 10000 */
  readonly sendTimeoutMs: number;
}

/** Thresholds of the Kafka alarms (docs/operations.md says what to do when each fires). */
export interface KafkaAlarmThresholds {
  /** Records the event source may be behind the topic (Lambda's `OffsetLag`). @default 10000 */
  readonly maxOffsetLag: number;
  /** Age of the oldest unread record, seconds (MSK's `EstimatedMaxTimeLag`). @default 300 */
  readonly maxTimeLagSeconds: number;
  /** Data log disk used on any broker, percent. @default 80 */
  readonly brokerDiskUsedPercent: number;
  /** CPU user + system on any broker, percent. @default 80 */
  readonly brokerCpuPercent: number;
}

export interface KafkaConfig {
  /** Deploy the Kafka source. @default false */
  readonly enabled: boolean;
  readonly cluster: KafkaClusterConfig;
  readonly topic: KafkaTopicConfig;
  readonly eventSource: KafkaEventSourceConfig;
  readonly producer: KafkaProducerFunctionConfig;
  readonly bridge: KafkaFunctionConfig;
  readonly alarms: KafkaAlarmThresholds;
}

/** The broker family of a broker type. */
export function mskBrokerKind(brokerType: string): MskBrokerKind {
  return brokerType.startsWith('express.') ? 'express' : 'standard';
}

export function devKafkaDefaults(): KafkaConfig {
  return {
    enabled: false,
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
  };
}

export function prodKafkaDefaults(): KafkaConfig {
  const dev = devKafkaDefaults();
  return {
    ...dev,
    cluster: { ...dev.cluster, brokerType: 'kafka.m7g.large', brokerCount: 3, volumeSizeGb: 500 },
    topic: { ...dev.topic, partitions: 6, replicationFactor: 3 },
    eventSource: { ...dev.eventSource, maximumPollers: 6 },
  };
}
