import { checkGroupOrder } from './group-order';

/**
 * Accounts for every message of one run, from what arrived (receipts) and what was dead-lettered (both DLQs) — not
 * from the producer's own claims. Shared by the local runtime (`npm start`) and the deployed check (`npm run verify`).
 * Pure: no I/O, no clock.
 */

/** One message the run asked the producer to publish. */
export interface PublishedMessage {
  readonly id: string;
  /** Deliberately invalid; expected to end in a dead-letter queue, never processed. */
  readonly poison: boolean;
  /** The broker confirmed it (publisher confirm). */
  readonly confirmed: boolean;
  /** Epoch ms when it was published. */
  readonly publishedAt: number;
}

/** A consumer receipt: a delivery of the message with this id was processed. */
export interface Receipt {
  readonly id: string;
  /** Epoch ms when the consumer processed it. */
  readonly receivedAt: number;
  /** This delivery performed the business effect (false: a duplicate absorbed); absent from older consumers. */
  readonly effect?: boolean;
  /** FIFO: the message group the delivery came from. */
  readonly group?: string;
  /** FIFO: SQS's sequence number of the message (decimal string). */
  readonly sequenceNumber?: string;
  /** The effect this delivery performed or was absorbed by (consumers that record it); see lambda/consumer/receipts.ts. */
  readonly effectId?: string;
}

/** A message found in a dead-letter queue. */
export interface DeadLetter {
  /** Message id, when it could be recovered from the dead-lettered message. */
  readonly id: string | undefined;
  /** Where it was found: the SQS DLQ, RabbitMQ's DLQ, or the MSK event source's on-failure destination. */
  readonly queue: 'sqs' | 'rabbitmq' | 'kafka-on-failure';
}

export interface AccountingInput {
  readonly published: readonly PublishedMessage[];
  readonly receipts: readonly Receipt[];
  readonly deadLetters: readonly DeadLetter[];
  /**
   * Business effects counted by the caller (e.g. an in-process hook), instead of from the receipts.
   * @default - counted from the receipts, see {@link countEffects}
   */
  readonly effects?: number;
  /**
   * The run went through FIFO queues: check that each message group's effects happened in publish order
   * (`published` lists the messages in publish order). @default false
   */
  readonly fifo?: boolean;
  /** Epoch ms the run started (before the first publish). */
  readonly startedAt: number;
  /** Epoch ms the run ended (after the drain). */
  readonly finishedAt: number;
}

export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** The verification report; the fields up to `durationSec` are the documented `--json` contract. */
export interface VerificationReport {
  readonly sent: number;
  readonly confirmed: number;
  /** Unique ids with at least one receipt. */
  readonly delivered: number;
  /** Receipts beyond the first per id (at-least-once redeliveries). */
  readonly duplicates: number;
  readonly effects: number;
  /** Unique ids found in either dead-letter queue. */
  readonly deadLettered: number;
  /** Confirmed ids neither delivered nor dead-lettered. */
  readonly lost: number;
  /** FIFO: messages whose effect came after a later-published message of their group (0 to pass); null: standard. */
  readonly outOfOrder: number | null;
  /** FIFO: message groups the order was checked in; null: standard. */
  readonly messageGroups: number | null;
  /** Delivered messages per second, first publish to last receipt. */
  readonly throughputPerSec: number;
  /** Publish-to-receipt latency of each delivered message. */
  readonly latencyMs: LatencyPercentiles;
  readonly durationSec: number;
  /** What a clean run looks like for this input. */
  readonly expected: { readonly poison: number; readonly good: number };
  /** Dead-lettered messages per queue. */
  /** Dead letters per place; `kafka-on-failure` only when the Kafka event source gave up on some. */
  readonly deadLetteredByQueue: {
    readonly sqs: number;
    readonly rabbitmq: number;
    readonly 'kafka-on-failure'?: number;
  };
  /** Everything that makes the run fail; empty when it passed. */
  readonly problems: readonly string[];
  readonly passed: boolean;
}

const SAMPLE_IDS = 5;

/** Business effects read from receipts, and how they were counted (for the report's context). */
export interface EffectCount {
  readonly count: number;
  /** Effects per message id. */
  readonly byId: ReadonlyMap<string, number>;
  /** `receipts (effect flag)`, `unique receipts (…)` or `mixed (…)`: see {@link countEffects}. */
  readonly countedFrom: string;
}

