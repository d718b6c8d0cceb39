import { isUtf8 } from 'node:buffer';
import * as z from 'zod/mini';
import { describeValue, InvalidMessageError } from './errors';
import { escapeSqsUnsafe } from './sqs-limits';

/**
 * The message contract every hop agrees on. zod's tree-shakable `mini` build keeps each bundle small; the issue
 * formatter below replaces its (omitted) locale so errors still name the field, the value and what is allowed.
 */

const identifier = z.string().check(z.minLength(1), z.maxLength(128));

export const messageSchema = z.object({
  /** Unique per message; the consumer's idempotency key and the FIFO deduplication id. */
  id: identifier,
  /** What happened, e.g. `sample.event`. */
  type: z.string().check(z.minLength(1), z.maxLength(256)),
  /** Any JSON value; the processing function interprets it. */
  payload: z.json(),
  /** ISO 8601 with offset, set by the producer. */
  createdAt: z.iso.datetime({ offset: true }),
  /** Ties the message to the request that caused it. */
  correlationId: identifier,
  /** Groups the messages of one producer run (verification). */
  runId: z.optional(identifier),
});

/** A message that satisfies the contract. */
export type Message = z.infer<typeof messageSchema>;

/** AMQP content type of an encoded message. */
export const MESSAGE_CONTENT_TYPE = 'application/json';

/** Content encodings that mean "the bytes are the UTF-8 JSON itself". */
const IDENTITY_ENCODINGS = new Set(['', 'identity', 'utf-8', 'utf8']);

const ALLOWED: Record<string, string> = {
  id: 'a string of 1–128 characters',
  correlationId: 'a string of 1–128 characters',
  runId: 'absent, or a string of 1–128 characters',
  type: 'a string of 1–256 characters',
  payload: 'any JSON value (object, array, string, number, boolean or null)',
  createdAt: 'an ISO 8601 date-time with offset, e.g. 2024-05-01T12:00:00.000Z',
  '': 'a JSON object with id, type, payload, createdAt and correlationId',
};

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return value;
}

/** Turns zod issues into one line per field: `createdAt is "yesterday"; expected an ISO 8601 …`. */
export function formatIssues(input: unknown, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      const received = valueAt(input, issue.path);
      const allowed = ALLOWED[field] ?? issue.message;
      return `${field || 'message'} is ${received === undefined ? 'missing' : describeValue(received, 60)}; expected ${allowed}`;
    })
    .join('; ');
}

/** Validates `value` against the contract; throws `InvalidMessageError('schema-invalid')` naming every bad field. */
export function parseMessage(value: unknown): Message {
  const result = messageSchema.safeParse(value);
  if (!result.success) throw new InvalidMessageError('schema-invalid', formatIssues(value, result.error.issues));
  return result.data;
}

/**
 * Encodes a message as JSON text SQS can carry unchanged: characters SQS refuses are written as `\u` escapes,
 * which any JSON parser turns back into the same string.
 */
export function encodeMessage(message: Message): string {
  return escapeSqsUnsafe(JSON.stringify(parseMessage(message)));
}

/**
 * The UTF-8 text of `body`, byte order mark kept; undefined when it is not valid UTF-8. The same as a fatal
 * `TextDecoder` with `ignoreBOM`, without creating a decoder per call or throwing for invalid input.
 */
export function utf8TextOf(body: Uint8Array): string | undefined {
  if (!isUtf8(body)) return undefined;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

/**
 * Decodes a transported body into a message, checking in the order a human would: is there a body, is its
 * encoding one we read, is it text, is it JSON, does it match the contract. Throws `InvalidMessageError`.
 */
export function decodeMessage(body: Uint8Array, contentEncoding?: string | null): Message {
  return decodeMessageText(body.byteLength, () => utf8TextOf(body), contentEncoding);
}

/**
 * `decodeMessage` for a caller that already has the body's text: `text` is its `utf8TextOf` (undefined when not
 * UTF-8), or a function computing it only if needed. Same checks, same order, same errors.
 */
export function decodeMessageText(
  byteLength: number,
  text: string | undefined | (() => string | undefined),
  contentEncoding?: string | null,
): Message {
  if (byteLength === 0) throw new InvalidMessageError('empty-body', 'the body is empty; expected a JSON message');
  if (contentEncoding && !IDENTITY_ENCODINGS.has(contentEncoding.trim().toLowerCase())) {
    throw new InvalidMessageError(
      'unsupported-content-encoding',
      `content encoding ${describeValue(contentEncoding)} is not supported; expected none, "identity" or "utf-8"`,
    );
  }
  const decoded = typeof text === 'function' ? text() : text;
  if (decoded === undefined) {
    throw new InvalidMessageError(
      'not-utf8',
      `the ${byteLength}-byte body is not valid UTF-8 (binary data or another character encoding); expected UTF-8 JSON`,
    );
  }
  // A decoder strips one leading byte order mark; JSON.parse would refuse it.
  const jsonText = decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  let json: unknown;
  try {
    json = JSON.parse(jsonText);
  } catch (error) {
    throw new InvalidMessageError(
      'not-json',
      `the body ${describeValue(jsonText, 60)} is not JSON (${(error as Error).message}); expected a JSON object`,
    );
  }
  return parseMessage(json);
}
