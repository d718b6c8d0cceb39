import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS } from '../../lib/config/idempotency';
import { ATTRIBUTE } from '../shared/attributes';
import { InvalidMessageError } from '../shared/errors';
import type { Message } from '../shared/message';
import {
  logger as defaultLogger,
  metrics as defaultMetrics,
  MetricUnit,
  type LoggerLike,
  type MetricsLike,
} from '../shared/observability';
import { processBatch, recordsToRelease } from './batch-order';
import { decodeSqsRecord } from './decode';
import { createIdempotentEffect } from './effects';
import type { FailFast } from './fail-fast';
import { LocalPersistenceLayer } from './local-persistence-layer';
import type { ProcessingContext, ProcessMessage } from './process-message';
import type { OutcomeSink } from './receipts';

export type { ProcessingContext, ProcessMessage, JsonValue } from './process-message';
export type { OutcomeSink, Receipt } from './receipts';
export type { FailFast } from './fail-fast';

/** What `createConsumerHandler` needs. */
export interface ConsumerDependencies {
  /** The business logic (see docs/handlers.md). */
  readonly processMessage: ProcessMessage;
  /** Idempotency records: DynamoDB in AWS, `LocalPersistenceLayer` locally. @default - in memory, this container only */
  readonly persistenceStore?: BasePersistenceLayer;
  /**
   * How long a message id is remembered; must outlive every copy SQS can still bring back, DLQ redrives included.
   * @default DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS (29 days, which covers any SQS retention)
   */
  readonly idempotencyExpirySeconds?: number;
  /** Receives a receipt per processed delivery (duplicates included, each with its `effect` flag). @default - none */
  readonly outcomes?: OutcomeSink;
  /**
   * Makes a record that fails the message contract visible again at once, so it reaches the DLQ after
   * `maxReceiveCount` receives within seconds instead of one visibility timeout per receive (see fail-fast.ts).
   * @default - none: invalid records wait their visibility timeout like any failure
   */
  readonly failFast?: FailFast;
  /** Called once per business effect, i.e. when `processMessage` ran and succeeded (not for absorbed duplicates). */
  readonly onEffect?: (message: Message) => void;
  /** Assumed function timeout when no Lambda context is passed (local runtime). @default 30000 */
  readonly defaultTimeoutMs?: number;
  /** Clock. @default () => new Date() */
  readonly now?: () => Date;
  readonly logger?: LoggerLike;
  readonly metrics?: MetricsLike;
}

