/**
 * How long the consumer remembers a message id (Powertools Idempotency record expiry, `IDEMPOTENCY_EXPIRY_SECONDS`).
 * Pure constants and arithmetic with no CDK import: the consumer's bundle reads the same limits the synth checks.
 *
 * A copy of a processed message can come back as long as SQS keeps one: a redelivery from the source queue within
 * its retention, or a redrive from the DLQ within the DLQ's retention. A standard queue keeps the original enqueue
 * time when it moves a message to its DLQ, so the DLQ's retention counts from the first enqueue (which precedes the
 * record's creation) and the window is the longer of the two retentions. A FIFO queue resets the enqueue time on the
 * move, so a copy can live both retentions one after the other. The record must outlive that window plus a margin
 * for the redriven copy's own trip through the queue and its retries.
 */

/** Added to the redelivery window: a copy redriven at the last moment still has a day to be received and retried. */
export const IDEMPOTENCY_EXPIRY_MARGIN_SECONDS = 86_400;

/** The longest retention SQS allows (14 days). */
export const SQS_MAX_RETENTION_SECONDS = 1_209_600;

/**
 * Expiry when nothing sets one (the consumer run outside the stack): the longest window any queue configuration can
 * have (a FIFO queue and its DLQ both at 14 days) plus the margin, 29 days.
 */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = 2 * SQS_MAX_RETENTION_SECONDS + IDEMPOTENCY_EXPIRY_MARGIN_SECONDS;

/** Shortest expiry accepted: SQS's shortest retention. */
export const MIN_IDEMPOTENCY_EXPIRY_SECONDS = 60;

/** Longest expiry accepted (365 days); anything longer is most likely milliseconds written as seconds. */
export const MAX_IDEMPOTENCY_EXPIRY_SECONDS = 31_536_000;

/** The retention settings that decide how late a copy of a message can come back. */
export interface RedeliverySettings {
  readonly fifo: boolean;
  readonly retentionSeconds: number;
  readonly deadLetterRetentionSeconds: number;
}

/** How long after its first enqueue a copy of a message can still be received (or redriven from the DLQ). */
export function redeliveryWindowSeconds(q: RedeliverySettings): number {
  return q.fifo
    ? q.retentionSeconds + q.deadLetterRetentionSeconds
    : Math.max(q.retentionSeconds, q.deadLetterRetentionSeconds);
}

/** The expiry a stage gets unless it sets one: the redelivery window plus the margin. */
export function derivedIdempotencyExpirySeconds(q: RedeliverySettings): number {
  return redeliveryWindowSeconds(q) + IDEMPOTENCY_EXPIRY_MARGIN_SECONDS;
}
