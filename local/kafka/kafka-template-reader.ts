import {
  isRecord,
  literalNumber,
  referencedLogicalId,
  TemplateReadError,
  type CfnResource,
  type CfnTemplate,
} from '../cfn-template';
import { findFunctionByPath, mappingsOf, readFunction, type FunctionSettings } from '../template-reader';

/**
 * Reads the Kafka room of a synthesized template: the Kafka functions, the MSK event source mapping and the
 * `AWS::MSK::Topic`, so the local emulator runs with exactly what would be deployed. Defaults are Lambda's own.
 */

export interface KafkaMappingSettings {
  readonly logicalId: string;
  readonly topic: string;
  readonly consumerGroupId: string;
  /** @default 100 */
  readonly batchSize: number;
  /** @default 0.5 (Lambda's default for Kafka sources) */
  readonly batchingWindowSec: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** @default -1 (until the record expires) */
  readonly maximumRetryAttempts: number;
  /** @default false */
  readonly bisectBatchOnFunctionError: boolean;
  readonly reportBatchItemFailures: boolean;
  /** Logical id of the on-failure destination queue, when the mapping has one. */
  readonly onFailureQueueLogicalId?: string;
}

export interface KafkaTopicSettings {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  /** From the topic's `Configs` (`retention.ms=…`); undefined when the template sets none. */
  readonly retentionMs?: number;
}

export interface KafkaLocalSettings {
  readonly producer: FunctionSettings;
  readonly bridge: FunctionSettings;
  readonly mapping: KafkaMappingSettings;
  readonly topic: KafkaTopicSettings;
}

const DEFAULT_KAFKA_BATCH_SIZE = 100;
const DEFAULT_KAFKA_BATCHING_WINDOW_SEC = 0.5;

/** True when the template holds the Kafka source (`kafka.enabled`). */
export function hasKafkaSource(template: CfnTemplate): boolean {
  return Object.values(template.Resources ?? {}).some((r) => r.Type === 'AWS::MSK::Cluster');
}

/** Reads the Kafka settings; throws {@link TemplateReadError} naming what is missing. */
export function readKafkaSettings(template: CfnTemplate): KafkaLocalSettings {
  const resources = template.Resources ?? {};
  if (!hasKafkaSource(template)) {
    throw new TemplateReadError(
      'the template has no AWS::MSK::Cluster; synthesize with -c config=\'{"kafka":{"enabled":true}}\'',
    );
  }
  const producer = readFunction(resources, findFunctionByPath(resources, 'KafkaProducer'));
  const bridge = readFunction(resources, findFunctionByPath(resources, 'KafkaBridge'));
  return { producer, bridge, mapping: readMskMapping(resources, bridge.logicalId), topic: readTopic(resources) };
}

function readMskMapping(resources: Record<string, CfnResource>, bridgeId: string): KafkaMappingSettings {
  const mappings = mappingsOf(resources, bridgeId).filter(([, p]) => Array.isArray(p.Topics));
  if (mappings.length !== 1) {
    throw new TemplateReadError(
      `expected one MSK event source mapping (with Topics) for ${bridgeId}, found ${mappings.length}`,
    );
  }
  const [logicalId, props] = mappings[0];
  const topics = props.Topics as unknown[];
  if (topics.length !== 1 || typeof topics[0] !== 'string') {
    throw new TemplateReadError(`${logicalId}.Topics must name exactly one topic, got ${JSON.stringify(topics)}`);
  }
  const kafkaConfig = isRecord(props.AmazonManagedKafkaEventSourceConfig)
    ? props.AmazonManagedKafkaEventSourceConfig
    : {};
  const destination =
    isRecord(props.DestinationConfig) && isRecord(props.DestinationConfig.OnFailure)
      ? props.DestinationConfig.OnFailure.Destination
      : undefined;
  const responseTypes = Array.isArray(props.FunctionResponseTypes) ? props.FunctionResponseTypes : [];
  return {
    logicalId,
    topic: topics[0],
    consumerGroupId: typeof kafkaConfig.ConsumerGroupId === 'string' ? kafkaConfig.ConsumerGroupId : logicalId,
    batchSize: literalNumber(props.BatchSize, DEFAULT_KAFKA_BATCH_SIZE, `${logicalId}.BatchSize`),
    batchingWindowSec: literalNumber(
      props.MaximumBatchingWindowInSeconds,
      DEFAULT_KAFKA_BATCHING_WINDOW_SEC,
      `${logicalId}.MaximumBatchingWindowInSeconds`,
    ),
    startingPosition: props.StartingPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON',
    maximumRetryAttempts: literalNumber(props.MaximumRetryAttempts, -1, `${logicalId}.MaximumRetryAttempts`),
    bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true,
    reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
    onFailureQueueLogicalId: referencedLogicalId(destination),
  };
}

function readTopic(resources: Record<string, CfnResource>): KafkaTopicSettings {
  const topics = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::MSK::Topic');
  if (topics.length !== 1) throw new TemplateReadError(`expected exactly one AWS::MSK::Topic, found ${topics.length}`);
  const [logicalId, resource] = topics[0];
  const props = resource.Properties ?? {};
  if (typeof props.TopicName !== 'string') throw new TemplateReadError(`${logicalId}.TopicName is missing`);
  const configs = isRecord(props.Configs) ? props.Configs['Fn::Base64'] : undefined;
  const retention = typeof configs === 'string' ? /(?:^|\n)retention\.ms=(\d+)/.exec(configs) : null;
  return {
    name: props.TopicName,
    partitions: literalNumber(props.PartitionCount, NaN, `${logicalId}.PartitionCount`),
    replicationFactor: literalNumber(props.ReplicationFactor, NaN, `${logicalId}.ReplicationFactor`),
    retentionMs: retention ? Number(retention[1]) : undefined,
  };
}