/**
 * Effects from receipts: each distinct effect id of a message is one effect, whichever receipt carries it (the
 * effect's own, or a duplicate's when the effect's receipt was lost); a receipt with `effect: true` and no effect
 * id is one effect (a second one for an id means idempotency failed). A receipt without the flag (a consumer that
 * records every delivery alike) can only show that the message was processed, so an id with only such receipts
 * counts once — then the count cannot reveal a duplicate effect, and `countedFrom` says so.
 */
export function countEffects(receipts: readonly Receipt[]): EffectCount {
  const flagged = new Map<string, number>();
  const unflagged = new Set<string>();
  const effectIds = new Map<string, Set<string>>();
  for (const r of receipts) {
    if (r.effect === undefined && r.effectId === undefined) unflagged.add(r.id);
    else if (r.effectId !== undefined) {
      effectIds.set(r.id, (effectIds.get(r.id) ?? new Set<string>()).add(r.effectId));
      flagged.set(r.id, flagged.get(r.id) ?? 0);
    } else flagged.set(r.id, (flagged.get(r.id) ?? 0) + (r.effect ? 1 : 0));
  }
  for (const [id, ids] of effectIds) flagged.set(id, (flagged.get(id) ?? 0) + ids.size);
  const byId = new Map(flagged);
  for (const id of unflagged) if (!byId.get(id)) byId.set(id, 1);
  let count = 0;
  for (const n of byId.values()) count += n;
  const withoutFlag = receipts.filter((r) => r.effect === undefined).length;
  const countedFrom =
    withoutFlag === 0
      ? 'receipts (effect flag)'
      : withoutFlag === receipts.length
        ? 'unique receipts (receipts carry no effect flag)'
        : `mixed (${withoutFlag} of ${receipts.length} receipts carry no effect flag; counted once per id)`;
  return { count, byId, countedFrom };
}

