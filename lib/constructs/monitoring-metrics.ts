/**
 * The metrics the monitoring construct reads from the broker, in one place. All of them come from the broker
 * construct (`Broker` dimension = broker name); this module only combines them.
 *
 * Node-level metrics (memory, disk, CPU) carry a `Node` dimension whose value (`rabbit@ip-…`) only exists once the
 * broker runs, so they are read as the worst node over all nodes (a Metrics Insights query). Queue-level metrics
 * exist on RabbitMQ 3.x only; on 4.x the broker-wide metric stands in (see docs/decisions.md).
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** What monitoring needs from the broker construct. The broker construct satisfies it structurally. */
export interface MonitoredBroker {
  /** Broker name: the `Broker` dimension of every AWS/AmazonMQ metric. */
  readonly brokerName: string;
  /** One node, or a three-node cluster. */
  readonly deploymentMode: 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ';
  /** RabbitMQ engine version, e.g. `3.13` or `4.2`. */
  readonly engineVersion: string;
  /** Host instance type, e.g. `mq.m7g.large`. */
  readonly instanceType: string;
  /** A broker-level AWS/AmazonMQ metric (dimension `Broker`). */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** A queue-level AWS/AmazonMQ metric (dimensions `Broker`, `VirtualHost`, `Queue`); RabbitMQ 3.x only. */
  metricQueue(metricName: string, vhost: string, queue: string): cloudwatch.Metric;
  /**
   * One series holding a node-level metric of the node closest to trouble (highest, or lowest for `…Free…`), over
   * every node of the broker: a Metrics Insights query `SELECT MAX(m) FROM SCHEMA("AWS/AmazonMQ", Broker, Node)
   * WHERE Broker = '<name>'`, because node names (`rabbit@ip-…`) only exist once the broker runs.
   */
  metricWorstNode(
    metricName: string,
    props?: { readonly period?: Duration; readonly label?: string },
  ): cloudwatch.IMetric;
}

/** Names of the RabbitMQ vhost and queues the monitoring watches. */
export interface MonitoredRabbitMqQueues {
  /** Virtual host the queues live in. */
  readonly vhost: string;
  /** Shard queues the RabbitMQ event sources read (the bridge's input), in shard order. */
  readonly sourceQueues: readonly string[];
  /** Dead-letter queue that collects messages past the delivery limit. */
  readonly deadLetterQueue: string;
}

/** Period of every broker metric: Amazon MQ publishes once a minute. */
export const BROKER_PERIOD = Duration.minutes(1);

/** RabbitMQ major version; throws when the version is not a literal such as `3.13` or `4.2.1`. */
export function rabbitMqMajorVersion(engineVersion: string): number {
  const match = Token.isUnresolved(engineVersion) ? null : /^(\d+)\.\d+/.exec(engineVersion);
  if (!match) {
    throw new Error(
      `broker engineVersion is ${JSON.stringify(engineVersion)}; allowed: a literal RabbitMQ version such as "3.13" or "4.2" ` +
        '(monitoring picks queue-level or broker-level metrics from it)',
    );
  }
  return Number(match[1]);
}

/** Whether Amazon MQ publishes per-queue metrics for this engine (it stopped with RabbitMQ 4). */
export function hasQueueMetrics(broker: MonitoredBroker): boolean {
  return rabbitMqMajorVersion(broker.engineVersion) < 4;
}

/** A node-level metric of the node closest to trouble, at the broker's one-minute resolution. */
function worstNode(broker: MonitoredBroker, metricName: string, label: string): cloudwatch.IMetric {
  return broker.metricWorstNode(metricName, { period: BROKER_PERIOD, label });
}

/** Memory used by the fullest node as a percentage of the memory limit (every node has the same limit). */
export function brokerMemoryUsedPercent(broker: MonitoredBroker): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: '100 * memUsed / memLimit',
    usingMetrics: {
      memUsed: worstNode(broker, 'RabbitMQMemUsed', 'RabbitMQMemUsed (fullest node)'),
      memLimit: worstNode(broker, 'RabbitMQMemLimit', 'RabbitMQMemLimit'),
    },
    period: BROKER_PERIOD,
    label: 'Memory used / limit (%)',
  });
}

/** Free disk of the emptiest node divided by the disk free limit: 1 means RabbitMQ blocks publishers. */
export function brokerDiskFreeToLimitRatio(broker: MonitoredBroker): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: 'diskFree / diskFreeLimit',
    usingMetrics: {
      diskFree: worstNode(broker, 'RabbitMQDiskFree', 'RabbitMQDiskFree (emptiest node)'),
      diskFreeLimit: worstNode(broker, 'RabbitMQDiskFreeLimit', 'RabbitMQDiskFreeLimit'),
    },
    period: BROKER_PERIOD,
    label: 'Disk free / limit',
  });
}

/** CPU of the busiest node. */
export function brokerCpuPercent(broker: MonitoredBroker): cloudwatch.IMetric {
  return worstNode(broker, 'SystemCpuUtilization', 'SystemCpuUtilization (busiest node)');
}

/**
 * A metric of one shard queue: queue-level on RabbitMQ 3.x; on 4.x the broker-wide metric of the same name, which in
 * this topology covers every shard queue plus the dead-letter queue (the only other queue).
 */
export function sourceQueueMetric(
  broker: MonitoredBroker,
  vhost: string,
  queue: string,
  metricName: 'ConsumerCount' | 'MessageReadyCount' | 'MessageUnacknowledgedCount',
  statistic: string,
): cloudwatch.Metric {
  const base = hasQueueMetrics(broker) ? broker.metricQueue(metricName, vhost, queue) : broker.metric(metricName);
  return base.with({ statistic, period: BROKER_PERIOD });
}

/** Construct id of a per-shard alarm: shard 0 keeps the id the unsharded alarm had, so a deployed alarm stays. */
export function shardAlarmId(base: string, shard: number): string {
  return shard === 0 ? base : base.replace('SourceQueue', `SourceQueueShard${shard}`);
}