/** The consumer's Lambda handler: an SQS batch in, the records to retry out. */
export type ConsumerHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** A stand-in Lambda context for callers without one, so in-progress idempotency records still expire. */
export function localLambdaContext(timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  const unsupported = () => undefined;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'local-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:local-consumer',
    memoryLimitInMB: '0',
    awsRequestId: `local-${deadline}`,
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

/**
 * Builds the consumer handler: Powertools batch processing with partial batch responses, records in parallel from a
 * standard queue and one at a time in group order from a FIFO queue (batch-order.ts). Each record is decoded
 * and validated; invalid ones fail, are made visible again at once when `failFast` is given (they cannot become
 * valid, so the visibility timeout's backoff buys nothing), and reach the DLQ after `maxReceiveCount` carrying the
 * bridge's `bridge.invalid-reason` attribute. Valid ones run `processMessage` through Powertools Idempotency keyed
 * by message id, so a redelivered message has its effect once; a receipt is recorded for every delivery, saying
 * whether this delivery performed the effect. Other failures keep the visibility timeout as their backoff.
 */
export function createConsumerHandler(deps: ConsumerDependencies): ConsumerHandler {
  const log = deps.logger ?? defaultLogger;
  const metrics = deps.metrics ?? defaultMetrics;
  const now = deps.now ?? (() => new Date());
  const idempotencyConfig = new IdempotencyConfig({
    eventKeyJmesPath: 'id',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: deps.idempotencyExpirySeconds ?? DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  });
  let unrecorded = 0;
  const runEffect = createIdempotentEffect({
    processMessage: deps.processMessage,
    persistenceStore: deps.persistenceStore ?? new LocalPersistenceLayer(),
    config: idempotencyConfig,
    onEffect: deps.onEffect,
    onUnrecordedEffect: (message, effectId, cause) => {
      unrecorded++;
      log.error(
        'The effect ran but its idempotency record could not be completed; a copy of this message arriving ' +
          'after the in-progress record expires will run it again',
        { messageId: message.id, effectId, error: cause instanceof Error ? cause.message : String(cause) },
      );
    },
  });

  // A refused visibility change costs only time (the record waits its visibility timeout), so it is logged, not
  // allowed to fail the batch. Called after the batch: FIFO releases follow the group's order (batch-order.ts).
  const releaseInvalid = async (record: SQSRecord): Promise<void> => {
    if (!deps.failFast) return;
    try {
      await deps.failFast.retryNow(record);
    } catch (error) {
      log.warn('Could not make the invalid message visible again; it waits for its visibility timeout', {
        sqsMessageId: record.messageId,
        error: (error as Error).message,
      });
    }
  };

  return async (event, context) => {
    idempotencyConfig.registerLambdaContext(context ?? localLambdaContext(deps.defaultTimeoutMs ?? 30_000));
    let effects = 0;
    let duplicates = 0;
    let invalid = 0;
    const ran = new Set<string>();
    const invalidIds = new Set<string>();
    unrecorded = 0;

    const handleRecord = async (record: SQSRecord): Promise<void> => {
      ran.add(record.messageId);
      const receivedAt = now().toISOString();
      const attempt = Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1;
      let decoded;
      try {
        decoded = decodeSqsRecord(record);
      } catch (error) {
        if (error instanceof InvalidMessageError) {
          invalid++;
          log.warn('Invalid message; it is retried, then dead-lettered after maxReceiveCount', {
            sqsMessageId: record.messageId,
            messageId: record.messageAttributes?.[ATTRIBUTE.messageId]?.stringValue,
            attempt,
            reason: error.reason,
            detail: error.detail,
          });
          invalidIds.add(record.messageId);
        }
        throw error;
      }
      const { message, headers } = decoded;
      const processing: ProcessingContext = { sqsMessageId: record.messageId, attempt, receivedAt, headers };
      const { effect, effectId } = await runEffect(message, processing);
      if (effect) effects++;
      else duplicates++;
      await deps.outcomes?.record({
        id: message.id,
        runId: message.runId,
        receivedAt,
        attempt,
        effect,
        effectId,
        ...fifoPosition(record),
      });
    };

    const batchItemFailures = await processBatch(event, handleRecord, { context, logger: log });
    const failedIds = new Set(batchItemFailures.map((f) => f.itemIdentifier));
    // One at a time, in the order recordsToRelease gives (see there).
    for (const record of recordsToRelease(event, failedIds, ran, invalidIds)) await releaseInvalid(record);
    const failed = batchItemFailures.length;
    metrics.addMetric('MessagesProcessed', MetricUnit.Count, effects);
    metrics.addMetric('DuplicatesAbsorbed', MetricUnit.Count, duplicates);
    metrics.addMetric('InvalidMessages', MetricUnit.Count, invalid);
    metrics.addMetric('RecordsFailed', MetricUnit.Count, failed);
    metrics.addMetric('EffectsWithoutIdempotencyRecord', MetricUnit.Count, unrecorded);
    metrics.publishStoredMetrics();
    const summary = { records: event.Records.length, effects, duplicates, invalid, failed, unrecorded };
    if (failed > 0) log.warn('Batch done with failed records', summary);
    else log.info('Batch done', summary);
    return { batchItemFailures };
  };
}

/** A FIFO record's group and SQS sequence number, which a receipt carries so verification can check group order. */
function fifoPosition(record: SQSRecord): { group?: string; sequenceNumber?: string } {
  const { MessageGroupId: group, SequenceNumber: sequenceNumber } = record.attributes ?? {};
  return { ...(group ? { group } : {}), ...(sequenceNumber ? { sequenceNumber } : {}) };
}
