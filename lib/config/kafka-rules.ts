import { addIssue as issue, checkIntegerRange, type ConfigIssue } from './config-issue';
import { mskBrokerKind, type KafkaConfig } from './kafka';
import { checkFunctionSizing } from './serverless-rules';
import type { NetworkConfig } from './stage-config';

/**
 * What Amazon MSK and Lambda's MSK event source accept, checked at synth (AWS documentation, 2025–2026: MSK
 * "Supported Apache Kafka versions", "Broker types", "Topic operations"; Lambda "Amazon MSK event source parameters"
 * and "Configuring error handling controls for Kafka event sources").
 */

/** Kafka versions MSK Provisioned runs that also manage topics as CloudFormation resources (3.6.0 and later). */
export const MSK_KAFKA_VERSIONS = ['3.6.0', '3.7.x', '3.8.x', '3.9.x', '4.0.x', '4.1.x'] as const;

/** Kafka versions Express brokers run (Express started at 3.6; 3.8.x added June 2025). */
export const MSK_EXPRESS_KAFKA_VERSIONS = ['3.6.0', '3.8.x'] as const;

const M7G_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];
const M5_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'];

/** Standard broker types (T3, M5, M7g). */
export const MSK_STANDARD_BROKER_TYPES = [
  'kafka.t3.small',
  ...M5_SIZES.map((s) => `kafka.m5.${s}`),
  ...M7G_SIZES.map((s) => `kafka.m7g.${s}`),
];

/** Express broker types (M7g only). */
export const MSK_EXPRESS_BROKER_TYPES = M7G_SIZES.map((s) => `express.m7g.${s}`);

const ENHANCED_MONITORING = ['DEFAULT', 'PER_BROKER', 'PER_TOPIC_PER_BROKER', 'PER_TOPIC_PER_PARTITION'];
const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST'];
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/** Availability zones the private subnets span: the new VPC's `maxAzs`, or the existing VPC's distinct AZs. */
export function privateSubnetAzs(network: NetworkConfig): number {
  if (!network.existingVpc) return network.maxAzs;
  return new Set(network.existingVpc.availabilityZones ?? []).size;
}

/** Every problem of the Kafka config, given how many AZs the private subnets span. Nothing when disabled. */
export function kafkaConfigIssues(kafka: KafkaConfig, availabilityZones: number, field = 'kafka'): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  if (typeof kafka.enabled !== 'boolean') issue(out, `${field}.enabled`, kafka.enabled, 'allowed: true or false');
  if (kafka.enabled !== true) return out;
  out.push(...clusterIssues(kafka, availabilityZones, `${field}.cluster`));
  out.push(...topicIssues(kafka, `${field}.topic`));
  out.push(...eventSourceIssues(kafka, `${field}.eventSource`));
  out.push(
    ...checkFunctionSizing(`${field}.producer`, kafka.producer),
    ...checkFunctionSizing(`${field}.bridge`, kafka.bridge),
    ...checkIntegerRange(`${field}.producer.sendTimeoutMs`, kafka.producer.sendTimeoutMs, 100, 900_000, 'ms'),
    ...checkIntegerRange(`${field}.alarms.maxOffsetLag`, kafka.alarms.maxOffsetLag, 1, 1_000_000_000),
    ...checkIntegerRange(`${field}.alarms.maxTimeLagSeconds`, kafka.alarms.maxTimeLagSeconds, 1, 604_800, 'seconds'),
    ...checkIntegerRange(`${field}.alarms.brokerDiskUsedPercent`, kafka.alarms.brokerDiskUsedPercent, 1, 99, '%'),
    ...checkIntegerRange(`${field}.alarms.brokerCpuPercent`, kafka.alarms.brokerCpuPercent, 1, 99, '%'),
  );
  if (kafka.producer.sendTimeoutMs >= kafka.producer.timeoutSeconds * 1000) {
    issue(
      out,
      `${field}.producer.sendTimeoutMs`,
      kafka.producer.sendTimeoutMs,
      `must be shorter than the producer timeout (${kafka.producer.timeoutSeconds * 1000} ms) so a missing acknowledgement is reported instead of the invocation timing out`,
    );
  }
  return out;
}

