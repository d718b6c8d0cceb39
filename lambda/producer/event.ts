import { randomUUID } from 'node:crypto';
import { InvalidProducerEventError } from '../shared/errors';
import { parseMessage, type Message } from '../shared/message';
import { describeSizeLimit, messageSizeLimit, sizeLimitText, type MessageSizeLimit } from '../shared/message-size';
import { escapeSqsUnsafe, MAX_BODY_BYTES } from '../shared/sqs-limits';

/** What the producer is asked to publish. */
export interface ProducerEvent {
  /** Good messages to publish. @default 1 */
  readonly count?: number;
  /** Payload of every good message. @default - `{ sequence: n }` (padded to `size`) */
  readonly payload?: unknown;
  /** Run id stamped on every message, for verification. @default - a new UUID */
  readonly runId?: string;
  /** Deliberately invalid messages to add (they must end in the SQS DLQ). @default 0 */
  readonly poison?: number;
  /** Target body size in bytes for generated payloads (padding). @default - no padding */
  readonly size?: number;
}

/** Most messages one invocation publishes: bounds memory and keeps an invocation inside the Lambda timeout. */
export const MAX_MESSAGES_PER_INVOCATION = 100_000;

/**
 * Most body bytes one invocation publishes: 256 bodies of the largest size the producer may publish (about 254 MiB,
 * and it follows that size). `{ count: 100000, size: 1040384 }` — 104 GB — could never finish inside a Lambda
 * timeout; a request within the budget that still runs late is stopped at the deadline (see handler.ts).
 */
export const MAX_BYTES_PER_INVOCATION = 256 * MAX_BODY_BYTES;

const BYTE_BUDGET = `at most ${MAX_BYTES_PER_INVOCATION} bytes (256 bodies of the largest size, ${MAX_BODY_BYTES} bytes); split the request over several invocations`;

/** Message type of the sample messages. */
export const SAMPLE_MESSAGE_TYPE = 'sample.event';

/** A message ready to publish. */
export interface OutgoingMessage {
  readonly id: string;
  readonly correlationId: string;
  readonly body: Buffer;
  /** A deliberately invalid message (`poison`). */
  readonly poison: boolean;
}

/** The validated event with defaults applied. */
export interface ProducerRequest {
  readonly count: number;
  readonly poison: number;
  readonly runId: string;
  readonly payload?: unknown;
  readonly size?: number;
  /** The largest body allowed. @default - SQS's limit only (messageSizeLimit()) */
  readonly sizeLimit?: MessageSizeLimit;
}

function countField(event: Record<string, unknown>, field: 'count' | 'poison', fallback: number): number {
  const value = event[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_MESSAGES_PER_INVOCATION) {
    throw new InvalidProducerEventError(field, value, `an integer from 0 to ${MAX_MESSAGES_PER_INVOCATION}`);
  }
  return value;
}

/**
 * Validates the invocation event against the flow's size limit; throws `InvalidProducerEventError` naming the field,
 * the value and the range.
 */
export function parseProducerEvent(
  raw: unknown,
  newId: () => string = randomUUID,
  sizeLimit: MessageSizeLimit = messageSizeLimit(),
): ProducerRequest {
  if (raw === undefined || raw === null) return { count: 1, poison: 0, runId: newId(), sizeLimit };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidProducerEventError('event', raw, 'an object { count?, payload?, runId?, poison?, size? }');
  }
  const event = raw as Record<string, unknown>;
  const count = countField(event, 'count', 1);
  const poison = countField(event, 'poison', 0);
  if (count + poison > MAX_MESSAGES_PER_INVOCATION) {
    throw new InvalidProducerEventError('count + poison', count + poison, `at most ${MAX_MESSAGES_PER_INVOCATION}`);
  }
  const runId = event.runId ?? newId();
  if (typeof runId !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(runId)) {
    throw new InvalidProducerEventError('runId', runId, '1–128 characters from A–Z a–z 0–9 . _ : -');
  }
  const size = event.size ?? undefined;
  if (size !== undefined) {
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > sizeLimit.maxBodyBytes) {
      throw new InvalidProducerEventError(
        'size',
        size,
        `an integer from 0 to ${sizeLimit.maxBodyBytes} bytes (${describeSizeLimit(sizeLimit)})`,
      );
    }
    if (event.payload !== undefined) {
      throw new InvalidProducerEventError(
        'size',
        size,
        'no size when a payload is given (size pads generated payloads)',
      );
    }
    if (count * size > MAX_BYTES_PER_INVOCATION) {
      throw new InvalidProducerEventError('count × size', count * size, BYTE_BUDGET);
    }
  }
  return { count, poison, runId, payload: event.payload, size, sizeLimit };
}

