import { addIssue as issue, checkIntegerRange, isUnresolved, type ConfigIssue } from './config-issue';
import { minimumVisibilityTimeoutSeconds } from './stage-config';

/**
 * Lambda, event source mapping and SQS rules that CloudFormation or Lambda would otherwise refuse at deploy time, plus
 * the delivery rules this project relies on (visibility timeout against the consumer timeout).
 */

/** Node.js runtimes Lambda still creates functions on; older ones are deprecated and refused by Lambda. */
export const SUPPORTED_NODE_RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;

export function checkRuntime(field: string, runtime: string): ConfigIssue[] {
  if (isUnresolved(runtime) || (SUPPORTED_NODE_RUNTIMES as readonly string[]).includes(runtime)) return [];
  const deprecated = /^nodejs(\d+)\./.exec(runtime ?? '');
  const why =
    deprecated && Number(deprecated[1]) < 22
      ? 'Lambda refuses to create functions on deprecated runtimes'
      : 'not a supported Node.js runtime';
  return [{ field, value: runtime, problem: `${why}; allowed: ${SUPPORTED_NODE_RUNTIMES.join(', ')}` }];
}

/** Memory 128–10,240 MB and timeout 1–900 s: Lambda's own limits. */
export function checkFunctionSizing(
  field: string,
  sizing: { readonly memoryMb: number; readonly timeoutSeconds: number },
): ConfigIssue[] {
  return [
    ...checkIntegerRange(`${field}.memoryMb`, sizing.memoryMb, 128, 10_240, 'MB'),
    ...checkIntegerRange(`${field}.timeoutSeconds`, sizing.timeoutSeconds, 1, 900, 'seconds'),
  ];
}

/** RabbitMQ event source: batch 1–10,000; batching window in whole seconds 0–300 (unset = Lambda's 0.5 s). */
export function checkRabbitMqEventSource(
  field: string,
  source: { readonly batchSize: number; readonly maxBatchingWindowSeconds?: number },
): ConfigIssue[] {
  const out = checkIntegerRange(`${field}.batchSize`, source.batchSize, 1, 10_000);
  if (source.maxBatchingWindowSeconds !== undefined) {
    out.push(
      ...checkIntegerRange(`${field}.maxBatchingWindowSeconds`, source.maxBatchingWindowSeconds, 0, 300, 'seconds'),
    );
  }
  return out;
}

/**
 * SQS event source: batch 1–10 for FIFO queues, 1–10,000 for standard ones where more than 10 needs a batching
 * window of at least 1 s; window 0–300 s; maximum concurrency 2–1,000.
 */
export function checkSqsEventSource(
  field: string,
  source: { readonly batchSize: number; readonly maxBatchingWindowSeconds: number; readonly maxConcurrency?: number },
  fifo: boolean,
): ConfigIssue[] {
  const out = checkIntegerRange(`${field}.batchSize`, source.batchSize, 1, fifo ? 10 : 10_000);
  if (fifo && out.length > 0) {
    out[0] = { ...out[0], problem: `${out[0].problem} (FIFO queues deliver at most 10 records per batch)` };
  }
  out.push(
    ...checkIntegerRange(`${field}.maxBatchingWindowSeconds`, source.maxBatchingWindowSeconds, 0, 300, 'seconds'),
  );
  if (!fifo && source.batchSize > 10 && source.maxBatchingWindowSeconds < 1) {
    issue(
      out,
      `${field}.maxBatchingWindowSeconds`,
      source.maxBatchingWindowSeconds,
      `a batch size above 10 (here ${source.batchSize}) needs a batching window of at least 1 second`,
    );
  }
  if (source.maxConcurrency !== undefined) {
    out.push(...checkIntegerRange(`${field}.maxConcurrency`, source.maxConcurrency, 2, 1_000));
  }
  return out;
}

