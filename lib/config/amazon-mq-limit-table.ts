/**
 * Amazon MQ for RabbitMQ resource limits per instance type and deployment mode, copied from the Amazon MQ developer
 * guide on 2026-11-30. When AWS changes a table, change it here (and the date); the stage validation, the broker
 * configuration and the capacity checks all read these values.
 *
 * - RabbitMQ 4 defaults ("Default resource limits"):
 *   https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-resource-limits-configuration.html
 * - RabbitMQ 4 maximums on m7g with quorum queues ("Amazon MQ for RabbitMQ maximum resource limit"):
 *   https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-resource-hard-limit.html
 * - mq.t3.micro and mq.m5.* maximums ("Amazon MQ for RabbitMQ sizing guidelines"):
 *   https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-sizing-guidelines.html
 * - The configuration keys and the Cuttlefish data format ("Resource Limit Configuration"):
 *   https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/configure-resource-limits.html
 * - `consumer_timeout` ("Configurable values"):
 *   https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/configurable-values.html
 *
 * RabbitMQ 3 brokers run at the maximums and Amazon MQ refuses to change them; only RabbitMQ 4 brokers take a
 * resource limit configuration.
 */

/** The limits one broker enforces; `undefined` where AWS publishes no value (RabbitMQ's own default: unlimited). */
export interface RabbitMqResourceLimits {
  /** `connection_max`: client connections per node. */
  readonly connectionMax: number;
  /** `channel_max_per_node`: channels across all connections of one node. */
  readonly channelMaxPerNode: number;
  /** `consumer_max_per_channel`. */
  readonly consumerMaxPerChannel: number;
  /** `cluster_queue_limit`: queues in the whole broker, every vhost included. */
  readonly clusterQueueLimit: number;
  /** `vhost_max`. */
  readonly vhostMax: number | undefined;
  /** `cluster_exchange_limit`: exchanges in the whole broker, every vhost included. */
  readonly clusterExchangeLimit: number | undefined;
  /** `max_message_size`: largest message body a client may publish, in bytes. */
  readonly maxMessageSizeBytes: number;
}

/** Mode as the tables split them. */
export type LimitTableMode = 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ';

type Row = readonly [
  connections: number,
  channels: number,
  consumersPerChannel: number,
  queues: number,
  vhosts: number | undefined,
  exchanges: number | undefined,
  messageSizeBytes: number,
];

const row = ([c, ch, cpc, q, v, x, m]: Row): RabbitMqResourceLimits => ({
  connectionMax: c,
  channelMaxPerNode: ch,
  consumerMaxPerChannel: cpc,
  clusterQueueLimit: q,
  vhostMax: v,
  clusterExchangeLimit: x,
  maxMessageSizeBytes: m,
});

const table = (rows: Record<string, Row>): Readonly<Record<string, RabbitMqResourceLimits>> =>
  Object.fromEntries(Object.entries(rows).map(([type, r]) => [type, row(r)]));

/** 512 KiB: the `max_message_size` Amazon MQ gives every RabbitMQ 4 broker. */
const DEFAULT_4X_MESSAGE_BYTES = 524_288;
/** 128 MiB: the largest `max_message_size` Amazon MQ accepts, and RabbitMQ 3.13's own default (which 3.x runs at). */
const MAX_MESSAGE_BYTES = 134_217_728;

/** RabbitMQ 4 defaults, applied by Amazon MQ when a broker has no configuration that sets them. */
export const RABBITMQ_4_DEFAULT_LIMITS: Readonly<
  Record<LimitTableMode, Readonly<Record<string, RabbitMqResourceLimits>>>
