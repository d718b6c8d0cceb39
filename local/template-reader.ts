import type { TopologyDefinition } from '../lib/config/topology';
import {
  type CfnResource,
  isRecord,
  literalNumber,
  referencedLogicalId,
  TemplateReadError,
  type CfnTemplate,
} from './cfn-template';

/**
 * Reads the settings that shape runtime behaviour out of a synthesized CloudFormation template, so the local
 * runtime runs with exactly what would be deployed (ARCHITECTURE §2 "Local runtime": local and cloud cannot drift).
 * Pure: takes the template JSON, returns plain values. Defaults are CloudFormation's / Lambda's own.
 */

/** One SQS queue as the template declares it. */
export interface SqsQueueSettings {
  /** Logical id in the template (used as the local queue name). */
  readonly logicalId: string;
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  /** @default 30 (the SQS default) */
  readonly visibilityTimeoutSec: number;
  /** @default 345600 (4 days, the SQS default) */
  readonly messageRetentionSec: number;
  /** Redrive to a dead-letter queue, if the queue has one. */
  readonly redrive?: { readonly deadLetterLogicalId: string; readonly maxReceiveCount: number };
}

/** The RabbitMQ event source mapping (bridge trigger). */
export interface RabbitMqMappingSettings {
  readonly logicalId: string;
  /** @default 100 */
  readonly batchSize: number;
  /** @default 0.5 (Lambda's default for Amazon MQ sources) */
  readonly batchingWindowSec: number;
  readonly queue: string;
  /** @default '/' */
  readonly vhost: string;
}

/** The SQS event source mapping (consumer trigger). */
export interface SqsMappingSettings {
  readonly logicalId: string;
  readonly queueLogicalId: string;
  /** @default 10 */
  readonly batchSize: number;
  /** @default 0 */
  readonly batchingWindowSec: number;
  /** `ScalingConfig.MaximumConcurrency`; undefined when the mapping does not cap it. */
  readonly maximumConcurrency?: number;
  readonly reportBatchItemFailures: boolean;
}

export interface FunctionSettings {
  readonly logicalId: string;
  /** @default 3 (the Lambda default) */
  readonly timeoutSec: number;
  /** Environment variables; values that are CloudFormation intrinsics are kept as they are. */
  readonly environment: Readonly<Record<string, unknown>>;
}

export interface LocalSettings {
  readonly functions: {
    readonly producer: FunctionSettings;
    readonly bridge: FunctionSettings;
    readonly consumer: FunctionSettings;
  };
  /** The queue the bridge forwards to and the consumer reads. */
  readonly sourceQueue: SqsQueueSettings;
  /** The source queue's redrive target. */
  readonly deadLetterQueue: SqsQueueSettings;
  /** Where the consumer writes receipts, if the template wires one. */
  readonly receiptsQueue?: SqsQueueSettings;
  /** One RabbitMQ mapping per shard queue, in the topology's shard order. */
  readonly rabbitMqMappings: readonly RabbitMqMappingSettings[];
  readonly sqsMapping: SqsMappingSettings;
  readonly topology: TopologyDefinition;
  /** The consumer's `SOURCE_QUEUE_URL` names the source queue: it makes invalid records visible again at once. */
  readonly consumerFailFast: boolean;
}

const DEFAULT_VISIBILITY_TIMEOUT_SEC = 30;
const DEFAULT_RETENTION_SEC = 345_600;
const DEFAULT_FUNCTION_TIMEOUT_SEC = 3;
const DEFAULT_MQ_BATCH_SIZE = 100;
const DEFAULT_MQ_BATCHING_WINDOW_SEC = 0.5;
const DEFAULT_SQS_BATCH_SIZE = 10;