/** Validates one message with the contract and encodes it; the error names the payload or the size and the limit. */
function encodeWithinLimit(
  message: Message,
  sizeLimit: MessageSizeLimit,
): { readonly text: string; readonly parsed: Message } {
  let parsed: Message;
  try {
    parsed = parseMessage(message);
  } catch (error) {
    throw new InvalidProducerEventError('payload', message.payload, `a JSON value (${(error as Error).message})`);
  }
  const text = escapeSqsUnsafe(JSON.stringify(parsed));
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > sizeLimit.maxBodyBytes) {
    throw new InvalidProducerEventError('payload (encoded message size in bytes)', bytes, sizeLimitText(sizeLimit));
  }
  return { text, parsed };
}

/** The reference sample message (`encodeMessage` of it is what the template must write); `size` pads its payload. */
function sampleMessage(request: ProducerRequest, sequence: number, id: string, createdAt: string): Message {
  const base: Message = {
    id,
    type: SAMPLE_MESSAGE_TYPE,
    payload: request.payload === undefined ? { sequence } : (request.payload as Message['payload']),
    createdAt,
    correlationId: id,
    runId: request.runId,
  };
  if (request.size === undefined) return base;
  const unpaddedText = escapeSqsUnsafe(JSON.stringify({ ...base, payload: { sequence, padding: '' } }));
  const unpadded = Buffer.byteLength(unpaddedText, 'utf8');
  return { ...base, payload: { sequence, padding: 'x'.repeat(Math.max(0, request.size - unpadded)) } };
}

/** Ids JSON and SQS carry as they are (every `randomUUID`): quoted without escaping, one byte per character. */
const PLAIN_ID = /^[A-Za-z0-9._:-]+$/;

/** JSON text of a string as `encodeMessage` writes it: quoted, escaped, characters SQS refuses as `\u` escapes. */
function jsonText(value: string): string {
  return PLAIN_ID.test(value) ? `"${value}"` : escapeSqsUnsafe(JSON.stringify(value));
}

/** The message ids of a request, generated and checked before anything is built or published. */
function generateIds(total: number, newId: () => string): string[] {
  const ids = new Array<string>(total);
  for (let i = 0; i < total; i++) {
    const id = newId();
    // A generator bug, not a bad event; refused here so that no message of the request is published.
    if (typeof id !== 'string' || id.length < 1 || id.length > 128) {
      throw new Error(`The message id generator returned ${JSON.stringify(id)}; expected a string of 1–128 characters`);
    }
    ids[i] = id;
  }
  return ids;
}

/** Index of the id whose JSON text is longest in UTF-8 (its message has the largest body). */
function longestId(ids: readonly string[], from: number, to: number): number {
  let longest = from;
  let longestBytes = -1;
  for (let i = from; i < to; i++) {
    const id = ids[i];
    const bytes = PLAIN_ID.test(id) ? id.length + 2 : Buffer.byteLength(jsonText(id), 'utf8');
    if (bytes > longestBytes) {
      longest = i;
      longestBytes = bytes;
    }
  }
  return longest;
}

/**
 * The body writer of good messages: the text `encodeMessage` writes for message `sequence`, from a template, so no
 * per-message contract check or double encoding is needed. Checked against the reference encoding at the largest
 * body, which also validates a given payload (once) and the size limit; throws `InvalidProducerEventError`.
 */
