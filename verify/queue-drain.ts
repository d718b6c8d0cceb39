import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { ATTRIBUTE } from '../lambda/shared/attributes';
import type { DeadLetter, Receipt } from './accounting';

/**
 * Drains an SQS queue (receipts, DLQ) for one run: messages this run recognises are collected and deleted; others
 * (another run's) are left in place, hidden for a while so one pass does not see them twice. Shared by the local
 * runtime (against the embedded emulator) and the deployed check.
 */

export interface DrainOptions<T> {
  readonly client: SQSClient;
  readonly queueUrl: string;
  /** Returns the item for a message of this run, or undefined to leave the message alone. */
  readonly parse: (message: Message) => T | undefined;
  /** How long messages of other runs stay hidden after this pass sees them. @default 30 */
  readonly foreignVisibilitySec?: number;
  /** Long-poll wait of the first receive; later receives do not wait. @default 0 */
  readonly waitTimeSeconds?: number;
  /** Upper bound of messages per pass, so a pass ends even on a busy queue. @default 10000 */
  readonly maxMessages?: number;
}

/** Receives until the queue answers empty (or `maxMessages`), deletes this run's messages, returns their items. */
export async function drainOnce<T>(options: DrainOptions<T>): Promise<T[]> {
  const items: T[] = [];
  const limit = options.maxMessages ?? 10_000;
  let seen = 0;
  let first = true;
  while (seen < limit) {
    const out = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: first ? (options.waitTimeSeconds ?? 0) : 0,
        VisibilityTimeout: options.foreignVisibilitySec ?? 30,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    first = false;
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    seen += messages.length;
    const ours: Message[] = [];
    for (const message of messages) {
      const item = options.parse(message);
      if (item !== undefined) {
        items.push(item);
        ours.push(message);
      }
    }
    if (ours.length > 0) {
      await options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: ours.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
  }
  return items;
}

/**
 * A consumer receipt line/message: `{ id, runId, receivedAt, attempt, effect, effectId }` (`receivedAt` ISO text or
 * epoch ms; `effect` and `effectId` absent in receipts of consumers that predate them).
 */
export interface ReceiptRecord extends Receipt {
  readonly runId?: string;
  readonly attempt?: number;
}

/** Parses a receipt body; undefined when it is not a receipt or belongs to another run. */
export function parseReceipt(body: string | undefined, runId?: string): ReceiptRecord | undefined {
  const json = parseJson(body);
  if (!json || typeof json.id !== 'string') return undefined;
  if (runId !== undefined && json.runId !== runId) return undefined;
  const receivedAt = typeof json.receivedAt === 'number' ? json.receivedAt : Date.parse(String(json.receivedAt));
  if (!Number.isFinite(receivedAt)) return undefined;
  return {
    id: json.id,
    receivedAt,
    runId: typeof json.runId === 'string' ? json.runId : undefined,
    attempt: typeof json.attempt === 'number' ? json.attempt : undefined,
    ...(typeof json.effect === 'boolean' ? { effect: json.effect } : {}),
    ...(typeof json.group === 'string' ? { group: json.group } : {}),
    ...(typeof json.sequenceNumber === 'string' ? { sequenceNumber: json.sequenceNumber } : {}),
    ...(typeof json.effectId === 'string' ? { effectId: json.effectId } : {}),
  };
}

/**
 * The message id of a dead-lettered SQS message: the body's `id` (valid and poison messages both carry one), else the
 * bridge's `amqp.message-id` attribute (bodies that are not JSON). Only ids in `ids` (this run's) are returned.
 */
export function parseSqsDeadLetter(message: Message, ids: ReadonlySet<string>): DeadLetter | undefined {
  const json = parseJson(message.Body);
  const attrs = message.MessageAttributes ?? {};
  const candidates = [typeof json?.id === 'string' ? json.id : undefined, attrs[ATTRIBUTE.messageId]?.StringValue];
  const id = candidates.find((c) => c !== undefined && ids.has(c));
  return id === undefined ? undefined : { id, queue: 'sqs' };
}

function parseJson(body: string | undefined): Record<string, unknown> | undefined {
  if (body === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