/** Reads every setting the local runtime needs; throws {@link TemplateReadError} naming what is missing. */
export function readLocalSettings(template: CfnTemplate): LocalSettings {
  const resources = template.Resources ?? {};
  const functions = {
    producer: readFunction(resources, findFunctionByPath(resources, 'Producer')),
    bridge: readFunction(resources, findFunctionByPath(resources, 'Bridge')),
    consumer: readFunction(resources, findFunctionByPath(resources, 'Consumer')),
  };

  const sourceQueueId = referencedLogicalId(functions.bridge.environment.TARGET_QUEUE_URL);
  if (!sourceQueueId || resources[sourceQueueId]?.Type !== 'AWS::SQS::Queue') {
    throw new TemplateReadError('the bridge function has no TARGET_QUEUE_URL referencing an SQS queue in the template');
  }
  const sourceQueue = readQueue(resources, sourceQueueId);
  if (!sourceQueue.redrive) {
    throw new TemplateReadError(`SQS queue ${sourceQueueId} has no RedrivePolicy; the flow needs a dead-letter queue`);
  }
  const deadLetterQueue = readQueue(resources, sourceQueue.redrive.deadLetterLogicalId);
  const receiptsId = referencedLogicalId(functions.consumer.environment.RECEIPTS_QUEUE_URL);
  const receiptsQueue = receiptsId ? readQueue(resources, receiptsId) : undefined;
  const failFastQueueId = referencedLogicalId(functions.consumer.environment.SOURCE_QUEUE_URL);
  if (failFastQueueId !== undefined && failFastQueueId !== sourceQueueId) {
    throw new TemplateReadError(
      `the consumer's SOURCE_QUEUE_URL references ${failFastQueueId}, not the queue it reads (${sourceQueueId})`,
    );
  }

  const topology = readTopology(resources);
  return {
    functions,
    sourceQueue,
    deadLetterQueue,
    receiptsQueue,
    rabbitMqMappings: readRabbitMqMappings(resources, functions.bridge.logicalId, topology.sourceQueues),
    sqsMapping: readSqsMapping(resources, functions.consumer.logicalId, sourceQueueId),
    topology,
    consumerFailFast: failFastQueueId !== undefined,
  };
}

export function findFunctionByPath(resources: Record<string, CfnResource>, constructId: string): string {
  const suffix = `/${constructId}/Resource`;
  const matches = Object.entries(resources).filter(
    ([, r]) =>
      r.Type === 'AWS::Lambda::Function' &&
      typeof r.Metadata?.['aws:cdk:path'] === 'string' &&
      (r.Metadata['aws:cdk:path'] as string).endsWith(suffix),
  );
  if (matches.length !== 1) {
    throw new TemplateReadError(
      `expected exactly one AWS::Lambda::Function whose aws:cdk:path ends in ${suffix}, found ${matches.length} ` +
        '(synthesize with the context aws:cdk:enable-path-metadata=true)',
    );
  }
  return matches[0][0];
}

export function readFunction(resources: Record<string, CfnResource>, logicalId: string): FunctionSettings {
  const props = resources[logicalId].Properties ?? {};
  const env = isRecord(props.Environment) && isRecord(props.Environment.Variables) ? props.Environment.Variables : {};
  return {
    logicalId,
    timeoutSec: literalNumber(props.Timeout, DEFAULT_FUNCTION_TIMEOUT_SEC, `${logicalId}.Timeout`),
    environment: env,
  };
}

export function readQueue(resources: Record<string, CfnResource>, logicalId: string): SqsQueueSettings {
  const resource = resources[logicalId];
  if (resource?.Type !== 'AWS::SQS::Queue') {
    throw new TemplateReadError(`expected ${logicalId} to be an AWS::SQS::Queue, got ${resource?.Type ?? 'nothing'}`);
  }
  const props = resource.Properties ?? {};
  const redrivePolicy = props.RedrivePolicy;
  let redrive: SqsQueueSettings['redrive'];
  if (isRecord(redrivePolicy)) {
    const deadLetterLogicalId = referencedLogicalId(redrivePolicy.deadLetterTargetArn);
    if (!deadLetterLogicalId) {
      throw new TemplateReadError(
        `${logicalId}.RedrivePolicy.deadLetterTargetArn does not reference a queue in the template`,
      );
    }
    redrive = {
      deadLetterLogicalId,
      maxReceiveCount: literalNumber(redrivePolicy.maxReceiveCount, NaN, `${logicalId}.RedrivePolicy.maxReceiveCount`),
    };
  }
  return {
    logicalId,
    fifo: props.FifoQueue === true || props.FifoQueue === 'true',
    contentBasedDeduplication: props.ContentBasedDeduplication === true || props.ContentBasedDeduplication === 'true',
    visibilityTimeoutSec: literalNumber(
      props.VisibilityTimeout,
      DEFAULT_VISIBILITY_TIMEOUT_SEC,
      `${logicalId}.VisibilityTimeout`,
    ),
    messageRetentionSec: literalNumber(
      props.MessageRetentionPeriod,
      DEFAULT_RETENTION_SEC,
      `${logicalId}.MessageRetentionPeriod`,
    ),
    redrive,
  };
}

export function mappingsOf(
  resources: Record<string, CfnResource>,
  functionId: string,
): [string, Record<string, unknown>][] {
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::EventSourceMapping')
    .map(([id, r]): [string, Record<string, unknown>] => [id, r.Properties ?? {}])
    .filter(([, p]) => referencedLogicalId(p.FunctionName) === functionId);
}

