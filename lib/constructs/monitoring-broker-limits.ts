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
