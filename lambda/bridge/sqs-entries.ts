import { createHash } from 'node:crypto';
import type { MessageAttributeValue, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { ATTRIBUTE, BODY_ENCODING, EMPTY_BODY_PLACEHOLDER } from '../shared/attributes';
import { InvalidMessageError, type ForwardFailure } from '../shared/errors';
import { decodeMessageText, utf8TextOf } from '../shared/message';
import { messageSizeLimit, sizeLimitText, type MessageSizeLimit } from '../shared/message-size';
import { escapeSqsUnsafe, isSqsSafeText, SQS_MAX_BATCH_ENTRIES, SQS_MAX_MESSAGE_BYTES } from '../shared/sqs-limits';
import type { BridgeRecord } from './rabbitmq-event';

export interface EntryOptions {
  /** The target is a FIFO queue: set deduplication and group ids. */
  readonly fifo: boolean;
  /** FIFO: dotted path of the body field whose value is the group id. @default - every message in one group */
  readonly messageGroupIdField?: string;
  /** The flow's size limit: a larger body is not forwarded. @default - SQS's limit only */
  readonly sizeLimit?: MessageSizeLimit;
}

/** A record turned into an SQS entry (without the per-request `Id`). */
export interface PlannedEntry {
  readonly record: BridgeRecord;
  readonly entry: Omit<SendMessageBatchRequestEntry, 'Id'>;
  /** Size SQS counts against its limit. */
  readonly bytes: number;
}

/** Group id used when the configured field is absent from a message. */
export const FALLBACK_GROUP_ID = 'ungrouped';

const FIFO_ID = /^[\x21-\x7e]{1,128}$/;
const MAX_REASON_LENGTH = 1_024;
const LEFT_ON_BROKER = 'left on the broker, which dead-letters it after x-delivery-limit deliveries';

/** Names a record in errors and logs: its message id, or `#index` when it has none. */
export function recordLabel(record: BridgeRecord): string {
  return record.messageId ?? `#${record.index}`;
}

/** A FIFO id SQS accepts: the value itself when it fits, else a stable SHA-256 of it. */
export function fifoSafeId(value: string): string {
  return FIFO_ID.test(value) ? value : createHash('sha256').update(value).digest('hex');
}

function fieldAt(json: unknown, path: string): unknown {
  let value = json;
  for (const key of path.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/** The FIFO group id from the body field at `path`, or the fallback when the body has no such scalar field. */
export function messageGroupId(text: string | undefined, path: string | undefined): string {
  if (!path || text === undefined) return FALLBACK_GROUP_ID;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return FALLBACK_GROUP_ID;
  }
  const value = fieldAt(json, path);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return FALLBACK_GROUP_ID;
  return String(value) === '' ? FALLBACK_GROUP_ID : fifoSafeId(String(value));
}

/**
 * The FIFO deduplication id. A valid message's is its body `id`, the contract's identity (and the consumer's
 * idempotency key): the AMQP `message-id` property is the publisher's, and a publisher that reuses one for different
 * messages would have SQS drop all but the first within its 5-minute deduplication window. A message that fails
 * the contract has no trustworthy id, so its id is a SHA-256 of its `message-id` property (if any) and its bytes:
 * the same for every redelivery of it, different for any message that differs in either. Two invalid messages
 * identical in both within 5 minutes are one message to SQS (docs/handlers.md).
 */
export function deduplicationId(record: BridgeRecord, bodyId: string | undefined): string {
  if (bodyId !== undefined) return fifoSafeId(bodyId);
  const hash = createHash('sha256');
  if (record.messageId !== undefined) hash.update('message-id\0').update(record.messageId).update('\0');
  return hash.update(record.body).digest('hex');
}

/** UTF-8 bytes of the `String` data type, as SQS counts them. */
const STRING_TYPE_BYTES = 'String'.length;

/** Sets a String attribute (characters SQS refuses escaped); returns the bytes SQS counts for it. */
function setAttribute(attributes: Record<string, MessageAttributeValue>, name: string, value: string): number {
  const safe = isSqsSafeText(value) ? value : escapeSqsUnsafe(value);
  attributes[name] = { DataType: 'String', StringValue: safe };
  // Attribute names are ASCII: one byte per character.
  return name.length + STRING_TYPE_BYTES + Buffer.byteLength(safe, 'utf8');
}

/**
 * Maps a record to an SQS entry. The body travels untouched when SQS can carry it as text; otherwise it travels
 * base64 with `bridge.body-encoding` saying so (binary, non-UTF-8, characters SQS refuses), or as a placeholder
 * when empty. Invalid messages are still forwarded (the consumer decides) with the reason in an attribute, so the
 * reason is there when the message reaches the DLQ. Returns a failure when the result exceeds SQS's size limit.
 */
export function planEntry(record: BridgeRecord, options: EntryOptions): PlannedEntry | ForwardFailure {
  const sizeLimit = options.sizeLimit ?? messageSizeLimit();
  // The same limit the producer refuses at: a body over it came from another publisher and stays on the broker.
  if (record.body.byteLength > sizeLimit.maxBodyBytes) {
    return {
      id: recordLabel(record),
      code: 'Oversized',
      message: `body of ${record.body.byteLength} bytes; the flow takes ${sizeLimitText(sizeLimit)}; ${LEFT_ON_BROKER}`,
    };
  }
  // Decoded once: it decides how the body travels, and the contract check below reads the same text.
  const text = utf8TextOf(record.body);
  const attributes: Record<string, MessageAttributeValue> = {};
  let bytes = 0;
  let body: string;
  if (record.body.byteLength === 0) {
    body = EMPTY_BODY_PLACEHOLDER;
    bytes += Buffer.byteLength(body, 'utf8');
    bytes += setAttribute(attributes, ATTRIBUTE.bodyEncoding, BODY_ENCODING.empty);
  } else if (text !== undefined && isSqsSafeText(text)) {
    body = text;
    bytes += record.body.byteLength;
  } else {
    body = record.body.toString('base64');
    bytes += body.length;
    bytes += setAttribute(attributes, ATTRIBUTE.bodyEncoding, BODY_ENCODING.base64);
  }
  if (record.messageId) bytes += setAttribute(attributes, ATTRIBUTE.messageId, record.messageId);
  if (record.correlationId) bytes += setAttribute(attributes, ATTRIBUTE.correlationId, record.correlationId);
  if (record.contentType) bytes += setAttribute(attributes, ATTRIBUTE.contentType, record.contentType);
  if (record.contentEncoding) bytes += setAttribute(attributes, ATTRIBUTE.contentEncoding, record.contentEncoding);
  if (record.type) bytes += setAttribute(attributes, ATTRIBUTE.type, record.type);
  if (Object.keys(record.headers).length > 0)
    bytes += setAttribute(attributes, ATTRIBUTE.headers, JSON.stringify(record.headers));
  let messageId: string | undefined;
  try {
    messageId = decodeMessageText(record.body.byteLength, text, record.contentEncoding).id;
  } catch (error) {
    if (!(error instanceof InvalidMessageError)) throw error;
    bytes += setAttribute(attributes, ATTRIBUTE.invalidReason, error.message.slice(0, MAX_REASON_LENGTH));
  }
  const entry: Omit<SendMessageBatchRequestEntry, 'Id'> = options.fifo
    ? {
        MessageBody: body,
        MessageAttributes: attributes,
        MessageDeduplicationId: deduplicationId(record, messageId),
        MessageGroupId: messageGroupId(text, options.messageGroupIdField),
      }
    : { MessageBody: body, MessageAttributes: attributes };
  if (bytes > SQS_MAX_MESSAGE_BYTES) {
    return {
      id: recordLabel(record),
      code: 'Oversized',
      message:
        `${bytes} bytes as an SQS message exceeds the SQS limit of ${SQS_MAX_MESSAGE_BYTES} bytes ` +
        `(the flow takes bodies ${sizeLimitText(sizeLimit)}); ${LEFT_ON_BROKER}`,
    };
  }
  return { record, entry, bytes };
}

/** Groups entries for SendMessageBatch: at most 10 per call and at most `maxBytes` per call (SQS limits both). */
export function chunkEntries(
  entries: readonly PlannedEntry[],
  maxEntries = SQS_MAX_BATCH_ENTRIES,
  maxBytes = SQS_MAX_MESSAGE_BYTES,
): PlannedEntry[][] {
  const chunks: PlannedEntry[][] = [];
  let current: PlannedEntry[] = [];
  let currentBytes = 0;
  for (const planned of entries) {
    if (current.length > 0 && (current.length === maxEntries || currentBytes + planned.bytes > maxBytes)) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(planned);
    currentBytes += planned.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
