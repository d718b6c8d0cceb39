import type { SqsBatchClient } from '../bridge/forward';
import { planAndSend, publishRecordMetrics } from '../bridge/plan-and-send';
import { recordLabel } from '../bridge/sqs-entries';
import type { ForwardFailure } from '../shared/errors';
import {
  logger as defaultLogger,
  metrics as defaultMetrics,
  type LoggerLike,
  type MetricsLike,
} from '../shared/observability';
import { planKafkaEntry } from './kafka-entries';
import { kafkaItemIdentifier, parseKafkaEvent, type KafkaBridgeRecord, type KafkaEventInput } from './kafka-event';

export type { KafkaEventInput } from './kafka-event';

/** Where and how the Kafka bridge forwards. */
export interface KafkaBridgeConfig {
  /** Target SQS queue; a URL ending in `.fifo` selects FIFO behaviour. */
  readonly queueUrl: string;
  /** Concurrent SendMessageBatch calls (FIFO sends one at a time to keep order). @default 4 */
  readonly parallelism?: number;
  /** FIFO, keyless records: dotted path of the body field whose value is the group id. @default - one group */
  readonly messageGroupIdField?: string;
  /** Attempts for entries SQS failed on its side. @default 3 */
  readonly maxAttempts?: number;
}

/** What `createKafkaBridgeHandler` needs. */
export interface KafkaBridgeDependencies {
  readonly sqs: SqsBatchClient;
  readonly config: KafkaBridgeConfig;
  readonly logger?: LoggerLike;
  readonly metrics?: MetricsLike;
}

/** A Kafka partial batch response: the records the event source must retry (and, past its retries, give up on). */
export interface KafkaBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

/** The Kafka bridge's Lambda handler. */
export type KafkaBridgeHandler = (event: KafkaEventInput) => Promise<KafkaBatchResponse>;

/**
 * Builds the Kafka bridge: MSK batch → SQS with the shared forwarding. Unlike RabbitMQ, the MSK event source takes a
 * partial batch response, so the bridge never throws for records SQS refused: it names them (`topic-partition-offset`)
 * and the event source retries from the lowest failed offset of each partition, bisecting and finally handing the
 * batch to the on-failure destination. Records forwarded before a failed one are not sent again.
 */
export function createKafkaBridgeHandler(deps: KafkaBridgeDependencies): KafkaBridgeHandler {
  const log = deps.logger ?? defaultLogger;
  const metrics = deps.metrics ?? defaultMetrics;
  const fifo = deps.config.queueUrl.endsWith('.fifo');

  return async (event) => {
    const records = parseKafkaEvent(event);
    const entryOptions = { fifo, messageGroupIdField: deps.config.messageGroupIdField };
    const { failures, invalid } = await planAndSend(
      deps.sqs,
      records,
      (record) => planKafkaEntry(record, entryOptions),
      deps.config,
    );
    const failedRecords = failedRecordsOf(records, failures);
    publishRecordMetrics(metrics, records.length, failedRecords.length);
    const summary = { received: records.length, forwarded: records.length - failedRecords.length, invalid };
    if (failedRecords.length > 0) {
      log.error('Not every record reached SQS; reporting them so the event source retries from there', {
        ...summary,
        failed: failedRecords.length,
        failures: failures.slice(0, 20),
      });
    } else if (invalid > 0) {
      log.warn('Forwarded records that are not valid messages', summary);
    } else {
      log.info('Forwarded batch', summary);
    }
    return { batchItemFailures: failedRecords.map((r) => ({ itemIdentifier: kafkaItemIdentifier(r.kafka) })) };
  };
}

/**
 * The records behind `failures`. Failures name records by message id or `#index` (the shared label); several
 * records may share a message id (a producer retry), and then each of them is reported.
 */
function failedRecordsOf(
  records: readonly KafkaBridgeRecord[],
  failures: readonly ForwardFailure[],
): KafkaBridgeRecord[] {
  if (failures.length === 0) return [];
  const labels = new Set(failures.map((f) => f.id));
  return records.filter((record) => labels.has(recordLabel(record)));
}