function clusterIssues(kafka: KafkaConfig, azs: number, field: string): ConfigIssue[] {
  const { cluster } = kafka;
  const out: ConfigIssue[] = [];
  const kind = mskBrokerKind(String(cluster.brokerType));
  const types = kind === 'express' ? MSK_EXPRESS_BROKER_TYPES : MSK_STANDARD_BROKER_TYPES;
  if (!types.includes(cluster.brokerType)) {
    issue(
      out,
      `${field}.brokerType`,
      cluster.brokerType,
      `allowed: Standard ${MSK_STANDARD_BROKER_TYPES.join(', ')}; Express ${MSK_EXPRESS_BROKER_TYPES.join(', ')}`,
    );
  }
  if (!(MSK_KAFKA_VERSIONS as readonly string[]).includes(cluster.kafkaVersion)) {
    issue(
      out,
      `${field}.kafkaVersion`,
      cluster.kafkaVersion,
      `allowed: ${MSK_KAFKA_VERSIONS.join(', ')} (MSK Provisioned versions from 3.6.0, the first that manages topics as AWS::MSK::Topic)`,
    );
  } else if (kind === 'express' && !(MSK_EXPRESS_KAFKA_VERSIONS as readonly string[]).includes(cluster.kafkaVersion)) {
    issue(
      out,
      `${field}.kafkaVersion`,
      cluster.kafkaVersion,
      `Express brokers (${cluster.brokerType}) run only ${MSK_EXPRESS_KAFKA_VERSIONS.join(', ')}`,
    );
  }
  const countIssues = checkIntegerRange(`${field}.brokerCount`, cluster.brokerCount, 1, 30);
  out.push(...countIssues);
  if (azs < 2) {
    issue(out, 'network', azs, 'MSK needs private subnets in at least 2 availability zones; allowed: maxAzs 2 or 3');
  } else if (kind === 'express' && azs !== 3) {
    issue(
      out,
      `${field}.brokerType`,
      cluster.brokerType,
      `Express brokers need 3 availability zones; the network has ${azs}`,
    );
  } else if (countIssues.length === 0 && cluster.brokerCount % Math.min(azs, 3) !== 0) {
    issue(
      out,
      `${field}.brokerCount`,
      cluster.brokerCount,
      `must be a multiple of the ${Math.min(azs, 3)} availability zones the cluster spans (MSK places the same number of brokers in each)`,
    );
  }
  out.push(...checkIntegerRange(`${field}.volumeSizeGb`, cluster.volumeSizeGb, 1, 16_384, 'GiB'));
  if (!ENHANCED_MONITORING.includes(cluster.enhancedMonitoring)) {
    issue(out, `${field}.enhancedMonitoring`, cluster.enhancedMonitoring, `allowed: ${ENHANCED_MONITORING.join(', ')}`);
  }
  return out;
}

function topicIssues(kafka: KafkaConfig, field: string): ConfigIssue[] {
  const { topic, cluster } = kafka;
  const out: ConfigIssue[] = [];
  if (typeof topic.name !== 'string' || !TOPIC_NAME.test(topic.name) || topic.name === '.' || topic.name === '..') {
    issue(out, `${field}.name`, topic.name, 'allowed: 1–249 characters of A–Z a–z 0–9 . _ -, not "." or ".."');
  }
  out.push(...checkIntegerRange(`${field}.partitions`, topic.partitions, 1, 1_000));
  const rf = checkIntegerRange(`${field}.replicationFactor`, topic.replicationFactor, 1, 3);
  out.push(...rf);
  if (rf.length === 0 && Number.isInteger(cluster.brokerCount) && topic.replicationFactor > cluster.brokerCount) {
    issue(
      out,
      `${field}.replicationFactor`,
      topic.replicationFactor,
      `must not exceed the broker count (${cluster.brokerCount}): each copy lives on another broker`,
    );
  }
  out.push(...checkIntegerRange(`${field}.retentionHours`, topic.retentionHours, 1, 87_600, 'hours'));
  return out;
}

function eventSourceIssues(kafka: KafkaConfig, field: string): ConfigIssue[] {
  const es = kafka.eventSource;
  const out: ConfigIssue[] = [
    ...checkIntegerRange(`${field}.batchSize`, es.batchSize, 1, 10_000),
    ...checkIntegerRange(`${field}.maxBatchingWindowSeconds`, es.maxBatchingWindowSeconds, 0, 300, 'seconds'),
    ...checkIntegerRange(`${field}.minimumPollers`, es.minimumPollers, 1, 200),
    ...checkIntegerRange(`${field}.maximumPollers`, es.maximumPollers, 1, 2_000),
  ];
  if (!STARTING_POSITIONS.includes(es.startingPosition)) {
    issue(out, `${field}.startingPosition`, es.startingPosition, `allowed: ${STARTING_POSITIONS.join(', ')}`);
  }
  if (es.maximumRetryAttempts !== -1) {
    const retries = checkIntegerRange(`${field}.maximumRetryAttempts`, es.maximumRetryAttempts, 0, 10_000);
    out.push(...retries.map((r) => ({ ...r, problem: `${r.problem}, or -1 (until the record expires)` })));
  }
  if (typeof es.bisectBatchOnFunctionError !== 'boolean') {
    issue(out, `${field}.bisectBatchOnFunctionError`, es.bisectBatchOnFunctionError, 'allowed: true or false');
  }
  if (
    Number.isInteger(es.minimumPollers) &&
    Number.isInteger(es.maximumPollers) &&
    es.maximumPollers < es.minimumPollers
  ) {
    issue(out, `${field}.maximumPollers`, es.maximumPollers, `must be at least minimumPollers (${es.minimumPollers})`);
  }
  return out;
}