> = {
  SINGLE_INSTANCE: table({
    'mq.m7g.medium': [100, 500, 10, 500, 10, 500, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.large': [1_500, 4_500, 10, 1_000, 50, 1_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.xlarge': [3_000, 9_000, 10, 2_000, 100, 2_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.2xlarge': [6_000, 18_000, 10, 4_000, 150, 4_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.4xlarge': [12_000, 36_000, 10, 8_000, 200, 8_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.8xlarge': [24_000, 72_000, 10, 16_000, 250, 16_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.12xlarge': [36_000, 108_000, 10, 24_000, 300, 24_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.16xlarge': [48_000, 144_000, 10, 32_000, 350, 32_000, DEFAULT_4X_MESSAGE_BYTES],
  }),
  CLUSTER_MULTI_AZ: table({
    'mq.m7g.medium': [100, 300, 10, 100, 10, 100, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.large': [500, 1_500, 10, 1_000, 50, 1_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.xlarge': [1_000, 3_000, 10, 2_000, 100, 2_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.2xlarge': [2_000, 6_000, 10, 4_000, 150, 4_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.4xlarge': [4_000, 12_000, 10, 8_000, 200, 8_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.8xlarge': [8_000, 24_000, 10, 16_000, 250, 16_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.12xlarge': [12_000, 36_000, 10, 24_000, 300, 24_000, DEFAULT_4X_MESSAGE_BYTES],
    'mq.m7g.16xlarge': [16_000, 48_000, 10, 32_000, 350, 32_000, DEFAULT_4X_MESSAGE_BYTES],
  }),
};

/**
 * The largest value Amazon MQ accepts for each limit (RabbitMQ 4), and the fixed limits RabbitMQ 3 brokers run at.
 * mq.t3.micro and mq.m5.* run RabbitMQ 3 only; AWS publishes no vhost or exchange limit for them.
 */
export const RABBITMQ_MAXIMUM_LIMITS: Readonly<
  Record<LimitTableMode, Readonly<Record<string, RabbitMqResourceLimits>>>
> = {
  SINGLE_INSTANCE: table({
    'mq.t3.micro': [500, 1_500, 1_000, 2_500, undefined, undefined, MAX_MESSAGE_BYTES],
    'mq.m5.large': [5_000, 15_000, 1_000, 30_000, 1_500, undefined, MAX_MESSAGE_BYTES],
    'mq.m5.xlarge': [10_000, 30_000, 1_000, 60_000, 1_500, undefined, MAX_MESSAGE_BYTES],
    'mq.m5.2xlarge': [20_000, 60_000, 1_000, 120_000, 1_500, undefined, MAX_MESSAGE_BYTES],
    'mq.m5.4xlarge': [40_000, 120_000, 1_000, 240_000, 1_000, undefined, MAX_MESSAGE_BYTES],
    'mq.m7g.medium': [300, 900, 1_000, 2_500, 10, 12_500, MAX_MESSAGE_BYTES],
    'mq.m7g.large': [5_000, 15_000, 1_000, 20_000, 1_500, 100_000, MAX_MESSAGE_BYTES],
    'mq.m7g.xlarge': [10_000, 30_000, 1_000, 30_000, 1_500, 150_000, MAX_MESSAGE_BYTES],
    'mq.m7g.2xlarge': [20_000, 60_000, 1_000, 40_000, 1_500, 200_000, MAX_MESSAGE_BYTES],
    'mq.m7g.4xlarge': [40_000, 120_000, 1_000, 60_000, 1_500, 300_000, MAX_MESSAGE_BYTES],
    'mq.m7g.8xlarge': [80_000, 240_000, 1_000, 80_000, 1_500, 400_000, MAX_MESSAGE_BYTES],
    'mq.m7g.12xlarge': [120_000, 360_000, 1_000, 100_000, 1_500, 500_000, MAX_MESSAGE_BYTES],
    'mq.m7g.16xlarge': [160_000, 480_000, 1_000, 120_000, 1_500, 600_000, MAX_MESSAGE_BYTES],
  }),
  CLUSTER_MULTI_AZ: table({
    'mq.m5.large': [5_000, 15_000, 1_000, 10_000, undefined, undefined, MAX_MESSAGE_BYTES],
    'mq.m5.xlarge': [10_000, 30_000, 1_000, 15_000, undefined, undefined, MAX_MESSAGE_BYTES],
    'mq.m5.2xlarge': [20_000, 60_000, 1_000, 20_000, undefined, undefined, MAX_MESSAGE_BYTES],
    'mq.m5.4xlarge': [40_000, 120_000, 1_000, 30_000, undefined, undefined, MAX_MESSAGE_BYTES],
    'mq.m7g.medium': [300, 900, 1_000, 500, 10, 500, MAX_MESSAGE_BYTES],
    'mq.m7g.large': [5_000, 15_000, 1_000, 10_000, 1_500, 50_000, MAX_MESSAGE_BYTES],
    'mq.m7g.xlarge': [10_000, 30_000, 1_000, 15_000, 1_500, 75_000, MAX_MESSAGE_BYTES],
    'mq.m7g.2xlarge': [20_000, 60_000, 1_000, 20_000, 1_500, 100_000, MAX_MESSAGE_BYTES],
    'mq.m7g.4xlarge': [40_000, 120_000, 1_000, 30_000, 1_500, 150_000, MAX_MESSAGE_BYTES],
    'mq.m7g.8xlarge': [80_000, 240_000, 1_000, 40_000, 1_500, 200_000, MAX_MESSAGE_BYTES],
    'mq.m7g.12xlarge': [120_000, 360_000, 1_000, 50_000, 1_500, 250_000, MAX_MESSAGE_BYTES],
    'mq.m7g.16xlarge': [160_000, 480_000, 1_000, 60_000, 1_500, 300_000, MAX_MESSAGE_BYTES],
  }),
};

/** `consumer_timeout` (all versions): 0 (no timeout) to 2,147,483,647 ms; RabbitMQ's default is 30 minutes. */
export const CONSUMER_TIMEOUT_MS = { min: 0, max: 2_147_483_647, default: 1_800_000 } as const;
