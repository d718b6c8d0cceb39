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
  /** Stop at the first failed call (FIFO: sending later groups would overtake the failed ones). @default false */
  readonly stopOnFailure?: boolean;
  /** Pause before a retry; doubles each attempt. @default 100 */
  readonly retryDelayMs?: number;
}

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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one chunk; returns the records SQS did not accept. */
async function sendChunk(
  client: SqsBatchClient,
  chunk: readonly PlannedEntry[],
  options: SendOptions,
): Promise<ForwardFailure[]> {
  const maxAttempts = options.maxAttempts ?? 3;
  // Entry ids only need to be unique within one request; the position is enough and always valid.
  let pending = new Map<string, PlannedEntry>(chunk.map((planned, i) => [`e${i}`, planned]));
  const failures: ForwardFailure[] = [];
  for (let attempt = 1; pending.size > 0; attempt++) {
    const entries: SendMessageBatchRequestEntry[] = [];
    for (const [Id, planned] of pending) entries.push({ Id, ...planned.entry });
    let output: SendMessageBatchCommandOutput;
    try {
      output = await client.send(new SendMessageBatchCommand({ QueueUrl: options.queueUrl, Entries: entries }));
    } catch (error) {
      // The SDK has already retried throttling and transient errors; what reaches us is final.
      const { name, message } = error as Error;
      return [...failures, ...[...pending.values()].map((p) => ({ id: recordLabel(p.record), code: name, message }))];
    }
    const retry = new Map<string, PlannedEntry>();
    for (const failed of output.Failed ?? []) {
      const planned = pending.get(failed.Id ?? '');
      if (!planned) continue;
      if (!failed.SenderFault && attempt < maxAttempts) {
        retry.set(failed.Id as string, planned);
      } else {
        failures.push({
          id: recordLabel(planned.record),
          code: failed.Code ?? 'Unknown',
          message: failed.Message ?? '',
        });
      }
    }
    const answered = new Set<string | undefined>();
    for (const r of output.Successful ?? []) answered.add(r.Id);
    for (const r of output.Failed ?? []) answered.add(r.Id);
    for (const [id, planned] of pending) {
      if (!answered.has(id)) {
        failures.push({
          id: recordLabel(planned.record),
          code: 'NoAnswer',
          message: 'SQS reported neither success nor failure',
        });
      }
    }
    pending = retry;
    if (pending.size > 0) await sleep((options.retryDelayMs ?? 100) * 2 ** (attempt - 1));
  }
  return failures;
}

/** Sends all chunks with bounded parallelism; returns every record SQS did not accept. */
export async function sendChunks(
  client: SqsBatchClient,
  chunks: readonly (readonly PlannedEntry[])[],
  options: SendOptions,
): Promise<ForwardFailure[]> {
  let stopped = false;
  const perChunk = await mapWithConcurrency(chunks, options.stopOnFailure ? 1 : options.parallelism, async (chunk) => {
    if (stopped) {
      return chunk.map((p) => ({
        id: recordLabel(p.record),
        code: 'NotSent',
        message: 'not sent because an earlier FIFO batch failed (order would break)',
      }));
    }
    const failures = await sendChunk(client, chunk, options);
    if (failures.length > 0 && options.stopOnFailure) stopped = true;
    return failures;
  });
  return perChunk.flat();
}
