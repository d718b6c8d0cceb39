import { ATTRIBUTE } from '../shared/attributes';
import type { ForwardFailure } from '../shared/errors';
import { MetricUnit, type MetricsLike } from '../shared/observability';
import { sendInGroupOrder } from './fifo-forward';
import { sendChunks, type SqsBatchClient } from './forward';
import { chunkEntries, type PlannedEntry } from './sqs-entries';

/**
 * The part of an invocation both bridges share: plan each record's SQS entry (with the source's own planner), send
 * the entries (FIFO in message-group order, a standard queue in parallel chunks) and count the outcome. What a failure
 * means to the event source differs per source and stays in each handler.
 */

/** Where and how to send, as both bridges are configured. */
export interface PlanAndSendConfig {
  /** Target SQS queue; a URL ending in `.fifo` selects FIFO behaviour. */
  readonly queueUrl: string;
  /** Concurrent SendMessageBatch calls. @default 4 */
  readonly parallelism?: number;
  /** Attempts for entries SQS failed on its side. @default 3 */
  readonly maxAttempts?: number;
}

/** What one invocation's records came to. */
export interface PlannedAndSent {
  /** Every entry planned; those that a failure names did not reach SQS. */
  readonly planned: readonly PlannedEntry[];
  /** Records SQS cannot carry (never sent) and entries SQS did not accept. */
  readonly failures: readonly ForwardFailure[];
  /** Entries whose body travels base64-wrapped or as the empty-body placeholder. */
  readonly wrapped: number;
  /** Entries with a `bridge.invalid-reason` attribute. */
  readonly invalid: number;
  /** SendMessageBatch calls made, retries included. */
  readonly requests: number;
}

export async function planAndSend<R>(
  sqs: SqsBatchClient,
  records: readonly R[],
  plan: (record: R) => PlannedEntry | ForwardFailure,
  config: PlanAndSendConfig,
): Promise<PlannedAndSent> {
  const planned: PlannedEntry[] = [];
  const failures: ForwardFailure[] = [];
  let wrapped = 0;
  let invalid = 0;
  for (const record of records) {
    const entry = plan(record);
    if ('entry' in entry) {
      planned.push(entry);
      const attributes = entry.entry.MessageAttributes;
      if (attributes?.[ATTRIBUTE.bodyEncoding]) wrapped++;
      if (attributes?.[ATTRIBUTE.invalidReason]) invalid++;
    } else {
      failures.push(entry);
    }
  }
  const sendOptions = {
    queueUrl: config.queueUrl,
    parallelism: config.parallelism ?? 4,
    maxAttempts: config.maxAttempts,
  };
  const sent = config.queueUrl.endsWith('.fifo')
    ? await sendInGroupOrder(sqs, planned, sendOptions)
    : await sendChunks(sqs, chunkEntries(planned), sendOptions);
  failures.push(...sent.failures);
  return { planned, failures, wrapped, invalid, requests: sent.requests };
}

/** The three record counts every bridge invocation publishes. */
export function publishRecordMetrics(metrics: MetricsLike, received: number, notForwarded: number): void {
  metrics.addMetric('RecordsReceived', MetricUnit.Count, received);
  metrics.addMetric('RecordsForwarded', MetricUnit.Count, received - notForwarded);
  metrics.addMetric('RecordsNotForwarded', MetricUnit.Count, notForwarded);
  metrics.publishStoredMetrics();
}
