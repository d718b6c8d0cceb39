/**
 * What SQS can carry. The character set is the documented one minus supplementary planes: a surrogate pair is
 * escaped rather than sent raw, because lone surrogates are never valid and the local emulator (like older SQS
 * validators) rejects astral characters. Escaping costs a few bytes and makes local and cloud behave the same.
 */

/** Largest SQS message: body plus attribute names, types and values (bytes). */
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

/** Bytes reserved for the bridge's message attributes (ids, content type, headers). */
export const ATTRIBUTE_ALLOWANCE_BYTES = 8_192;

/** Largest body the producer will publish, so that the bridge can always forward it with its attributes. */
export const MAX_BODY_BYTES = SQS_MAX_MESSAGE_BYTES - ATTRIBUTE_ALLOWANCE_BYTES;

/** Entries per SendMessageBatch call (SQS maximum). */
export const SQS_MAX_BATCH_ENTRIES = 10;

// eslint-disable-next-line no-control-regex -- the control characters are the point: SQS refuses them.
const UNSAFE_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARACTERS = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD]/g;

/** True when SQS accepts `text` as a body or string attribute value unchanged. */
export function isSqsSafeText(text: string): boolean {
  return !UNSAFE_CHARACTER.test(text);
}

/**
 * Replaces every UTF-16 unit SQS refuses with a `\uXXXX` escape. Applied to JSON text it yields equivalent JSON,
 * because such characters can only occur inside JSON strings.
 */
export function escapeSqsUnsafe(text: string): string {
  return text.replace(UNSAFE_CHARACTERS, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A message attribute as SQS counts it. */
export interface SizedAttribute {
  readonly DataType?: string;
  readonly StringValue?: string;
}

/** Size SQS charges against the message limit: body, and each attribute's name, data type and value (UTF-8). */
export function sqsMessageBytes(body: string, attributes: Readonly<Record<string, SizedAttribute>> = {}): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(attribute.DataType ?? '', 'utf8');
    size += Buffer.byteLength(attribute.StringValue ?? '', 'utf8');
  }
  return size;
}