function goodBodyWriter(
  request: ProducerRequest,
  ids: readonly string[],
  createdAt: string,
): (sequence: number, id: string) => Buffer {
  const type = `,"type":"${SAMPLE_MESSAGE_TYPE}","payload":`;
  const middle = `,"createdAt":"${createdAt}","correlationId":`;
  const end = `,"runId":${jsonText(request.runId)}}`;
  const sizeLimit = request.sizeLimit ?? messageSizeLimit();
  let write: (sequence: number, id: string) => string;
  let largest: number;
  let reference: { readonly text: string; readonly parsed: Message } | undefined;
  /** Where the sequence number starts in a body whose id has `idBytes` bytes; undefined: no number in the body. */
  let numberOffset: ((idBytes: number) => number) | undefined;
  if (request.payload !== undefined) {
    // Bodies differ only in their ids: the one with the longest id is the largest.
    largest = longestId(ids, 0, request.count);
    reference = encodeWithinLimit(sampleMessage(request, largest, ids[largest], createdAt), sizeLimit);
    const bytes = Buffer.byteLength(reference.text, 'utf8') * request.count;
    if (bytes > MAX_BYTES_PER_INVOCATION) {
      throw new InvalidProducerEventError('count × encoded message size in bytes', bytes, BYTE_BUDGET);
    }
    const head = `${type}${escapeSqsUnsafe(JSON.stringify(reference.parsed.payload))}${middle}`;
    write = (_sequence, id) => {
      const idJson = jsonText(id);
      return `{"id":${idJson}${head}${idJson}${end}`;
    };
  } else {
    // A generated body is `size` bytes, or its unpadded minimum (< 2 KB); the reference encoding below checks it.
    largest = request.count - 1;
    const head = `${type}{"sequence":`;
    const size = request.size;
    const fixedBytes = Buffer.byteLength(`{"id":${head},"padding":""}${middle}${end}`, 'utf8');
    write = (sequence, id) => {
      const idJson = jsonText(id);
      const number = String(sequence);
      if (size === undefined) return `{"id":${idJson}${head}${number}}${middle}${idJson}${end}`;
      const idBytes = PLAIN_ID.test(id) ? idJson.length : Buffer.byteLength(idJson, 'utf8');
      const unpadded = fixedBytes + number.length + 2 * idBytes;
      const padding = size > unpadded ? 'x'.repeat(size - unpadded) : '';
      return `{"id":${idJson}${head}${number},"padding":"${padding}"}${middle}${idJson}${end}`;
    };
    numberOffset = (idBytes) => '{"id":'.length + idBytes + 2 + head.length;
  }
  reference ??= encodeWithinLimit(sampleMessage(request, largest, ids[largest], createdAt), sizeLimit);
  const written = write(largest, ids[largest]);
  if (written !== reference.text) {
    throw new Error(
      `The producer's message template wrote ${written.slice(0, 120)}…; the contract encodes it otherwise`,
    );
  }

  // Bodies of plain ids with the same id length and number of digits differ only in those bytes (even the padding
  // is the same): the first one is written as text, the others are copies of it with the id and number replaced.
  const endBytes = Buffer.byteLength(end, 'utf8');
  const shapes = new Map<number, Buffer>();
  return (sequence, id) => {
    if (!PLAIN_ID.test(id)) return Buffer.from(write(sequence, id), 'utf8');
    const number = numberOffset ? String(sequence) : '';
    const key = id.length * 8 + number.length;
    const shape = shapes.get(key);
    if (shape === undefined) {
      // Never modified afterwards, so it can be published itself and still serve as the template.
      const body = Buffer.from(write(sequence, id), 'utf8');
      shapes.set(key, body);
      return body;
    }
    const body = Buffer.allocUnsafe(shape.length);
    shape.copy(body);
    body.write(id, '{"id":"'.length, 'latin1');
    body.write(id, shape.length - endBytes - 1 - id.length, 'latin1');
    if (numberOffset) body.write(number, numberOffset(id.length), 'latin1');
    return body;
  };
}

/**
 * The messages of one validated request, built one at a time while they are published, so building overlaps the
 * broker's confirms instead of preceding them.
 */
export interface PreparedMessages extends Iterable<OutgoingMessage> {
  /** Every message id in publish order: `count` good ones, then the poison ones. */
  readonly ids: readonly string[];
  /** How many of `ids` are good messages. */
  readonly count: number;
}

/**
 * Prepares the messages of `request`. Everything that can make the request invalid is checked here, before the
 * first message is built or published: the ids, a given payload against the contract (once, not per message), and
 * the largest body against the size limit. Throws `InvalidProducerEventError`.
 */
export function prepareMessages(
  request: ProducerRequest,
  newId: () => string = randomUUID,
  now: Date = new Date(),
): PreparedMessages {
  const ids = generateIds(request.count + request.poison, newId);
  const createdAt = now.toISOString();
  const writeGood = request.count > 0 ? goodBodyWriter(request, ids, createdAt) : undefined;
  const runIdJson = jsonText(request.runId);
  return {
    ids,
    count: request.count,
    *[Symbol.iterator]() {
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        const poison = writeGood === undefined || i >= request.count;
        // Poison: well-formed JSON with an id, but no payload, createdAt or correlationId, so the consumer refuses
        // it as schema-invalid every time and SQS moves it to the DLQ after maxReceiveCount.
        const body = poison
          ? Buffer.from(`{"id":${JSON.stringify(id)},"runId":${runIdJson},"type":"poison"}`, 'utf8')
          : writeGood(i, id);
        yield { id, correlationId: id, body, poison };
      }
    },
  };
}

/** Builds every message of a request at once (tests, and the bench's publisher-only figure). */
export function buildMessages(
  request: ProducerRequest,
  newId: () => string = randomUUID,
  now: Date = new Date(),
): OutgoingMessage[] {
  return [...prepareMessages(request, newId, now)];
}
