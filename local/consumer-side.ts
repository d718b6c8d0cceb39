import { createSqsFailFast } from '../lambda/consumer/fail-fast';
import { createConsumerHandler } from '../lambda/consumer/handler';
import { LocalPersistenceLayer } from '../lambda/consumer/local-persistence-layer';
import { sampleProcessMessage } from '../lambda/consumer/process-message';
import { createSqsReceiptSink } from '../lambda/consumer/receipts';
import type { LoggerLike } from '../lambda/shared/observability';
import { discardMetrics } from './local-adapters';
import type { SqsEmulator } from './sqs-emulator';
import { SqsEventSource } from './sqs-event-source';
import type { LocalQueues } from './sqs-setup';
import type { LocalSettings } from './template-reader';
import { sleep } from './timing';

/**
 * What every source shares downstream of the bridge: the real consumer under the SQS event-source emulator,
 * configured from the template. RabbitMQ's and Kafka's local pipelines both start it before their own source.
 */

/** SQS pollers when the mapping sets no `MaximumConcurrency` (Lambda starts with five). */
export const LOCAL_DEFAULT_SQS_CONCURRENCY = 5;

export interface ConsumerSide {
  readonly sqsSource: SqsEventSource;
  /** Business effects per message id (the consumer's effect hook). */
  readonly effects: Map<string, number>;
  /** Epoch ms of each message id's first business effect. */
  readonly firstEffectAt: Map<string, number>;
}

/** Starts the consumer side; the caller stops `sqsSource` when it shuts down. */
export function startConsumerSide(
  settings: LocalSettings,
  sqs: SqsEmulator,
  queues: LocalQueues,
  logger: (component: string) => LoggerLike,
  /** Modelled Lambda invoke latency (the bench's shard-scaling section), waited before each consumer invocation. */
  invokeDelayMs = 0,
): ConsumerSide {
  const effects = new Map<string, number>();
  const firstEffectAt = new Map<string, number>();
  const consumerTimeoutMs = settings.functions.consumer.timeoutSec * 1000;
  const consumer = createConsumerHandler({
    processMessage: sampleProcessMessage,
    persistenceStore: new LocalPersistenceLayer(),
    // The expiry the stack derived from the queues' retentions, as the deployed consumer reads it.
    idempotencyExpirySeconds: literalNumber(settings.functions.consumer.environment.IDEMPOTENCY_EXPIRY_SECONDS),
    outcomes: createSqsReceiptSink({ sqs: sqs.client, queueUrl: queues.receipts.url }),
    // The emulator's URL stands in for SOURCE_QUEUE_URL, so invalid records take the same fail-fast path as in AWS.
    failFast: settings.consumerFailFast
      ? createSqsFailFast({ sqs: sqs.client, queueUrl: queues.source.url })
      : undefined,
    onEffect: (message) => {
      effects.set(message.id, (effects.get(message.id) ?? 0) + 1);
      if (!firstEffectAt.has(message.id)) firstEffectAt.set(message.id, Date.now());
    },
    defaultTimeoutMs: consumerTimeoutMs,
    logger: logger('consumer'),
    metrics: discardMetrics,
  });
  const sqsSource = new SqsEventSource({
    client: sqs.client,
    queueUrl: queues.source.url,
    queueArn: queues.source.arn,
    region: sqs.region,
    batchSize: settings.sqsMapping.batchSize,
    batchingWindowMs: settings.sqsMapping.batchingWindowSec * 1000,
    concurrency: settings.sqsMapping.maximumConcurrency ?? LOCAL_DEFAULT_SQS_CONCURRENCY,
    reportBatchItemFailures: settings.sqsMapping.reportBatchItemFailures,
    functionTimeoutMs: consumerTimeoutMs,
    handler: async (event) => {
      if (invokeDelayMs > 0) await sleep(invokeDelayMs);
      return consumer(event);
    },
    onError: (error) => logger('event-source:sqs').warn(error.message),
  });
  sqsSource.start();
  return { sqsSource, effects, firstEffectAt };
}

/** A template environment value that is a literal number (or numeric string); undefined otherwise. */
export function literalNumber(value: unknown): number | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'number' ? value : NaN;
  return Number.isFinite(n) ? n : undefined;
}
