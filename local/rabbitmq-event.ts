import type { ConsumeMessage } from 'amqplib';

/**
 * The event Lambda's RabbitMQ (Amazon MQ) event source delivers, built from AMQP deliveries exactly as the service
 * shapes it: records grouped under `queue::vhost`, body base64, string and byte-array header values as
 * `{ bytes: [...] }`, absent properties as `null`, timestamp formatted like `Jan 1, 1970, 12:33:41 AM` (UTC).
 */

/** A header value as Lambda renders it. */
export type RabbitMqHeaderValue =
  | { readonly bytes: readonly number[] }
  | number
  | boolean
  | null
  | readonly RabbitMqHeaderValue[]
  | { readonly [key: string]: RabbitMqHeaderValue };

export interface RabbitMqBasicProperties {
  readonly contentType: string | null;
  readonly contentEncoding: string | null;
  readonly headers: Record<string, RabbitMqHeaderValue> | null;
  readonly deliveryMode: number | null;
  readonly priority: number | null;
  readonly correlationId: string | null;
  readonly replyTo: string | null;
  readonly expiration: string | null;
  readonly messageId: string | null;
  readonly timestamp: string | null;
  readonly type: string | null;
  readonly userId: string | null;
  readonly appId: string | null;
  readonly clusterId: string | null;
  readonly bodySize: number;
}

export interface RabbitMqRecord {
  readonly basicProperties: RabbitMqBasicProperties;
  readonly redelivered: boolean;
  /** Message body, base64. */
  readonly data: string;
}

export interface RabbitMqEvent {
  readonly eventSource: 'aws:rmq';
  readonly eventSourceArn: string;
  readonly rmqMessagesByQueue: Record<string, RabbitMqRecord[]>;
}

/** Broker ARN the local event source reports (the shape of an Amazon MQ broker ARN; no real account). */
export const LOCAL_BROKER_ARN = 'arn:aws:mq:us-east-1:000000000000:broker:local:b-00000000-0000-0000-0000-000000000000';

/** Builds the Lambda event for one batch of deliveries from `queue` in `vhost`. */
export function buildRabbitMqEvent(
  deliveries: readonly ConsumeMessage[],
  queue: string,
  vhost: string,
  eventSourceArn: string = LOCAL_BROKER_ARN,
): RabbitMqEvent {
  return {
    eventSource: 'aws:rmq',
    eventSourceArn,
    rmqMessagesByQueue: { [`${queue}::${vhost}`]: deliveries.map(toRecord) },
  };
}

function toRecord(delivery: ConsumeMessage): RabbitMqRecord {
  const p = delivery.properties;
  return {
    basicProperties: {
      contentType: stringOrNull(p.contentType),
      contentEncoding: stringOrNull(p.contentEncoding),
      headers: p.headers ? convertTable(p.headers) : null,
      deliveryMode: typeof p.deliveryMode === 'number' ? p.deliveryMode : null,
      priority: typeof p.priority === 'number' ? p.priority : null,
      correlationId: stringOrNull(p.correlationId),
      replyTo: stringOrNull(p.replyTo),
      expiration: p.expiration === undefined || p.expiration === null ? null : String(p.expiration),
      messageId: stringOrNull(p.messageId),
      timestamp: typeof p.timestamp === 'number' ? formatAmqpTimestamp(p.timestamp) : null,
      type: stringOrNull(p.type),
      userId: stringOrNull(p.userId),
      appId: stringOrNull(p.appId),
      clusterId: stringOrNull(p.clusterId),
      bodySize: delivery.content.length,
    },
    redelivered: delivery.fields.redelivered,
    data: delivery.content.toString('base64'),
  };
}

/** Converts an AMQP field table: strings and byte arrays become `{ bytes }`, numbers and booleans stay. */
export function convertTable(table: Record<string, unknown>): Record<string, RabbitMqHeaderValue> {
  const out: Record<string, RabbitMqHeaderValue> = {};
  for (const [key, value] of Object.entries(table)) {
    if (value !== undefined) out[key] = convertValue(value);
  }
  return out;
}

function convertValue(value: unknown): RabbitMqHeaderValue {
  if (typeof value === 'string') return { bytes: [...Buffer.from(value, 'utf8')] };
  if (Buffer.isBuffer(value)) return { bytes: [...value] };
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(convertValue);
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'object') {
    // amqplib represents explicitly typed values as { '!': type, value }.
    const typed = value as { '!'?: unknown; value?: unknown };
    if (typeof typed['!'] === 'string' && 'value' in typed) return convertValue(typed.value);
    return convertTable(value as Record<string, unknown>);
  }
  return null;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** AMQP timestamps are seconds since the epoch; Lambda renders them as `MMM d, yyyy, h:mm:ss a` in UTC. */
export function formatAmqpTimestamp(epochSeconds: number): string {
  // Built by hand: Intl output varies with the ICU version (e.g. a narrow no-break space before AM/PM).
  const d = new Date(epochSeconds * 1000);
  const hours24 = d.getUTCHours();
  const hours12 = hours24 % 12 === 0 ? 12 : hours24 % 12;
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ` +
    `${hours12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${hours24 < 12 ? 'AM' : 'PM'}`
  );
}

function stringOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}