/** The bridge's RabbitMQ mappings, one per shard queue of the topology and in its order; each reads one queue. */
function readRabbitMqMappings(
  resources: Record<string, CfnResource>,
  bridgeId: string,
  shardQueues: readonly string[],
): RabbitMqMappingSettings[] {
  const mappings = mappingsOf(resources, bridgeId)
    .filter(([, p]) => Array.isArray(p.Queues))
    .map(([logicalId, props]) => readRabbitMqMapping(logicalId, props));
  const byQueue = new Map(mappings.map((m) => [m.queue, m]));
  const missing = shardQueues.filter((q) => !byQueue.has(q));
  if (mappings.length !== shardQueues.length || missing.length > 0 || byQueue.size !== mappings.length) {
    throw new TemplateReadError(
      `expected one RabbitMQ event source mapping (with Queues) for ${bridgeId} per shard queue ` +
        `(${shardQueues.join(', ')}), found ${mappings.length} reading ${mappings.map((m) => m.queue).join(', ') || 'nothing'}`,
    );
  }
  return shardQueues.map((q) => byQueue.get(q) as RabbitMqMappingSettings);
}

function readRabbitMqMapping(logicalId: string, props: Record<string, unknown>): RabbitMqMappingSettings {
  const queues = props.Queues as unknown[];
  if (queues.length !== 1 || typeof queues[0] !== 'string') {
    throw new TemplateReadError(`${logicalId}.Queues must name exactly one queue, got ${JSON.stringify(queues)}`);
  }
  const accessConfigs = Array.isArray(props.SourceAccessConfigurations) ? props.SourceAccessConfigurations : [];
  const vhostConfig = accessConfigs.find((c): c is Record<string, unknown> => isRecord(c) && c.Type === 'VIRTUAL_HOST');
  return {
    logicalId,
    batchSize: literalNumber(props.BatchSize, DEFAULT_MQ_BATCH_SIZE, `${logicalId}.BatchSize`),
    batchingWindowSec: literalNumber(
      props.MaximumBatchingWindowInSeconds,
      DEFAULT_MQ_BATCHING_WINDOW_SEC,
      `${logicalId}.MaximumBatchingWindowInSeconds`,
    ),
    queue: queues[0],
    vhost: typeof vhostConfig?.URI === 'string' ? vhostConfig.URI : '/',
  };
}

function readSqsMapping(
  resources: Record<string, CfnResource>,
  consumerId: string,
  queueId: string,
): SqsMappingSettings {
  const mappings = mappingsOf(resources, consumerId).filter(
    ([, p]) => referencedLogicalId(p.EventSourceArn) === queueId,
  );
  if (mappings.length !== 1) {
    throw new TemplateReadError(
      `expected one SQS event source mapping from ${queueId} to ${consumerId}, found ${mappings.length}`,
    );
  }
  const [logicalId, props] = mappings[0];
  const scaling = isRecord(props.ScalingConfig) ? props.ScalingConfig : {};
  const responseTypes = Array.isArray(props.FunctionResponseTypes) ? props.FunctionResponseTypes : [];
  return {
    logicalId,
    queueLogicalId: queueId,
    batchSize: literalNumber(props.BatchSize, DEFAULT_SQS_BATCH_SIZE, `${logicalId}.BatchSize`),
    batchingWindowSec: literalNumber(
      props.MaximumBatchingWindowInSeconds,
      0,
      `${logicalId}.MaximumBatchingWindowInSeconds`,
    ),
    maximumConcurrency:
      scaling.MaximumConcurrency === undefined
        ? undefined
        : literalNumber(scaling.MaximumConcurrency, NaN, `${logicalId}.ScalingConfig.MaximumConcurrency`),
    reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
  };
}

function readTopology(resources: Record<string, CfnResource>): TopologyDefinition {
  const found = Object.entries(resources).filter(([, r]) => r.Type === 'Custom::RabbitMqTopology');
  if (found.length !== 1) {
    throw new TemplateReadError(`expected exactly one Custom::RabbitMqTopology resource, found ${found.length}`);
  }
  const [logicalId, resource] = found[0];
  const raw = resource.Properties?.Topology;
  let parsed: unknown;
  try {
    parsed = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch (error) {
    throw new TemplateReadError(`${logicalId}.Topology is not valid JSON: ${(error as Error).message}`);
  }
  const required = [
    'vhost',
    'exchanges',
    'queues',
    'bindings',
    'users',
    'producerExchange',
    'sourceQueues',
    'deadLetterQueue',
    'producerUser',
    'eventSourceUser',
  ];
  const missing = isRecord(parsed) ? required.filter((key) => parsed[key] === undefined) : required;
  if (missing.length > 0) {
    throw new TemplateReadError(`${logicalId}.Topology lacks ${missing.join(', ')}`);
  }
  return parsed as unknown as TopologyDefinition;
}
