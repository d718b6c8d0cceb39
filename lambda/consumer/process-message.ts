import type { Message } from '../shared/message';
import { logger } from '../shared/observability';
import type { HeaderValue } from './decode';

/** A JSON value (what an idempotent processing function may return; it is stored and replayed for duplicates). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What the processing function learns about the delivery besides the message. */
export interface ProcessingContext {
  /** SQS message id of this delivery. */
  readonly sqsMessageId: string;
  /** SQS `ApproximateReceiveCount`: 1 on first delivery. */
  readonly attempt: number;
  /** When the consumer received the record (ISO 8601). */
  readonly receivedAt: string;
  /** AMQP headers of the original message. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

/**
 * The business logic: called at most once per message id while its idempotency record lives (successful calls
 * only; a call that throws is retried on the next delivery). Throw to fail the record: it is retried by SQS and
 * dead-lettered after `maxReceiveCount`.
 */
export type ProcessMessage = (message: Message, context: ProcessingContext) => Promise<JsonValue | void>;

/** The sample processing: records what it saw. Replace it with your own (see docs/handlers.md). */
export const sampleProcessMessage: ProcessMessage = async (message, context) => {
  logger.debug('Processed message', { id: message.id, type: message.type, attempt: context.attempt });
  return { id: message.id, processedAt: new Date().toISOString() };
};
