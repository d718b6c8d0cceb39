import type { Receipt } from './accounting';

/**
 * FIFO order, counted from outside: within each message group, the business effects must happen in publish order.
 * Pure: no I/O, no clock.
 *
 * A message's effect is its receipt marked `effect: true` (else its earliest receipt, for consumers that do not
 * flag effects). Each group's effects are put in the order they happened — `receivedAt`, then SQS's sequence
 * number for effects in the same millisecond (SQS's order is the order the consumer is handed them) — and a
 * message counts as out of order when a message published after it, in its group, had its effect first. So a
 * message overtaken by three others counts once, not three times.
 */

export interface GroupOrder {
  /** Messages whose effect came after the effect of a later-published message of their group. */
  readonly outOfOrder: number;
  /** Up to five of them, each with the message that overtook it. */
  readonly examples: readonly string[];
  /** Message groups seen on the receipts. */
  readonly groups: number;
  /** Delivered messages whose receipts carry no group (their order cannot be checked). */
  readonly ungrouped: number;
}

const EXAMPLES = 5;

/** `publishOrder`: the run's message ids in the order the producer published them. */
export function checkGroupOrder(publishOrder: readonly string[], receipts: readonly Receipt[]): GroupOrder {
  const rank = new Map(publishOrder.map((id, i) => [id, i]));
  const effectOf = new Map<string, Receipt>();
  for (const r of receipts) {
    if (!rank.has(r.id)) continue;
    const chosen = effectOf.get(r.id);
    if (!chosen || isBetterEffect(r, chosen)) effectOf.set(r.id, r);
  }
  const byGroup = new Map<string, Receipt[]>();
  let ungrouped = 0;
  for (const r of effectOf.values()) {
    if (r.group === undefined) {
      ungrouped++;
      continue;
    }
    byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
  }
  let outOfOrder = 0;
  const examples: string[] = [];
  for (const effects of byGroup.values()) {
    effects.sort((a, b) => compareEffects(a, b, rank));
    let latest: Receipt | undefined;
    for (const r of effects) {
      const position = rank.get(r.id) as number;
      if (latest && position < (rank.get(latest.id) as number)) {
        outOfOrder++;
        if (examples.length < EXAMPLES) examples.push(`${r.id} after ${latest.id} (group ${r.group})`);
      } else {
        latest = r;
      }
    }
  }
  return { outOfOrder, examples, groups: byGroup.size, ungrouped };
}

/** The receipt that stands for the effect: a flagged effect over an unflagged receipt, then the earlier one. */
function isBetterEffect(candidate: Receipt, chosen: Receipt): boolean {
  if ((candidate.effect === true) !== (chosen.effect === true)) return candidate.effect === true;
  return candidate.receivedAt < chosen.receivedAt;
}

function compareEffects(a: Receipt, b: Receipt, rank: ReadonlyMap<string, number>): number {
  if (a.receivedAt !== b.receivedAt) return a.receivedAt - b.receivedAt;
  const bySequence = compareSequenceNumbers(a.sequenceNumber, b.sequenceNumber);
  // Same millisecond and no sequence numbers to tell: publish order, i.e. no violation is invented.
  return bySequence !== 0 ? bySequence : (rank.get(a.id) as number) - (rank.get(b.id) as number);
}

/** SQS sequence numbers are decimal strings of up to 128 bits: compared by length, then digit by digit. */
export function compareSequenceNumbers(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return 0;
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
