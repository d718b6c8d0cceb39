import type { DeadLetter, PublishedMessage } from './accounting';
import type { ReceiptRecord } from './queue-drain';

/**
 * What a verification run publishes and what comes back, kept the same way by `npm start` (local/local-run.ts),
 * `npm run verify` (verify/deployed-run.ts), the bench and the fault tests: the producer's answers become the
 * published list the accounting reads, and every drain pass adds what arrived until each confirmed id is found.
 * Pure: no I/O, no clock.
 */

/** The part of the producer's answer a run records (lambda/producer/handler.ts `ProducerResult`, also as JSON). */
export interface ProducerAnswer {
  /** Confirmed ids of valid messages. */
  readonly ids: readonly string[];
  /** Confirmed ids of poison messages. */
  readonly poisonIds: readonly string[];
  /** Messages that do not count as sent. */
  readonly failed: readonly { readonly id: string; readonly poison: boolean }[];
}

/** One producer invocation of a run: how many valid and poison messages it publishes. */
export interface ProducerInvocation {
  readonly count: number;
  readonly poison: number;
}

/**
 * The invocations that publish `messages` valid messages, at most `perInvocation` each (at least one invocation),
 * with all `poison` messages in the last.
 */
export function producerInvocations(messages: number, poison: number, perInvocation: number): ProducerInvocation[] {
  const invocations = Math.max(1, Math.ceil(messages / perInvocation));
  return Array.from({ length: invocations }, (_, i) => ({
    count: Math.min(perInvocation, messages - i * perInvocation),
    poison: i === invocations - 1 ? poison : 0,
  }));
}

/** The producer's answer as published messages: confirmed ones count as sent, failed ones never do. */
export function publishedMessages(answer: ProducerAnswer, publishedAt: (id: string) => number): PublishedMessage[] {
  return [
    ...answer.ids.map((id) => ({ id, poison: false, confirmed: true, publishedAt: publishedAt(id) })),
    ...answer.poisonIds.map((id) => ({ id, poison: true, confirmed: true, publishedAt: publishedAt(id) })),
    ...answer.failed.map((f) => ({ id: f.id, poison: f.poison, confirmed: false, publishedAt: publishedAt(f.id) })),
  ];
}

/** What the drain passes of a run found so far, against the messages the producer confirmed. */
export class ArrivalTally {
  readonly receipts: ReceiptRecord[] = [];
  readonly deadLetters: DeadLetter[] = [];
  /** Every id of the run (confirmed or not): how its dead letters are recognised. */
  readonly ids: ReadonlySet<string>;
  private readonly confirmed: ReadonlySet<string>;
  private readonly accounted = new Set<string>();
  private readonly delivered = new Set<string>();
  private readonly dead = new Set<string>();

  constructor(published: readonly PublishedMessage[]) {
    this.ids = new Set(published.map((m) => m.id));
    this.confirmed = new Set(published.filter((m) => m.confirmed).map((m) => m.id));
  }

  /** Adds what one drain pass found. */
  add(receipts: readonly ReceiptRecord[], deadLetters: readonly DeadLetter[]): void {
    this.receipts.push(...receipts);
    this.deadLetters.push(...deadLetters);
    for (const r of receipts) this.delivered.add(r.id);
    for (const d of deadLetters) if (d.id !== undefined) this.dead.add(d.id);
    for (const id of [...receipts.map((r) => r.id), ...deadLetters.map((d) => d.id ?? '')]) {
      if (this.confirmed.has(id)) this.accounted.add(id);
    }
  }

  /** Confirmed messages found delivered or dead-lettered. */
  get accountedCount(): number {
    return this.accounted.size;
  }

  get confirmedCount(): number {
    return this.confirmed.size;
  }

  /** Every confirmed message has been found. */
  get complete(): boolean {
    return this.accounted.size >= this.confirmed.size;
  }

  /** `delivered N · dead-lettered M` (unique ids), for progress lines. */
  get progress(): string {
    return `delivered ${this.delivered.size} · dead-lettered ${this.dead.size}`;
  }
}
