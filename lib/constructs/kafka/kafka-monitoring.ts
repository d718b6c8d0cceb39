import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { KafkaAlarmThresholds } from '../../config/kafka';
import { KAFKA_BRIDGE_CONSUMER_GROUP, type KafkaFunctions } from './kafka-functions';
import type { MskCluster } from './msk-cluster';

export interface KafkaMonitoringProps {
  readonly cluster: MskCluster;
  readonly functions: KafkaFunctions;
  /** Brokers in the cluster (their ids are 1…N): broker metrics are per broker. */
  readonly brokerCount: number;
  readonly thresholds: KafkaAlarmThresholds;
  /** The stage's alarm topic: every Kafka alarm notifies it on ALARM and OK. */
  readonly alarmTopic: sns.ITopic;
  /** The stage's dashboard: gets one Kafka row. */
  readonly dashboard: cloudwatch.Dashboard;
}

const PERIOD = Duration.minutes(5);
const MSK_PERIOD = Duration.minutes(1);
const RUNBOOK = 'docs/operations.md';

/**
 * Kafka's alarms and dashboard row: the event source's lag (records and time), broker disk and CPU, under-replicated
 * partitions, bridge errors and the on-failure destination's depth. Broker metrics come per broker (`Broker ID`), so
 * each alarm watches the worst broker through a MAX expression.
 */
export class KafkaMonitoring extends Construct {
  readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

