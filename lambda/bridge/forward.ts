import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import type { ForwardFailure } from '../shared/errors';
import type { SqsBatchClient } from '../shared/sqs-batch-client';
import { recordLabel, type PlannedEntry } from './sqs-entries';

export type { SqsBatchClient } from '../shared/sqs-batch-client';

export interface SendOptions {
  readonly queueUrl: string;
  /** Concurrent SendMessageBatch calls. */
  readonly parallelism: number;
  /** Attempts for entries SQS failed on its side (`SenderFault: false`); sender faults are not retried. @default 3 */
  readonly maxAttempts?: number;
  /** Pause before a retry; doubles each attempt. @default 100 */
  readonly retryDelayMs?: number;
}

/** What forwarding a batch came to: the records SQS did not accept, and the SendMessageBatch calls it took. */
export interface SendResult {
  readonly failures: ForwardFailure[];
  readonly requests: number;
}

/** SQS's answer for one entry of one call. */
export type EntryOutcome =
  | { readonly accepted: true }
  | { readonly accepted: false; readonly retryable: boolean; readonly failure: ForwardFailure };

/** Runs `task` over `items` with at most `limit` at a time, in order of start. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pause before attempt `attempt + 1`. */
export function retryDelay(options: SendOptions, attempt: number): number {
  return (options.retryDelayMs ?? 100) * 2 ** (attempt - 1);
}

/**
 * One SendMessageBatch call; the outcome of each entry, in the order given. Entry ids only need to be unique within
 * one request: a position is enough and always valid (`ids`, default `e0`, `e1`…, keeps a retried entry's id).
 */
export async function sendOnce(
  client: SqsBatchClient,
  queueUrl: string,
  batch: readonly PlannedEntry[],
  ids: readonly string[] = batch.map((_, i) => `e${i}`),
): Promise<EntryOutcome[]> {
  const entries: SendMessageBatchRequestEntry[] = batch.map((planned, i) => ({ Id: ids[i], ...planned.entry }));
  let output: SendMessageBatchCommandOutput;
  try {
    output = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
  } catch (error) {
    // The SDK has already retried throttling and transient errors; what reaches us is final.
    const { name, message } = error as Error;
    return batch.map((p) => ({
      accepted: false,
      retryable: false,
      failure: { id: recordLabel(p.record), code: name, message },
    }));
  }
  const accepted = new Set((output.Successful ?? []).map((r) => r.Id));
  const failed = new Map((output.Failed ?? []).map((f) => [f.Id, f]));
  return batch.map((planned, i): EntryOutcome => {
    const id = ids[i];
    if (accepted.has(id)) return { accepted: true };
    const f = failed.get(id);
    const label = recordLabel(planned.record);
    if (!f) {
      return {
        accepted: false,
        retryable: false,
        failure: { id: label, code: 'NoAnswer', message: 'SQS reported neither success nor failure' },
      };
    }
    return {
      accepted: false,
      retryable: !f.SenderFault,
      failure: { id: label, code: f.Code ?? 'Unknown', message: f.Message ?? '' },
    };
  });
}

/** Sends one chunk, retrying what SQS failed on its side; returns the records SQS did not accept. */
async function sendChunk(
  client: SqsBatchClient,
  chunk: readonly PlannedEntry[],
  options: SendOptions,
): Promise<SendResult> {
  const maxAttempts = options.maxAttempts ?? 3;
  let pending = chunk.map((planned, i) => ({ id: `e${i}`, planned }));
  const failures: ForwardFailure[] = [];
  let requests = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    requests++;
    const outcomes = await sendOnce(
      client,
      options.queueUrl,
      pending.map((p) => p.planned),
      pending.map((p) => p.id),
    );
    const retry: typeof pending = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.accepted) return;
      if (outcome.retryable && attempt < maxAttempts) retry.push(pending[i]);
      else failures.push(outcome.failure);
    });
    pending = retry;
    if (pending.length > 0) await sleep(retryDelay(options, attempt));
  }
  return { failures, requests };
}

/**
 * Standard queues: sends all chunks with bounded parallelism, each retrying only its failed entries (a standard
 * queue promises no order, so a retried entry may land after later ones); returns every record SQS did not accept.
 */
export async function sendChunks(
  client: SqsBatchClient,
  chunks: readonly (readonly PlannedEntry[])[],
  options: SendOptions,
): Promise<SendResult> {
  const perChunk = await mapWithConcurrency(chunks, options.parallelism, (chunk) => sendChunk(client, chunk, options));
  return {
    failures: perChunk.flatMap((r) => r.failures),
    requests: perChunk.reduce((sum, r) => sum + r.requests, 0),
  };
}
