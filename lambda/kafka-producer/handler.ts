import { randomUUID } from 'node:crypto';
import { parseProducerEvent, prepareMessages, type ProducerEvent } from '../producer/event';
import { sendCutoff, type InvocationContext } from '../producer/deadline';
import { idsByKind, reportProducerOutcome } from '../producer/outcome';
import {
  logger as defaultLogger,
  metrics as defaultMetrics,
  type LoggerLike,
  type MetricsLike,
} from '../shared/observability';
import type { MessageSizeLimit } from '../shared/message-size';
import type { KafkaProducerSource } from './kafka-connection';
import { DEFAULT_SEND_TIMEOUT_MS, produceAcknowledged, type KafkaPublishFailure } from './publisher';
import type { KafkaOffsetRun } from './record-positions';

export type { ProducerEvent } from '../producer/event';
export type { KafkaPublishFailure, KafkaPublishFailureCode } from './publisher';
export type { KafkaOffsetRun } from './record-positions';

/** Where the Kafka producer publishes. */
export interface KafkaProducerConfig {
  readonly topic: string;
  /** How long one produce call may wait for `acks=all`, retries included. @default 30000 */
  readonly sendTimeoutMs?: number;
  /** Messages per produce call. @default 500 */
  readonly chunkSize?: number;
  /** Largest body to produce (`MAX_BODY_BYTES`); larger ones are refused before anything is produced. @default - SQS's limit */
  readonly sizeLimit?: MessageSizeLimit;
}

/** What `createKafkaProducerHandler` needs. */
export interface KafkaProducerDependencies {
  readonly connection: KafkaProducerSource;
  readonly config: KafkaProducerConfig;
  /** Message id generator. @default crypto.randomUUID */
  readonly newId?: () => string;
  /** Clock. @default () => new Date() */
  readonly now?: () => Date;
  readonly logger?: LoggerLike;
  readonly metrics?: MetricsLike;
}

/** What one invocation did: the RabbitMQ producer's result, with the topic instead of exchange and routing key. */
export interface KafkaProducerResult {
  readonly runId: string;
  /** Acknowledged ids of good messages, in publish order. */
  readonly ids: string[];
  /** Acknowledged ids of poison messages (expected to end in the SQS DLQ). */
  readonly poisonIds: string[];
  /** Messages attempted (good + poison). */
  readonly published: number;
  /** Messages acknowledged with acks=all (good + poison): the Kafka counterpart of a publisher confirm. */
  readonly confirmed: number;
  /** Messages that do not count as sent, with the reason. */
  readonly failed: KafkaPublishFailure[];
  readonly durationMs: number;
  readonly topic: string;
  /**
   * Topic, partition and offsets of the acknowledged messages: the MSK on-failure destination names a failed batch
   * only by offset range, and `npm run verify` maps that range back to message ids with these.
   */
  readonly positions: KafkaOffsetRun[];
}

export type KafkaProducerHandler = (
  event?: ProducerEvent | null,
  context?: InvocationContext,
) => Promise<KafkaProducerResult>;

/**
 * Builds the Kafka producer handler. It takes the RabbitMQ producer's event (count, payload, runId, poison, size) and
 * validates it the same way (`InvalidProducerEventError` before anything is sent); sending problems are reported per
 * message in `failed`, so the caller always learns which ids were sent. With a Lambda context, no chunk is sent
 * later than the deadline less the send timeout (and `REPORT_RESERVE_MS`), as the RabbitMQ producer stops
 * publishing: the rest fail as `deadline`, never sent, and the invocation returns before Lambda ends it, so every
 * acknowledgement it got (and where the records landed) is reported.
 */
export function createKafkaProducerHandler(deps: KafkaProducerDependencies): KafkaProducerHandler {
  const log = deps.logger ?? defaultLogger;
  const metrics = deps.metrics ?? defaultMetrics;
  const newId = deps.newId ?? randomUUID;
  const now = deps.now ?? (() => new Date());

  const sendTimeoutMs = deps.config.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;

  return async (event, context) => {
    const started = Date.now();
    const request = parseProducerEvent(event, newId, deps.config.sizeLimit);
    const messages = prepareMessages(request, newId, now());
    let acknowledged: readonly { id: string; poison: boolean }[] = [];
    let failed: readonly KafkaPublishFailure[] = [];
    let positions: readonly KafkaOffsetRun[] = [];
    if (messages.ids.length > 0) {
      const producer = await deps.connection.producer().catch((error: Error) => error);
      if (producer instanceof Error) {
        failed = messages.ids.map((id, i) => ({
          id,
          poison: i >= messages.count,
          code: 'connection-failed' as const,
          reason: `${producer.name}: ${producer.message}`,
        }));
      } else {
        ({ acknowledged, failed, positions } = await produceAcknowledged(producer, messages, {
          topic: deps.config.topic,
          sendTimeoutMs,
          chunkSize: deps.config.chunkSize,
          sendUntil: sendCutoff(context, sendTimeoutMs, { verb: 'sent', wait: 'send timeout' }, started),
        }));
        // A send that failed or timed out may leave the producer unusable; one stopped by the deadline does not.
        const broke = failed.find((f) => f.code !== 'deadline');
        if (broke) deps.connection.discard(broke.reason);
      }
    }
    const { ids, poisonIds } = idsByKind(acknowledged);
    const result: KafkaProducerResult = {
      runId: request.runId,
      ids,
      poisonIds,
      published: messages.ids.length,
      confirmed: acknowledged.length,
      failed: [...failed],
      durationMs: Date.now() - started,
      topic: deps.config.topic,
      positions: [...positions],
    };
    reportProducerOutcome(
      result,
      { metrics, log },
      {
        someFailed: 'Some messages were not acknowledged and do not count as sent',
        allSent: 'Produced and acknowledged',
      },
    );
    return result;
  };
}
