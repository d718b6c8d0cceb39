import { randomUUID } from 'node:crypto';
import { InvalidProducerEventError } from '../shared/errors';
import { encodeMessage, type Message } from '../shared/message';
import { escapeSqsUnsafe, MAX_BODY_BYTES, SQS_MAX_MESSAGE_BYTES } from '../shared/sqs-limits';

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
}

function countField(event: Record<string, unknown>, field: 'count' | 'poison', fallback: number): number {
  const value = event[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_MESSAGES_PER_INVOCATION) {
    throw new InvalidProducerEventError(field, value, `an integer from 0 to ${MAX_MESSAGES_PER_INVOCATION}`);
  }
  return value;
}

/** Validates the invocation event; throws `InvalidProducerEventError` naming the field, the value and the range. */
export function parseProducerEvent(raw: unknown, newId: () => string = randomUUID): ProducerRequest {
  if (raw === undefined || raw === null) return { count: 1, poison: 0, runId: newId() };
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
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || size > MAX_BODY_BYTES) {
      throw new InvalidProducerEventError(
        'size',
        size,
        `an integer from 0 to ${MAX_BODY_BYTES} bytes (the SQS limit of ${SQS_MAX_MESSAGE_BYTES} bytes minus room for attributes)`,
      );
    }
    if (event.payload !== undefined) {
      throw new InvalidProducerEventError(
        'size',
        size,
        'no size when a payload is given (size pads generated payloads)',
      );
    }
  }
  return { count, poison, runId, payload: event.payload, size };
}

/** Encodes and checks one body; the error names the message and the limit. */
function encodeWithinLimit(message: Message): Buffer {
  let text: string;
  try {
    text = encodeMessage(message);
  } catch (error) {
    throw new InvalidProducerEventError('payload', message.payload, `a JSON value (${(error as Error).message})`);
  }
  const body = Buffer.from(text, 'utf8');
  if (body.byteLength > MAX_BODY_BYTES) {
    throw new InvalidProducerEventError(
      'payload (encoded message size in bytes)',
      body.byteLength,
      `at most ${MAX_BODY_BYTES} (the SQS limit of ${SQS_MAX_MESSAGE_BYTES} bytes minus room for attributes)`,
    );
  }
  return body;
}

/** A sample message; with `size`, its payload is padded so the encoded body is `size` bytes (or minimal). */
function sampleMessage(request: ProducerRequest, sequence: number, id: string, now: Date): Message {
  const base: Message = {
    id,
    type: SAMPLE_MESSAGE_TYPE,
    payload: request.payload === undefined ? { sequence } : (request.payload as Message['payload']),
    createdAt: now.toISOString(),
    correlationId: id,
    runId: request.runId,
  };
  if (request.size === undefined) return base;
  // Only the length is needed here: encoding without the contract check halves the cost of building a large
  // request (docs/performance.md); the padded message is still validated when encodeWithinLimit encodes it.
  const unpaddedText = escapeSqsUnsafe(JSON.stringify({ ...base, payload: { sequence, padding: '' } }));
  const unpadded = Buffer.byteLength(unpaddedText, 'utf8');
  return { ...base, payload: { sequence, padding: 'x'.repeat(Math.max(0, request.size - unpadded)) } };
}

/**
 * A poison message: well-formed JSON with an id, but missing `payload`, `createdAt` and `correlationId`, so
 * the consumer rejects it as schema-invalid every time and SQS moves it to the DLQ after `maxReceiveCount`.
 */
function poisonBody(id: string, runId: string): Buffer {
  return Buffer.from(JSON.stringify({ id, runId, type: 'poison' }), 'utf8');
}

/** Builds the messages of one request: `count` good ones, then `poison` invalid ones. */
export function buildMessages(
  request: ProducerRequest,
  newId: () => string = randomUUID,
  now: Date = new Date(),
): OutgoingMessage[] {
  const messages: OutgoingMessage[] = [];
  for (let sequence = 0; sequence < request.count; sequence++) {
    const id = newId();
    const body = encodeWithinLimit(sampleMessage(request, sequence, id, now));
    messages.push({ id, correlationId: id, body, poison: false });
  }
  for (let n = 0; n < request.poison; n++) {
    const id = newId();
    messages.push({ id, correlationId: id, body: poisonBody(id, request.runId), poison: true });
  }
  return messages;
}
