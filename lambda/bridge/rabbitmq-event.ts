import { describeValue } from '../shared/errors';

/**
 * The event Lambda's Amazon MQ for RabbitMQ event source sends: records grouped under `"queue::vhost"`, body in
 * base64 `data`, AMQP properties in `basicProperties` (absent ones `null`), and header values that were AMQP
 * long strings arrive as `{ "bytes": [...] }`. Every field is optional here: a missing one is tolerated.
 */
export interface RabbitMqEventInput {
  readonly eventSource?: string | null;
  readonly eventSourceArn?: string | null;
  readonly rmqMessagesByQueue?: Readonly<Record<string, readonly RabbitMqRecordInput[] | null>> | null;
}

export interface RabbitMqRecordInput {
  readonly data?: string | null;
  readonly redelivered?: boolean | null;
  readonly basicProperties?: RabbitMqBasicPropertiesInput | null;
}

/** The AMQP properties the bridge reads; the others (priority, timestamp, …) are ignored. */
export interface RabbitMqBasicPropertiesInput {
  readonly messageId?: unknown;
  readonly correlationId?: unknown;
  readonly contentType?: unknown;
  readonly contentEncoding?: unknown;
  readonly type?: unknown;
  readonly headers?: unknown;
}

/** A header value after decoding: JSON-compatible. Non-UTF-8 byte values become `{ "base64": "..." }`. */
export type HeaderValue = string | number | boolean | null | HeaderValue[] | { [key: string]: HeaderValue };

/** One RabbitMQ message, decoded. */
export interface BridgeRecord {
  /** Position in the event (0-based, across queues): names records that have no message id. */
  readonly index: number;
  readonly queue: string;
  readonly vhost: string;
  /** The body's bytes exactly as published. */
  readonly body: Buffer;
  readonly redelivered: boolean;
  readonly messageId?: string;
  readonly correlationId?: string;
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly type?: string;
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

/** The event is not shaped like a RabbitMQ event at all (a misrouted invocation). */
export class InvalidRabbitMqEventError extends Error {
  override readonly name = 'InvalidRabbitMqEventError';
}

/**
 * Base64, with whitespace anywhere (line-wrapped encoders): the same strings as stripping whitespace and then
 * testing `^[A-Za-z0-9+/]*={0,2}$`, in one pass and without a copy. Node's decoder skips the whitespace itself.
 */
const BASE64_WITH_WHITESPACE = /^[A-Za-z0-9+/\s]*(?:=\s*){0,2}$/;

function isByteArray(value: unknown): value is { bytes: number[] } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const bytes = (value as { bytes?: unknown }).bytes;
  return keys.length === 1 && Array.isArray(bytes) && bytes.every((b) => Number.isInteger(b) && b >= -128 && b <= 255);
}

/** Decodes one header value as Lambda renders it: byte arrays to UTF-8 text, tables and arrays recursively. */
export function decodeHeaderValue(value: unknown): HeaderValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return value.toString();
  if (isByteArray(value)) {
    // Java renders bytes as signed (-128..127); mask to recover the octet.
    const bytes = Buffer.from(value.bytes.map((b) => b & 0xff));
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { base64: bytes.toString('base64') };
    }
  }
  if (Array.isArray(value)) return value.map(decodeHeaderValue);
  if (typeof value === 'object') {
    const table: Record<string, HeaderValue> = {};
    for (const [key, inner] of Object.entries(value)) table[key] = decodeHeaderValue(inner);
    return table;
  }
  return String(value);
}

function stringProperty(
  properties: RabbitMqBasicPropertiesInput,
  key: keyof RabbitMqBasicPropertiesInput,
): string | undefined {
  const value = properties[key];
  if (typeof value === 'string' && value !== '') return value;
  if (isByteArray(value)) {
    const text = decodeHeaderValue(value);
    return typeof text === 'string' && text !== '' ? text : undefined;
  }
  return undefined;
}

/** Splits `"queue::vhost"`; the vhost is after the last `::` because queue names may contain colons. */
export function splitQueueKey(key: string): { queue: string; vhost: string } {
  const at = key.lastIndexOf('::');
  return at < 0 ? { queue: key, vhost: '/' } : { queue: key.slice(0, at), vhost: key.slice(at + 2) || '/' };
}

/** Decodes the event into records; throws `InvalidRabbitMqEventError` only if it is not a RabbitMQ event. */
export function parseRabbitMqEvent(event: RabbitMqEventInput | null | undefined): BridgeRecord[] {
  const byQueue = event?.rmqMessagesByQueue;
  if (byQueue === null || typeof byQueue !== 'object' || Array.isArray(byQueue)) {
    throw new InvalidRabbitMqEventError(
      `The event's rmqMessagesByQueue is ${describeValue(byQueue)}; expected an object of "queue::vhost" → records ` +
        '(is this function triggered by a RabbitMQ event source?)',
    );
  }
  const records: BridgeRecord[] = [];
  for (const [key, list] of Object.entries(byQueue)) {
    const { queue, vhost } = splitQueueKey(key);
    for (const raw of list ?? []) {
      const index = records.length;
      const data = typeof raw?.data === 'string' ? raw.data : '';
      if (!BASE64_WITH_WHITESPACE.test(data)) {
        throw new InvalidRabbitMqEventError(
          `Record #${index} of ${describeValue(key)} has data ${describeValue(data.replace(/\s/g, ''), 40)}; expected base64`,
        );
      }
      const properties: RabbitMqBasicPropertiesInput = raw?.basicProperties ?? {};
      const headers = decodeHeaderValue(properties.headers ?? {});
      records.push({
        index,
        queue,
        vhost,
        body: Buffer.from(data, 'base64'),
        redelivered: raw?.redelivered === true,
        messageId: stringProperty(properties, 'messageId'),
        correlationId: stringProperty(properties, 'correlationId'),
        contentType: stringProperty(properties, 'contentType'),
        contentEncoding: stringProperty(properties, 'contentEncoding'),
        type: stringProperty(properties, 'type'),
        headers: headers !== null && typeof headers === 'object' && !Array.isArray(headers) ? headers : {},
      });
    }
  }
  return records;
}