  constructor(scope: Construct, id: string, props: KafkaMonitoringProps) {
    super(scope, id);
    const t = props.thresholds;
    const action = new actions.SnsAction(props.alarmTopic);
    const clusterName = props.cluster.clusterName;
    const brokerIds = Array.from({ length: props.brokerCount }, (_, i) => String(i + 1));
    const mskMetric = (metricName: string, dimensions: Record<string, string>, statistic = 'Maximum') =>
      new cloudwatch.Metric({
        namespace: 'AWS/Kafka',
        metricName,
        dimensionsMap: dimensions,
        statistic,
        period: MSK_PERIOD,
      });
    const worstBroker = (label: string, metric: (brokerId: string) => cloudwatch.IMetric) =>
      new cloudwatch.MathExpression({
        expression: `MAX([${brokerIds.map((_, i) => `b${i}`).join(',')}])`,
        usingMetrics: Object.fromEntries(brokerIds.map((b, i) => [`b${i}`, metric(b)])),
        label,
        period: MSK_PERIOD,
      });
    const perBroker = (name: string) => (brokerId: string) =>
      mskMetric(name, { 'Cluster Name': clusterName, 'Broker ID': brokerId });

    const offsetLag = props.functions.bridge.metric('OffsetLag', { statistic: 'Maximum', period: MSK_PERIOD });
    const timeLag = mskMetric('EstimatedMaxTimeLag', {
      'Cluster Name': clusterName,
      'Consumer Group': KAFKA_BRIDGE_CONSUMER_GROUP,
      Topic: props.cluster.topicName,
    });
    const disk = worstBroker('Data log disk used (%), worst broker', perBroker('KafkaDataLogsDiskUsed'));
    const cpu = new cloudwatch.MathExpression({
      expression: `MAX([${brokerIds.map((_, i) => `u${i}+s${i}`).join(',')}])`,
      usingMetrics: Object.fromEntries(
        brokerIds.flatMap((b, i) => [
          [`u${i}`, perBroker('CpuUser')(b)],
          [`s${i}`, perBroker('CpuSystem')(b)],
        ]),
      ),
      label: 'CPU user + system (%), worst broker',
      period: MSK_PERIOD,
    });
    const underReplicated = worstBroker(
      'Under-replicated partitions, worst broker',
      perBroker('UnderReplicatedPartitions'),
    );
    const bridgeErrors = props.functions.bridge.metricErrors({ statistic: 'Sum', period: PERIOD });
    const onFailureDepth = props.functions.onFailureQueue.metricApproximateNumberOfMessagesVisible({
      statistic: 'Maximum',
      period: MSK_PERIOD,
    });

    const above = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const created: Record<string, cloudwatch.Alarm> = {};
    const alarm = (
      alarmId: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      evaluationPeriods: number,
      treatMissingData: cloudwatch.TreatMissingData,
      meaning: string,
      runbook: string,
    ) => {
      const a = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        comparisonOperator: above,
        evaluationPeriods,
        treatMissingData,
        alarmDescription: `${meaning}. Runbook: ${RUNBOOK}#${runbook}`,
      });
      a.addAlarmAction(action);
      a.addOkAction(action);
      created[alarmId] = a;
    };
    const quietIsFine = cloudwatch.TreatMissingData.NOT_BREACHING;
    // MSK publishes broker metrics every minute while the cluster runs: silence means the brokers are gone.
    const silentIsDown = cloudwatch.TreatMissingData.BREACHING;
    alarm(
      'KafkaOffsetLag',
      offsetLag,
      t.maxOffsetLag,
      5,
      quietIsFine,
      `The MSK event source is more than ${t.maxOffsetLag} records behind the topic`,
      'kafka-consumer-lag',
    );
    alarm(
      'KafkaTimeLag',
      timeLag,
      t.maxTimeLagSeconds,
      5,
      quietIsFine,
      `The oldest unread record of the bridge's consumer group is more than ${t.maxTimeLagSeconds} s old`,
      'kafka-consumer-lag',
    );
    alarm(
      'KafkaBrokerDisk',
      disk,
      t.brokerDiskUsedPercent,
      5,
      silentIsDown,
      `A broker's data log disk is more than ${t.brokerDiskUsedPercent}% full; a full disk stops writes`,
      'kafka-broker-disk',
    );
    alarm(
      'KafkaBrokerCpu',
      cpu,
      t.brokerCpuPercent,
      10,
      silentIsDown,
      `A broker's CPU (user + system) is above ${t.brokerCpuPercent}%`,
      'kafka-broker-cpu',
    );
    alarm(
      'KafkaUnderReplicatedPartitions',
      underReplicated,
      0,
      5,
      silentIsDown,
      'Partitions have fewer in-sync replicas than their replication factor (a broker is down or lagging)',
      'kafka-under-replicated-partitions',
    );
    alarm(
      'KafkaBridgeErrors',
      bridgeErrors,
      0,
      1,
      quietIsFine,
      'The Kafka bridge failed invocations (the event source retries, bisects, then gives up to the on-failure queue)',
      'kafka-bridge-errors',
    );
    alarm(
      'KafkaOnFailureDepth',
      onFailureDepth,
      0,
      1,
      quietIsFine,
      'The MSK event source gave up on batches: their offsets are in the on-failure queue, the records were not forwarded',
      'kafka-on-failure-queue',
    );
    this.alarms = created;

    const graph = (title: string, left: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, left, width: 4, height: 6 });
    props.dashboard.addWidgets(
      graph('Kafka: producer', [
        props.functions.producer.metricInvocations({ statistic: 'Sum', period: PERIOD, label: 'Invocations' }),
        props.functions.producer.metricErrors({ statistic: 'Sum', period: PERIOD, label: 'Errors' }),
      ]),
      graph('Kafka: consumer lag', [
        offsetLag.with({ label: 'Offset lag (records)' }),
        timeLag.with({ label: 'Time lag (s)' }),
      ]),
      graph('Kafka: bridge', [
        props.functions.bridge.metricInvocations({ statistic: 'Sum', period: PERIOD, label: 'Invocations' }),
        bridgeErrors.with({ label: 'Errors' }),
      ]),
      graph('Kafka: on-failure queue', [onFailureDepth.with({ label: 'Batches given up on' })]),
      graph('Kafka: broker disk and CPU (%)', [disk, cpu]),
      graph('Kafka: under-replicated partitions', [underReplicated]),
    );
  }
}
