import type { Message as KafkaMessage, Producer } from 'kafkajs';
import { KAFKA_PROPERTY_HEADERS } from '../kafka-bridge/kafka-event';
import type { SendCutoff } from '../producer/deadline';
import type { OutgoingMessage } from '../producer/event';
import { MESSAGE_CONTENT_TYPE } from '../shared/message';
import { offsetRunsOf, type KafkaOffsetRun } from './record-positions';

/** Why a message does not count as sent. */
export type KafkaPublishFailureCode = 'connection-failed' | 'send-failed' | 'send-timeout' | 'deadline';

export interface KafkaPublishFailure {
  readonly id: string;
  readonly code: KafkaPublishFailureCode;
  readonly reason: string;
  readonly poison: boolean;
}

export interface KafkaPublishOutcome {
  /** Messages every in-sync replica acknowledged, in publish order. */
  readonly acknowledged: readonly { readonly id: string; readonly poison: boolean }[];
  readonly failed: readonly KafkaPublishFailure[];
  /** Where the acknowledged messages landed, for verify's on-failure accounting (see record-positions.ts). */
  readonly positions: readonly KafkaOffsetRun[];
}

/** How long one produce call may take, retries included, unless configured otherwise. */
export const DEFAULT_SEND_TIMEOUT_MS = 30_000;

export interface KafkaPublishOptions {
  readonly topic: string;
  /** Messages per produce call (kafkajs splits them per partition leader). @default 500 */
  readonly chunkSize?: number;
  /** How long one produce call may take, retries included, before its messages count as failed. @default 30000 */
  readonly sendTimeoutMs?: number;
  /**
   * No chunk is sent from this time (epoch ms) on: the invocation's deadline less the send timeout. Its messages and
   * every later one fail as `deadline`, never sent. @default - no limit
   */
  readonly sendUntil?: SendCutoff;
}

/** The Kafka record of a contract message: key = message id (the ordering key), the contract's ids as headers. */
export function kafkaRecordOf(message: OutgoingMessage): KafkaMessage {
  return {
    key: message.id,
    value: message.body,
    headers: {
      [KAFKA_PROPERTY_HEADERS.messageId]: message.id,
      [KAFKA_PROPERTY_HEADERS.correlationId]: message.correlationId,
      [KAFKA_PROPERTY_HEADERS.contentType]: MESSAGE_CONTENT_TYPE,
    },
  };
}

class SendTimeout extends Error {
  override readonly name = 'SendTimeout';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SendTimeout(`no acknowledgement within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Lets the client run its queued work (encode the request, write it to the socket) before we take the CPU again. */
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function takeChunk(iterator: Iterator<OutgoingMessage>, size: number): OutgoingMessage[] {
  const chunk: OutgoingMessage[] = [];
  while (chunk.length < size) {
    const next = iterator.next();
    if (next.done) break;
    chunk.push(next.value);
  }
  return chunk;
}

/**
 * Produces `messages` with `acks=all` in chunks, one chunk at a time (the idempotent producer keeps one request in
 * flight, so a retry never reorders a partition). A chunk's messages count as sent only once `send` resolved, i.e.
 * the leader and every in-sync replica have them; a rejected or timed-out chunk fails all its messages, and every
 * later chunk too, because the producer may now be unusable and the caller discards it. A chunk due after
 * `sendUntil` is not sent: it and every later one fail as `deadline` (the chunk in flight still completes).
 *
 * The next chunk's messages and records are built while the current chunk waits for its acknowledgement (the bench
 * measured building after each acknowledgement at ~15% of the producer's time); it is still sent only after.
 */
export async function produceAcknowledged(
  producer: Pick<Producer, 'send'>,
  messages: Iterable<OutgoingMessage>,
  options: KafkaPublishOptions,
): Promise<KafkaPublishOutcome> {
  const chunkSize = options.chunkSize ?? 500;
  const acknowledged: { id: string; poison: boolean }[] = [];
  const failed: KafkaPublishFailure[] = [];
  const positions: KafkaOffsetRun[] = [];
  let broken: { code: KafkaPublishFailureCode; reason: string } | undefined;
  const send = async (sending: readonly OutgoingMessage[], records: KafkaMessage[]): Promise<void> => {
    if (!broken && options.sendUntil && Date.now() >= options.sendUntil.at) {
      broken = { code: 'deadline', reason: options.sendUntil.reason };
    }
    if (!broken) {
      try {
        const metadata = await withTimeout(
          producer.send({ topic: options.topic, acks: -1, messages: records }),
          options.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS,
        );
        for (const m of sending) acknowledged.push({ id: m.id, poison: m.poison });
        positions.push(
          ...offsetRunsOf(
            options.topic,
            records,
            sending.map((m) => m.id),
            metadata,
          ),
        );
        return;
      } catch (error) {
        const { name, message } = error as Error;
        broken = { code: error instanceof SendTimeout ? 'send-timeout' : 'send-failed', reason: `${name}: ${message}` };
      }
    }
    for (const m of sending) failed.push({ id: m.id, poison: m.poison, ...broken! });
  };
  const iterator = messages[Symbol.iterator]();
  let inFlight: Promise<void> = Promise.resolve();
  for (;;) {
    const chunk = takeChunk(iterator, chunkSize);
    const records = chunk.map(kafkaRecordOf);
    await inFlight;
    if (chunk.length === 0) break;
    inFlight = send(chunk, records);
    await yieldToIo();
  }
  return { acknowledged, failed, positions };
}
