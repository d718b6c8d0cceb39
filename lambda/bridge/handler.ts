import { ForwardingError } from '../shared/errors';
import type { MessageSizeLimit } from '../shared/message-size';
import {
  logger as defaultLogger,
  metrics as defaultMetrics,
  type LoggerLike,
  type MetricsLike,
} from '../shared/observability';
import type { SqsBatchClient } from './forward';
import { planAndSend, publishRecordMetrics } from './plan-and-send';
import { parseRabbitMqEvent, type RabbitMqEventInput } from './rabbitmq-event';
import { planEntry } from './sqs-entries';

export type { RabbitMqEventInput } from './rabbitmq-event';
export type { SqsBatchClient } from './forward';

/** Where and how the bridge forwards. */
export interface BridgeConfig {
  /** Target SQS queue; a URL ending in `.fifo` selects FIFO behaviour. */
  readonly queueUrl: string;
  /** Concurrent SendMessageBatch calls (FIFO: calls never share a message group, see fifo-forward.ts). @default 4 */
  readonly parallelism?: number;
  /** FIFO: dotted path of the body field whose value is the message group id. @default - one group */
  readonly messageGroupIdField?: string;
  /** Attempts for entries SQS failed on its side. @default 3 */
  readonly maxAttempts?: number;
  /** The flow's size limit (`MAX_BODY_BYTES`); a larger body is not forwarded. @default - SQS's limit */
  readonly sizeLimit?: MessageSizeLimit;
}

/** What `createBridgeHandler` needs. */
export interface BridgeDependencies {
  readonly sqs: SqsBatchClient;
  readonly config: BridgeConfig;
  readonly logger?: LoggerLike;
  readonly metrics?: MetricsLike;
}

/** What one invocation forwarded (returned on success; on any failure the handler throws instead). */
export interface BridgeResult {
  readonly received: number;
  readonly forwarded: number;
  /** Records forwarded base64-wrapped or as the empty-body placeholder. */
  readonly wrapped: number;
  /** Records forwarded with a `bridge.invalid-reason` attribute. */
  readonly invalid: number;
  /** SendMessageBatch calls made, retries included. */
  readonly requests: number;
}

/** The bridge's Lambda handler. */
export type BridgeHandler = (event: RabbitMqEventInput) => Promise<BridgeResult>;

/**
 * Builds the bridge handler: RabbitMQ batch → SQS. Throws `ForwardingError` listing the records SQS did not
 * accept (or that SQS cannot carry), so the event source redelivers the whole batch; never returns normally
 * unless every record was accepted.
 */
export function createBridgeHandler(deps: BridgeDependencies): BridgeHandler {
  const log = deps.logger ?? defaultLogger;
  const metrics = deps.metrics ?? defaultMetrics;
  const fifo = deps.config.queueUrl.endsWith('.fifo');

  return async (event) => {
    const records = parseRabbitMqEvent(event);
    const entryOptions = {
      fifo,
      messageGroupIdField: deps.config.messageGroupIdField,
      sizeLimit: deps.config.sizeLimit,
    };
    const { planned, failures, wrapped, invalid, requests } = await planAndSend(
      deps.sqs,
      records,
      (record) => planEntry(record, entryOptions),
      deps.config,
    );
    publishRecordMetrics(metrics, records.length, failures.length);
    if (failures.length > 0) {
      const error = new ForwardingError(failures, records.length);
      log.error('Not every record reached SQS; failing the batch so RabbitMQ redelivers it', {
        received: records.length,
        failed: failures.length,
        failures: failures.slice(0, 20),
      });
      throw error;
    }
    const result: BridgeResult = {
      received: records.length,
      forwarded: planned.length,
      wrapped,
      invalid,
      requests,
    };
    if (invalid > 0 || wrapped > 0)
      log.warn('Forwarded records that are not valid messages or not plain text', { ...result });
    else log.info('Forwarded batch', { ...result });
    return result;
  };
}
