/**
 * Connection limits of Amazon MQ for RabbitMQ, per broker node, by instance type.
 *
 * Sources (Amazon MQ Developer Guide):
 * - "Amazon MQ for RabbitMQ sizing guidelines", single-instance table (mq.t3.micro, mq.m5.*): the limit of one node.
 *   https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-sizing-guidelines.html
 * - "Amazon MQ for RabbitMQ maximum resource limits", m7g single-instance table (mq.m7g.*).
 *   https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rabbitmq-resource-hard-limit.html
 * - "Quotas in Amazon MQ": RabbitMQ connection limits apply per node and are set by the instance type; a vhost
 *   `max-connections` limit does not raise them.
 *   https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/amazon-mq-limits.html
 *
 * These are the maximums. RabbitMQ 3.x brokers always run at the maximum; RabbitMQ 4.x brokers start with a default
 * `connection_max` that can be lowered in the broker configuration — set
 * `thresholds.brokerConnectionLimitPerNode` when it was.
 */
export const RABBITMQ_CONNECTIONS_PER_NODE: Readonly<Record<string, number>> = {
  'mq.t3.micro': 500,
  'mq.m5.large': 5_000,
  'mq.m5.xlarge': 10_000,
  'mq.m5.2xlarge': 20_000,
  'mq.m5.4xlarge': 40_000,
  'mq.m7g.medium': 300,
  'mq.m7g.large': 5_000,
  'mq.m7g.xlarge': 10_000,
  'mq.m7g.2xlarge': 20_000,
  'mq.m7g.4xlarge': 40_000,
  'mq.m7g.8xlarge': 80_000,
  'mq.m7g.12xlarge': 120_000,
};

/** Nodes Amazon MQ runs for each RabbitMQ deployment mode. */
export const RABBITMQ_NODES: Readonly<Record<'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ', number>> = {
  SINGLE_INSTANCE: 1,
  CLUSTER_MULTI_AZ: 3,
};

/**
 * Connections the whole broker can hold: the per-node limit times the node count. `ConnectionCount` is a broker-wide
 * metric, and the network load balancer in front of a cluster spreads clients across the nodes.
 * @param override per-node limit from config; wins over the table
 */
export function brokerConnectionLimit(
  instanceType: string,
  deploymentMode: 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ',
  override?: number,
): number {
  const perNode = override ?? RABBITMQ_CONNECTIONS_PER_NODE[instanceType];
  if (perNode === undefined) {
    throw new Error(
      `broker instanceType is ${JSON.stringify(instanceType)}, which has no known connection limit; allowed: ` +
        `${Object.keys(RABBITMQ_CONNECTIONS_PER_NODE).join(', ')} — or set monitoring.thresholds.brokerConnectionLimitPerNode`,
    );
  }
  return perNode * RABBITMQ_NODES[deploymentMode];
}

const GIB = 1024 ** 3;

/**
 * RabbitMQ memory high watermark of one node, in GiB: above it RabbitMQ blocks every publisher. Amazon MQ sets it
 * and it cannot be changed ("Amazon MQ for RabbitMQ broker instance types", section "Memory and disk alarms"):
 * absolute values for mq.m7g.*, a relative 0.4 of the instance memory for mq.m5.* (8, 16, 32, 64 GiB).
 * https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/rmq-broker-instance-types.html (read 2026-11-30)
 */
export const RABBITMQ_MEMORY_LIMIT_GIB_PER_NODE: Readonly<Record<string, number>> = {
  'mq.m5.large': 0.4 * 8,
  'mq.m5.xlarge': 0.4 * 16,
  'mq.m5.2xlarge': 0.4 * 32,
  'mq.m5.4xlarge': 0.4 * 64,
  'mq.m7g.medium': 1.8,
  'mq.m7g.large': 4.3,
  'mq.m7g.xlarge': 9.3,
  'mq.m7g.2xlarge': 19.3,
  'mq.m7g.4xlarge': 39.4,
  'mq.m7g.8xlarge': 79.7,
  'mq.m7g.12xlarge': 119.8,
  'mq.m7g.16xlarge': 160.1,
};

/**
 * RabbitMQ disk free limit of one node, in GiB: below it RabbitMQ blocks every publisher. Same source: mq.m5.* by
 * instance type (either mode), mq.m7g.* by deployment mode (10 single-instance, 2 cluster).
 */
export function rabbitMqDiskFreeLimitGibPerNode(
  instanceType: string,
  deploymentMode: 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ',
): number | undefined {
  if (/^mq\.m7g\./.test(instanceType) && instanceType in RABBITMQ_MEMORY_LIMIT_GIB_PER_NODE) {
    return deploymentMode === 'CLUSTER_MULTI_AZ' ? 2 : 10;
  }
  return M5_DISK_FREE_LIMIT_GIB[instanceType];
}

const M5_DISK_FREE_LIMIT_GIB: Readonly<Record<string, number>> = {
  'mq.m5.large': 12,
  'mq.m5.xlarge': 20,
  'mq.m5.2xlarge': 36,
  'mq.m5.4xlarge': 69,
};

/** The memory and disk limits of one node of the broker, in bytes. */
export interface RabbitMqNodeLimits {
  /** Memory high watermark (`RabbitMQMemLimit` of one node). */
  readonly memoryLimitBytes: number;
  /** Disk free limit (`RabbitMQDiskFreeLimit` of one node). */
  readonly diskFreeLimitBytes: number;
}

/**
 * The per-node memory and disk limits Amazon MQ sets for `instanceType` in `deploymentMode`; throws naming the
 * instance types it knows when the documentation gives no value (mq.t3.micro's disk limit is not published).
 */
export function rabbitMqNodeLimits(
  instanceType: string,
  deploymentMode: 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ',
): RabbitMqNodeLimits {
  const memory = RABBITMQ_MEMORY_LIMIT_GIB_PER_NODE[instanceType];
  const disk = rabbitMqDiskFreeLimitGibPerNode(instanceType, deploymentMode);
  if (memory === undefined || disk === undefined) {
    throw new Error(
      `broker instanceType is ${JSON.stringify(instanceType)}, whose per-node memory and disk limits Amazon MQ does ` +
        `not publish; allowed for a ${deploymentMode} broker's memory and disk alarms: ` +
        `${Object.keys(RABBITMQ_MEMORY_LIMIT_GIB_PER_NODE).join(', ')}`,
    );
  }
  return { memoryLimitBytes: Math.round(memory * GIB), diskFreeLimitBytes: Math.round(disk * GIB) };
}
