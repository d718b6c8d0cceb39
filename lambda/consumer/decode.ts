import type { SQSRecord } from 'aws-lambda';
import { ATTRIBUTE, BODY_ENCODING } from '../shared/attributes';
import { describeValue, InvalidMessageError } from '../shared/errors';
import { decodeMessage, type Message } from '../shared/message';

/** A header value as the bridge carries it (JSON). */
export type HeaderValue = string | number | boolean | null | HeaderValue[] | { [key: string]: HeaderValue };

/** A validated message and what the transport said about it. */
export interface DecodedRecord {
  readonly message: Message;
  /** AMQP headers of the original message. */
  readonly headers: Readonly<Record<string, HeaderValue>>;
}

function attribute(record: SQSRecord, name: string): string | undefined {
  return record.messageAttributes?.[name]?.stringValue ?? undefined;
}

/** The AMQP body's bytes, undoing the bridge's transport encoding. */
export function originalBody(record: SQSRecord): Buffer {
  const encoding = attribute(record, ATTRIBUTE.bodyEncoding);
  if (encoding === undefined) return Buffer.from(record.body, 'utf8');
  if (encoding === BODY_ENCODING.base64) return Buffer.from(record.body, 'base64');
  if (encoding === BODY_ENCODING.empty) return Buffer.alloc(0);
  throw new InvalidMessageError(
    'unsupported-content-encoding',
    `${ATTRIBUTE.bodyEncoding} is ${describeValue(encoding)}; expected absent, "${BODY_ENCODING.base64}" or "${BODY_ENCODING.empty}"`,
  );
}

function headersOf(record: SQSRecord): Record<string, HeaderValue> {
  const raw = attribute(record, ATTRIBUTE.headers);
  if (raw === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, HeaderValue>)
      : {};
  } catch {
    // Headers are context, not the message: unreadable ones must not fail a valid message.
    return {};
  }
}

/** Validates one SQS record against the contract; throws `InvalidMessageError` with the reason. */
export function decodeSqsRecord(record: SQSRecord): DecodedRecord {
  const body = originalBody(record);
  const message = decodeMessage(body, attribute(record, ATTRIBUTE.contentEncoding));
  return { message, headers: headersOf(record) };
}
