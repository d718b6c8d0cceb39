/**
 * The metrics the monitoring construct reads from the broker, in one place. All of them come from the broker
 * construct (`Broker` dimension = broker name); this module only combines them.
 *
 * Node-level metrics (memory, disk, CPU) carry a `Node` dimension whose value (`rabbit@ip-…`) only exists once the
 * broker runs, so they are read as the worst node over all nodes (a Metrics Insights query, at most one per alarm or
 * widget: CloudWatch refuses more). Queue-level metrics
 * exist on RabbitMQ 3.x only; on 4.x the broker-wide metric stands in (see docs/decisions.md).
 */
import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { rabbitMqNodeLimits } from './monitoring-broker-limits';

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
  /** Queue the RabbitMQ event source reads (the bridge's input). */
  readonly sourceQueue: string;
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

/**
 * What a memory or disk alarm watches and where it fires. CloudWatch evaluates at most one Metrics Insights query per
 * alarm and per dashboard widget, so a limit cannot be a second query: on one node the broker-level metrics are that
 * node's own and their ratio is exact; on a cluster they are sums over the nodes (which hide the fullest node), so the
 * alarm watches the worst node's bytes in one query against the per-node limit Amazon MQ sets for the instance type.
 */
export interface BrokerResourceWatch {
  /** The series the alarm and its dashboard widget show. */
  readonly metric: cloudwatch.IMetric;
  /** Title of its dashboard widget, with the unit. */
  readonly title: string;
  /** Value at which the alarm fires, in the metric's unit. */
  readonly threshold: number;
  /** What the metric and threshold are, for the alarm description. */
  readonly meaning: string;
}

const GIB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GIB).toFixed(2)} GiB`;

/** Memory of the fullest node against `usedPercent` of its memory limit (RabbitMQ blocks publishers at 100%). */
export function brokerMemoryWatch(broker: MonitoredBroker, usedPercent: number): BrokerResourceWatch {
  if (broker.deploymentMode === 'SINGLE_INSTANCE') {
    return {
      metric: new cloudwatch.MathExpression({
        expression: '100 * memUsed / memLimit',
        usingMetrics: {
          memUsed: broker.metric('RabbitMQMemUsed', { statistic: 'Maximum', period: BROKER_PERIOD }),
          memLimit: broker.metric('RabbitMQMemLimit', { statistic: 'Minimum', period: BROKER_PERIOD }),
        },
        period: BROKER_PERIOD,
        label: 'Memory used / limit (%)',
      }),
      title: 'Broker memory used / limit (%)',
      threshold: usedPercent,
      meaning: `The broker uses more than ${usedPercent}% of its memory limit`,
    };
  }
  const limit = rabbitMqNodeLimits(broker.instanceType, broker.deploymentMode).memoryLimitBytes;
  const threshold = Math.floor((limit * usedPercent) / 100);
  return {
    metric: worstNode(broker, 'RabbitMQMemUsed', 'RabbitMQMemUsed, fullest node (bytes)'),
    title: 'Broker memory used, fullest node (bytes)',
    threshold,
    meaning: `A broker node uses more than ${gib(threshold)} of memory (${usedPercent}% of the ${gib(limit)} limit of ${broker.instanceType})`,
  };
}

/** Free disk of the emptiest node against `ratio` times its disk free limit (RabbitMQ blocks publishers at 1). */
export function brokerDiskWatch(broker: MonitoredBroker, ratio: number): BrokerResourceWatch {
  if (broker.deploymentMode === 'SINGLE_INSTANCE') {
    return {
      metric: new cloudwatch.MathExpression({
        expression: 'diskFree / diskFreeLimit',
        usingMetrics: {
          diskFree: broker.metric('RabbitMQDiskFree', { statistic: 'Minimum', period: BROKER_PERIOD }),
          diskFreeLimit: broker.metric('RabbitMQDiskFreeLimit', { statistic: 'Maximum', period: BROKER_PERIOD }),
        },
        period: BROKER_PERIOD,
        label: 'Disk free / limit',
      }),
      title: 'Broker disk free / limit',
      threshold: ratio,
      meaning: `The broker's free disk is below ${ratio} x its disk free limit`,
    };
  }
  const limit = rabbitMqNodeLimits(broker.instanceType, broker.deploymentMode).diskFreeLimitBytes;
  const threshold = Math.floor(limit * ratio);
  return {
    metric: worstNode(broker, 'RabbitMQDiskFree', 'RabbitMQDiskFree, emptiest node (bytes)'),
    title: 'Broker disk free, emptiest node (bytes)',
    threshold,
    meaning: `A broker node's free disk is below ${gib(threshold)} (${ratio} x the ${gib(limit)} disk free limit of ${broker.instanceType} in a cluster)`,
  };
}

/** CPU of the busiest node. */
export function brokerCpuPercent(broker: MonitoredBroker): cloudwatch.IMetric {
  return worstNode(broker, 'SystemCpuUtilization', 'SystemCpuUtilization (busiest node)');
}

/**
 * A source-queue metric: queue-level on RabbitMQ 3.x; on 4.x the broker-wide metric of the same name, which in this
 * topology covers the source queue plus the dead-letter queue (the only other queue).
 */
export function sourceQueueMetric(
  broker: MonitoredBroker,
  queues: MonitoredRabbitMqQueues,
  metricName: 'ConsumerCount' | 'MessageReadyCount' | 'MessageUnacknowledgedCount',
  statistic: string,
): cloudwatch.Metric {
  const base = hasQueueMetrics(broker)
    ? broker.metricQueue(metricName, queues.vhost, queues.sourceQueue)
    : broker.metric(metricName);
  return base.with({ statistic, period: BROKER_PERIOD });
}