/** Builds the report; `passed` only if nothing confirmed is lost, exactly the poison is dead-lettered, effects match. */
export function accountForRun(input: AccountingInput): VerificationReport {
  const byId = new Map(input.published.map((m) => [m.id, m]));
  const firstReceipt = new Map<string, number>();
  const own: Receipt[] = [];
  let lastReceiptAt = input.startedAt;
  for (const receipt of input.receipts) {
    if (!byId.has(receipt.id)) continue; // another run's message
    own.push(receipt);
    const seen = firstReceipt.get(receipt.id);
    if (seen === undefined || receipt.receivedAt < seen) firstReceipt.set(receipt.id, receipt.receivedAt);
    lastReceiptAt = Math.max(lastReceiptAt, receipt.receivedAt);
  }
  const deadLettered = new Map<string, DeadLetter['queue']>();
  for (const dl of input.deadLetters) {
    if (dl.id !== undefined && byId.has(dl.id) && !deadLettered.has(dl.id)) deadLettered.set(dl.id, dl.queue);
  }

  const poison = input.published.filter((m) => m.poison);
  const good = input.published.filter((m) => !m.poison);
  const confirmed = input.published.filter((m) => m.confirmed);
  const lostIds = confirmed.filter((m) => !firstReceipt.has(m.id) && !deadLettered.has(m.id)).map((m) => m.id);
  const goodDelivered = good.filter((m) => firstReceipt.has(m.id)).length;

  const problems: string[] = [];
  const unconfirmed = input.published.length - confirmed.length;
  if (unconfirmed > 0)
    problems.push(`${unconfirmed} of ${input.published.length} messages were not confirmed by the broker`);
  if (lostIds.length > 0) {
    problems.push(`${lostIds.length} confirmed messages were neither delivered nor dead-lettered: ${sample(lostIds)}`);
  }
  const goodDeadLettered = good.filter((m) => deadLettered.has(m.id)).map((m) => m.id);
  if (goodDeadLettered.length > 0) {
    problems.push(`${goodDeadLettered.length} valid messages were dead-lettered: ${sample(goodDeadLettered)}`);
  }
  const poisonMissing = poison.filter((m) => m.confirmed && !deadLettered.has(m.id)).map((m) => m.id);
  if (poisonMissing.length > 0) {
    problems.push(`${poisonMissing.length} poison messages were not dead-lettered: ${sample(poisonMissing)}`);
  }
  const poisonProcessed = poison.filter((m) => firstReceipt.has(m.id)).map((m) => m.id);
  if (poisonProcessed.length > 0) {
    problems.push(`${poisonProcessed.length} poison messages were processed as valid: ${sample(poisonProcessed)}`);
  }
  if (deadLettered.size !== poison.length && goodDeadLettered.length === 0 && poisonMissing.length === 0) {
    problems.push(`dead-lettered ${deadLettered.size}, expected ${poison.length} (the poison messages)`);
  }
  const counted = input.effects === undefined ? countEffects(own) : undefined;
  const effects = input.effects ?? counted?.count ?? 0;
  if (effects !== goodDelivered) {
    problems.push(
      `effects ${effects} differ from the ${goodDelivered} unique valid messages delivered${effectDetail(counted, good)}`,
    );
  }

  const order = input.fifo
    ? checkGroupOrder(
        good.map((m) => m.id),
        own,
      )
    : undefined;
  if (order && order.outOfOrder > 0) {
    problems.push(
      `${order.outOfOrder} messages took effect after a later-published message of their group: ${order.examples.join(', ')}`,
    );
  }
  if (order && order.ungrouped > 0) {
    problems.push(
      `${order.ungrouped} delivered messages have receipts without a message group: their order is unchecked`,
    );
  }

  const latencies = [...firstReceipt.entries()].map(([id, at]) => at - (byId.get(id)?.publishedAt ?? input.startedAt));
  const firstPublish =
    input.published.length > 0 ? Math.min(...input.published.map((m) => m.publishedAt)) : input.startedAt;
  const spanSec = (lastReceiptAt - firstPublish) / 1000;
  const byQueue: { sqs: number; rabbitmq: number; 'kafka-on-failure'?: number } = { sqs: 0, rabbitmq: 0 };
  for (const queue of deadLettered.values()) byQueue[queue] = (byQueue[queue] ?? 0) + 1;

  return {
    sent: input.published.length,
    confirmed: confirmed.length,
    delivered: firstReceipt.size,
    duplicates: own.length - firstReceipt.size,
    effects,
    deadLettered: deadLettered.size,
    lost: lostIds.length,
    outOfOrder: order ? order.outOfOrder : null,
    messageGroups: order ? order.groups : null,
    throughputPerSec: spanSec > 0 ? round(firstReceipt.size / spanSec, 1) : 0,
    latencyMs: percentiles(latencies),
    durationSec: round((input.finishedAt - input.startedAt) / 1000, 2),
    expected: { poison: poison.length, good: good.length },
    deadLetteredByQueue: byQueue,
    problems,
    passed: problems.length === 0,
  };
}

/** Nearest-rank percentiles (each is a value that was observed), rounded to whole milliseconds. */
export function percentiles(values: readonly number[]): LatencyPercentiles {
  if (values.length === 0) return { p50: 0, p95: 0, p99: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => Math.round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]);
  return { p50: at(50), p95: at(95), p99: at(99) };
}

/** Which ids the receipts show with more than one effect, or delivered without a receipt marking the effect. */
function effectDetail(counted: EffectCount | undefined, good: readonly PublishedMessage[]): string {
  if (!counted) return '';
  const twice = good.filter((m) => (counted.byId.get(m.id) ?? 0) > 1).map((m) => m.id);
  const none = good.filter((m) => counted.byId.get(m.id) === 0).map((m) => m.id);
  return [
    twice.length > 0 ? `; more than one effect: ${sample(twice)}` : '',
    // A receipt SQS refused after the effect, from a consumer without effect ids: the retry is absorbed as a
    // duplicate and says `effect: false` (with effect ids the duplicate's receipt names the effect instead).
    none.length > 0 ? `; delivered but no receipt marks the effect (an effect receipt was lost): ${sample(none)}` : '',
  ].join('');
}

function sample(ids: readonly string[]): string {
  const shown = ids.slice(0, SAMPLE_IDS).join(', ');
  return ids.length > SAMPLE_IDS ? `${shown}, … (${ids.length - SAMPLE_IDS} more)` : shown;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
