import type { ForwardFailure } from '../shared/errors';
import { utf8TextOf } from '../shared/message';
import { escapeSqsUnsafe, isSqsSafeText, SQS_MAX_MESSAGE_BYTES, sqsMessageBytes } from '../shared/sqs-limits';
import { fifoSafeId, planEntry, recordLabel, type EntryOptions, type PlannedEntry } from '../bridge/sqs-entries';
import type { KafkaBridgeRecord } from './kafka-event';

/**
 * The Kafka side of an SQS entry: the shared `planEntry` makes the entry of the message contract (body, ids,
 * headers, invalid reason), and this adds where the record came from. Topic, partition, offset, timestamp and key
 * travel as one JSON attribute, because SQS allows 10 attributes per message and the contract already may use 8.
 */

/** Kafka's SQS message attribute: `{ topic, partition, offset, timestamp?, key?, keyEncoding? }`. */
export const KAFKA_RECORD_ATTRIBUTE = 'kafka.record';

/** What `kafka.record` holds. */
export interface KafkaRecordAttribute {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly timestamp?: number;
  /** The key as text, or base64 when `keyEncoding` says so; absent for a null key. */
  readonly key?: string;
  readonly keyEncoding?: 'base64';
}

/** The key as text SQS can carry, or base64 when it is not valid UTF-8 or holds characters SQS refuses. */
export function keyText(key: Buffer | undefined): { readonly key?: string; readonly keyEncoding?: 'base64' } {
  if (key === undefined) return {};
  const text = utf8TextOf(key);
  return text !== undefined && isSqsSafeText(text)
    ? { key: text }
    : { key: key.toString('base64'), keyEncoding: 'base64' };
}

/** The `kafka.record` attribute's value. */
export function kafkaRecordAttribute(record: KafkaBridgeRecord): KafkaRecordAttribute {
  const { topic, partition, offset, timestamp, key } = record.kafka;
  return { topic, partition, offset, ...(timestamp === undefined ? {} : { timestamp }), ...keyText(key) };
}

/**
 * Plans one Kafka record's SQS entry. FIFO: the group is the record key (Kafka's own unit of order), falling back to
 * the shared rule (a body field, else one group) for keyless records; the deduplication id is the message id, or
 * the record's `topic-partition-offset` when it has none (a retried batch re-sends the same position).
 */
export function planKafkaEntry(record: KafkaBridgeRecord, options: EntryOptions): PlannedEntry | ForwardFailure {
  const plan = planEntry(record, options);
  if (!('entry' in plan)) return plan;
  const value = escapeSqsUnsafe(JSON.stringify(kafkaRecordAttribute(record)));
  const attributes = {
    ...plan.entry.MessageAttributes,
    [KAFKA_RECORD_ATTRIBUTE]: { DataType: 'String', StringValue: value },
  };
  const bytes = plan.bytes + sqsMessageBytes('', { [KAFKA_RECORD_ATTRIBUTE]: attributes[KAFKA_RECORD_ATTRIBUTE] });
  if (bytes > SQS_MAX_MESSAGE_BYTES) {
    return {
      id: recordLabel(record),
      code: 'Oversized',
      message: `${bytes} bytes as an SQS message exceeds the SQS limit of ${SQS_MAX_MESSAGE_BYTES} bytes`,
    };
  }
  const { key } = record.kafka;
  const fifo = options.fifo
    ? {
        MessageGroupId:
          key !== undefined && key.byteLength > 0 ? fifoSafeId(keyText(key).key as string) : plan.entry.MessageGroupId,
        MessageDeduplicationId: fifoSafeId(
          record.messageId ?? `${record.kafka.topic}-${record.kafka.partition}-${record.kafka.offset}`,
        ),
      }
    : {};
  return { record, entry: { ...plan.entry, ...fifo, MessageAttributes: attributes }, bytes };
}
