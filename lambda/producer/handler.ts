import { randomUUID } from 'node:crypto';
import {
  logger as defaultLogger,
  metrics as defaultMetrics,
  type LoggerLike,
  type MetricsLike,
} from '../shared/observability';
import type { MessageSizeLimit } from '../shared/message-size';
import type { AmqpConnectionSource } from './amqp-connection';
import { parseProducerEvent, prepareMessages, type ProducerEvent } from './event';
import { idsByKind, reportProducerOutcome } from './outcome';
import { describeOrderingKey, orderingKeyOf } from './ordering-key';
import { publishInvocation } from './publish-attempt';
import type { ConfirmedMessage, PublishFailure } from './publisher';
import { sendCutoff, type InvocationContext } from './deadline';

export type { ProducerEvent } from './event';
export type { PublishFailure, PublishFailureCode } from './publisher';

/** Where the producer publishes. */
export interface ProducerConfig {
  readonly exchange: string;
  /**
   * FIFO: dotted path of the body field whose value is the message group; the routing key (ordering key) of each
   * message is then its group, as the bridge computes it. @default - the message id
   */
  readonly orderingKeyField?: string;
  /** How long each message may wait for its publisher confirm. @default 10000 */
  readonly confirmTimeoutMs?: number;
  /** Unconfirmed messages allowed at once. @default 1000 */
  readonly maxInFlight?: number;
  /**
   * How long the first confirm on a connection cached from an earlier invocation may take before the connection
   * counts as stale: it is dropped and the invocation publishes again on a new one. Capped by `confirmTimeoutMs`.
   * @default 2000
   */
  readonly staleConnectionTimeoutMs?: number;
  /** Largest body to publish (`MAX_BODY_BYTES`); larger ones are refused before anything is published. @default - SQS's limit */
  readonly sizeLimit?: MessageSizeLimit;
}

export { REPORT_RESERVE_MS, type InvocationContext } from './deadline';

/** What `createProducerHandler` needs. */
export interface ProducerDependencies {
  /** AMQP connection source (one per container). */
  readonly connection: AmqpConnectionSource;
  readonly config: ProducerConfig;
  /** Message id generator. @default crypto.randomUUID */
  readonly newId?: () => string;
  /** Clock. @default () => new Date() */
  readonly now?: () => Date;
  readonly logger?: LoggerLike;
  readonly metrics?: MetricsLike;
}

/** What one invocation did. Only confirmed messages count as sent. */
export interface ProducerResult {
  readonly runId: string;
  /** Confirmed ids of good messages, in publish order. */
  readonly ids: string[];
  /** Confirmed ids of poison messages (expected to end in the SQS DLQ). */
  readonly poisonIds: string[];
  /** Messages attempted (good + poison). */
  readonly published: number;
  /** Messages the broker confirmed (good + poison). */
  readonly confirmed: number;
  /** Messages that do not count as sent, with the reason. */
  readonly failed: PublishFailure[];
  readonly durationMs: number;
  readonly exchange: string;
  /** What each message's routing key was: `message id` or `FIFO group field <path>`. */
  readonly routingKey: string;
}

/** The producer's Lambda handler. */
export type ProducerHandler = (event?: ProducerEvent | null, context?: InvocationContext) => Promise<ProducerResult>;

/**
 * Builds the producer handler. Invalid events throw `InvalidProducerEventError` before anything is published;
 * publishing problems (broker unreachable, nack, return, timeout, blocked) are reported per message in `failed`
 * and logged as errors, so the caller always learns which ids were sent. With a Lambda context, nothing is published
 * later than the deadline less the confirm timeout (and `REPORT_RESERVE_MS`): the rest fail as `deadline`, never
 * published, and the invocation returns before Lambda ends it, so every confirm it got is reported.
 */
export function createProducerHandler(deps: ProducerDependencies): ProducerHandler {
  const log = deps.logger ?? defaultLogger;
  const metrics = deps.metrics ?? defaultMetrics;
  const newId = deps.newId ?? randomUUID;
  const now = deps.now ?? (() => new Date());
  const confirmTimeoutMs = deps.config.confirmTimeoutMs ?? 10_000;
  const routingKeyOf = orderingKeyOf(deps.config.orderingKeyField);
  const routingKey = describeOrderingKey(deps.config.orderingKeyField);

  const staleConnectionTimeoutMs = deps.config.staleConnectionTimeoutMs ?? 2_000;

  return async (event, context) => {
    const started = Date.now();
    const request = parseProducerEvent(event, newId, deps.config.sizeLimit);
    // Everything that can make the event invalid is checked here; bodies are built while publishing.
    const messages = prepareMessages(request, newId, now());
    const total = messages.ids.length;
    let failed: readonly PublishFailure[] = [];
    let confirmed: readonly ConfirmedMessage[] = [];
    if (total > 0) {
      const outcome = await publishInvocation(deps.connection, messages, {
        exchange: deps.config.exchange,
        routingKeyOf,
        confirmTimeoutMs,
        maxInFlight: deps.config.maxInFlight,
        staleConnectionTimeoutMs,
        publishUntil: sendCutoff(context, confirmTimeoutMs, { verb: 'published', wait: 'confirm timeout' }),
      });
      confirmed = outcome.confirmed;
      failed = outcome.failed;
    }
    const { ids, poisonIds } = idsByKind(confirmed);
    const result: ProducerResult = {
      runId: request.runId,
      ids,
      poisonIds,
      published: total,
      confirmed: confirmed.length,
      failed: [...failed],
      durationMs: Date.now() - started,
      exchange: deps.config.exchange,
      routingKey,
    };
    reportProducerOutcome(
      result,
      { metrics, log },
      {
        someFailed: 'Some messages were not confirmed and do not count as sent',
        allSent: 'Published and confirmed',
      },
    );
    return result;
  };
}
