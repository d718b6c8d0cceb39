import type { ForwardFailure } from '../shared/errors';
import {
  mapWithConcurrency,
  retryDelay,
  sendOnce,
  sleep,
  type SendOptions,
  type SendResult,
  type SqsBatchClient,
} from './forward';
import { chunkEntries, recordLabel, type PlannedEntry } from './sqs-entries';

/**
 * FIFO forwarding that never lets SQS accept an entry after a later entry of the same message group.
 *
 * SQS answers each entry of a SendMessageBatch call on its own, so a call holding m1 and m2 of one group can fail
 * m1 and accept m2; m1 sent again then lands behind m2, and SQS's order is the consumer's order. So each group is
 * a lane: a call carries at most one entry per group (up to 10 groups per call), and a group's next entry goes out
 * only after SQS accepted the one before it. A failed entry is retried (SQS-side faults, with backoff) before
 * anything behind it; when it fails for good its group stops there, and the rest of the group is reported not
 * sent, so the invocation fails and RabbitMQ redelivers the batch (SQS's deduplication drops what it already has).
 * Other groups go on meanwhile. Throughput: many groups fill calls of 10 and run `parallelism` calls at once; a
 * batch of one group takes one call per message.
 */

interface Lane {
  readonly pending: PlannedEntry[];
  attempt: number;
  /** Epoch ms before which the head is not retried. */
  notBefore: number;
}

export async function sendInGroupOrder(
  client: SqsBatchClient,
  entries: readonly PlannedEntry[],
  options: SendOptions,
): Promise<SendResult> {
  const maxAttempts = options.maxAttempts ?? 3;
  const lanes = new Map<string, Lane>();
  for (const planned of entries) {
    const group = planned.entry.MessageGroupId ?? '';
    const lane = lanes.get(group) ?? { pending: [], attempt: 1, notBefore: 0 };
    lane.pending.push(planned);
    lanes.set(group, lane);
  }
  const failures: ForwardFailure[] = [];
  let requests = 0;
  for (;;) {
    const active = [...lanes.values()].filter((lane) => lane.pending.length > 0);
    if (active.length === 0) break;
    const now = Date.now();
    const ready = active.filter((lane) => lane.notBefore <= now);
    if (ready.length === 0) {
      await sleep(Math.min(...active.map((lane) => lane.notBefore)) - now);
      continue;
    }
    // One round: the head of every ready group, at most one per group in any call.
    const heads = ready.map((lane) => lane.pending[0]);
    const laneOf = new Map(ready.map((lane) => [lane.pending[0], lane]));
    const chunks = chunkEntries(heads);
    requests += chunks.length;
    const answered = await mapWithConcurrency(chunks, options.parallelism, async (chunk) => {
      const outcomes = await sendOnce(client, options.queueUrl, chunk);
      return chunk.map((planned, i) => ({ planned, outcome: outcomes[i] }));
    });
    for (const { planned, outcome } of answered.flat()) {
      const lane = laneOf.get(planned) as Lane;
      if (outcome.accepted) {
        lane.pending.shift();
        lane.attempt = 1;
      } else if (outcome.retryable && lane.attempt < maxAttempts) {
        lane.notBefore = Date.now() + retryDelay(options, lane.attempt);
        lane.attempt++;
      } else {
        failures.push(
          outcome.failure,
          ...lane.pending.slice(1).map((p) => ({
            id: recordLabel(p.record),
            code: 'NotSent',
            message: `not sent because ${outcome.failure.id}, earlier in its message group, was not accepted (order would break)`,
          })),
        );
        lane.pending.length = 0;
      }
    }
  }
  return { failures, requests };
}