/** What the queue rules look at; the stage config and the queue construct props both provide it. */
export interface QueueSettings {
  readonly fifo: boolean;
  /** FIFO of the dead-letter queue (differs only when an existing DLQ is passed in). */
  readonly deadLetterFifo: boolean;
  readonly messageGroupIdField?: string;
  readonly maxReceiveCount: number;
  readonly visibilityTimeoutSeconds: number;
  readonly retentionSeconds: number;
  readonly deadLetterRetentionSeconds: number;
  /** Timeout of the function the queue triggers. */
  readonly consumerTimeoutSeconds: number;
  /** Batching window of the mapping that reads the queue. */
  readonly consumerBatchingWindowSeconds: number;
}

/** SQS limits plus the AWS recommendation that the visibility timeout covers 6 × the consumer timeout + window. */
export function checkQueueSettings(field: string, q: QueueSettings): ConfigIssue[] {
  const out: ConfigIssue[] = [
    ...checkIntegerRange(`${field}.maxReceiveCount`, q.maxReceiveCount, 1, 1_000),
    ...checkIntegerRange(
      `${field}.visibilityTimeoutSeconds`,
      q.visibilityTimeoutSeconds,
      0,
      43_200,
      'seconds (12 hours)',
    ),
    ...checkIntegerRange(
      `${field}.retentionSeconds`,
      q.retentionSeconds,
      60,
      1_209_600,
      'seconds (1 minute to 14 days)',
    ),
    ...checkIntegerRange(
      `${field}.deadLetterRetentionSeconds`,
      q.deadLetterRetentionSeconds,
      60,
      1_209_600,
      'seconds (1 minute to 14 days)',
    ),
  ];
  const minimum = minimumVisibilityTimeoutSeconds(q.consumerTimeoutSeconds, q.consumerBatchingWindowSeconds);
  if (
    ![q.visibilityTimeoutSeconds, q.consumerTimeoutSeconds, q.consumerBatchingWindowSeconds].some(isUnresolved) &&
    q.visibilityTimeoutSeconds < minimum
  ) {
    out.push({
      field: `${field}.visibilityTimeoutSeconds`,
      value: q.visibilityTimeoutSeconds,
      problem: `must be at least ${minimum} s = 6 × consumer timeout (${q.consumerTimeoutSeconds} s) + batching window (${q.consumerBatchingWindowSeconds} s), or SQS redelivers messages the consumer is still processing`,
    });
  }
  if (
    ![q.retentionSeconds, q.deadLetterRetentionSeconds].some(isUnresolved) &&
    q.deadLetterRetentionSeconds < q.retentionSeconds
  ) {
    out.push({
      field: `${field}.deadLetterRetentionSeconds`,
      value: q.deadLetterRetentionSeconds,
      problem: `must be at least the source queue's retention (${q.retentionSeconds} s): SQS keeps a message's original enqueue time when it moves it to the DLQ`,
    });
  }
  if (q.fifo !== q.deadLetterFifo) {
    out.push({
      field: `${field}.fifo`,
      value: q.fifo,
      problem: `the dead-letter queue of a ${q.fifo ? 'FIFO' : 'standard'} queue must also be ${q.fifo ? 'FIFO' : 'standard'} (dead-letter queue fifo: ${q.deadLetterFifo})`,
    });
  }
  // Absent with FIFO: every message in one group, one ordered stream (the bridge's fallback group).
  if (
    q.fifo &&
    q.messageGroupIdField !== undefined &&
    (typeof q.messageGroupIdField !== 'string' || !/^[^.]+(\.[^.]+)*$/.test(q.messageGroupIdField))
  ) {
    issue(
      out,
      `${field}.messageGroupIdField`,
      q.messageGroupIdField,
      'allowed: the dotted path of the message field that supplies the message group id, e.g. "type" or "payload.customerId"; absent puts every message in one group',
    );
  }
  if (!q.fifo && q.messageGroupIdField !== undefined) {
    issue(
      out,
      `${field}.messageGroupIdField`,
      q.messageGroupIdField,
      'only allowed with fifo: true (standard queues have no message groups)',
    );
  }
  return out;
}
