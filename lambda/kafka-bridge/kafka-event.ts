import { decodeHeaderValue, type BridgeRecord, type HeaderValue } from '../bridge/rabbitmq-event';
import { describeValue } from '../shared/errors';

/**
 * The event Lambda's Amazon MSK event source sends (Lambda guide, "Using Lambda with Amazon MSK"): records grouped
 * under `"topic-partition"`, `key` and `value` in base64 (either may be absent or null), headers as a list of
 * one-entry objects whose value is the header's bytes as a number array. Every field is optional here.
 */
export interface KafkaEventInput {
  readonly eventSource?: string | null;
  readonly eventSourceArn?: string | null;
  readonly bootstrapServers?: string | null;
  readonly records?: Readonly<Record<string, readonly KafkaRecordInput[] | null>> | null;
}

export interface KafkaRecordInput {
  readonly topic?: string | null;
  readonly partition?: number | null;
  readonly offset?: number | string | null;
  readonly timestamp?: number | null;
  readonly timestampType?: string | null;
  readonly key?: string | null;
  readonly value?: string | null;
  readonly headers?: readonly Readonly<Record<string, unknown>>[] | null;
}

/** Where a Kafka record sits: what the event source retries from and what names the record in failures. */
export interface KafkaPosition {
  readonly topic: string;
  readonly partition: number;
  /** Offsets are 64-bit; kept as a decimal string so none loses precision. */
  readonly offset: string;
}

/** One Kafka record decoded into the shape the shared forwarding takes, plus where it came from. */
export interface KafkaBridgeRecord extends BridgeRecord {
  readonly kafka: KafkaPosition & {
    readonly timestamp?: number;
    /** The record key's bytes, absent for a null key. */
    readonly key?: Buffer;
  };
}

/** The event is not shaped like a Kafka event at all (a misrouted invocation). */
export class InvalidKafkaEventError extends Error {
  override readonly name = 'InvalidKafkaEventError';
}

/**
 * Header names our Kafka producer uses for the message contract's properties (AMQP carries them as properties;
 * Kafka has only headers). Any other header travels in the headers attribute.
 */
export const KAFKA_PROPERTY_HEADERS = {
  messageId: 'message-id',
  correlationId: 'correlation-id',
  contentType: 'content-type',
  contentEncoding: 'content-encoding',
  type: 'type',
} as const;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The identifier a Kafka partial batch response names a record by: `topic-partition-offset`. */
export function kafkaItemIdentifier(position: KafkaPosition): string {
  return `${position.topic}-${position.partition}-${position.offset}`;
}

function base64Field(raw: unknown, what: string): Buffer | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string' || !BASE64.test(raw)) {
    throw new InvalidKafkaEventError(`${what} is ${describeValue(raw, 40)}; expected base64 or null`);
  }
  return Buffer.from(raw, 'base64');
}

/** Headers as Lambda renders them (`[{name: [bytes]}]`) → a JSON object; a repeated name keeps every value. */
export function decodeKafkaHeaders(raw: unknown): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  if (!Array.isArray(raw)) return out;
  for (const entry of raw) {
    if (entry === null || typeof entry !== 'object') continue;
    for (const [name, bytes] of Object.entries(entry as Record<string, unknown>)) {
      // Lambda sends the bytes as a bare array; the shared decoder reads `{ bytes }`, which also covers signed bytes.
      const value = Array.isArray(bytes) ? decodeHeaderValue({ bytes }) : decodeHeaderValue(bytes);
      if (!(name in out)) out[name] = value;
      else if (Array.isArray(out[name])) (out[name] as HeaderValue[]).push(value);
      else out[name] = [out[name], value];
    }
  }
  return out;
}

function takeProperty(headers: Record<string, HeaderValue>, name: string): string | undefined {
  const value = headers[name];
  if (typeof value !== 'string' || value === '') return undefined;
  delete headers[name];
  return value;
}

function offsetOf(raw: unknown, where: string): string {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw >= 0) return String(raw);
  if (typeof raw === 'string' && /^\d{1,19}$/.test(raw)) return raw;
  throw new InvalidKafkaEventError(`${where}.offset is ${describeValue(raw)}; expected a non-negative integer`);
}

/** Decodes the event into records, in event order; throws `InvalidKafkaEventError` only if it is not a Kafka event. */
export function parseKafkaEvent(event: KafkaEventInput | null | undefined): KafkaBridgeRecord[] {
  const byPartition = event?.records;
  if (byPartition === null || typeof byPartition !== 'object' || Array.isArray(byPartition)) {
    throw new InvalidKafkaEventError(
      `The event's records is ${describeValue(byPartition)}; expected an object of "topic-partition" → records ` +
        '(is this function triggered by an Amazon MSK event source?)',
    );
  }
  const records: KafkaBridgeRecord[] = [];
  for (const [group, list] of Object.entries(byPartition)) {
    for (const raw of list ?? []) {
      const index = records.length;
      const where = `Record #${index} of ${describeValue(group)}`;
      const topic = typeof raw?.topic === 'string' && raw.topic !== '' ? raw.topic : group.replace(/-\d+$/, '');
      const partition = raw?.partition;
      if (typeof partition !== 'number' || !Number.isInteger(partition) || partition < 0) {
        throw new InvalidKafkaEventError(`${where}.partition is ${describeValue(partition)}; expected an integer ≥ 0`);
      }
      const headers = decodeKafkaHeaders(raw?.headers);
      const record: KafkaBridgeRecord = {
        index,
        queue: topic,
        vhost: '',
        body: base64Field(raw?.value, `${where}.value`) ?? Buffer.alloc(0),
        // A Kafka record carries no redelivery flag; the consumer's idempotency absorbs retried batches.
        redelivered: false,
        messageId: takeProperty(headers, KAFKA_PROPERTY_HEADERS.messageId),
        correlationId: takeProperty(headers, KAFKA_PROPERTY_HEADERS.correlationId),
        contentType: takeProperty(headers, KAFKA_PROPERTY_HEADERS.contentType),
        contentEncoding: takeProperty(headers, KAFKA_PROPERTY_HEADERS.contentEncoding),
        type: takeProperty(headers, KAFKA_PROPERTY_HEADERS.type),
        headers,
        kafka: {
          topic,
          partition,
          offset: offsetOf(raw?.offset, where),
          timestamp: typeof raw?.timestamp === 'number' ? raw.timestamp : undefined,
          key: base64Field(raw?.key, `${where}.key`),
        },
      };
      records.push(record);
    }
  }
  return records;
}
