/**
 * Rates of one shard-scaling run, from each message's first effect time and the shard queue it came through.
 *
 * - **Sustained** (`perSec`): the rate while every shard still has a backlog, from the first effect until the first
 *   shard has delivered its last message. That is the capacity a steady flow gets from N shards. A finite burst of
 *   random keys lands unevenly on the shards (about ±√(n/N) messages each), so its end is set by the fullest shard:
 *   an artefact of the burst's size, which a steady flow does not have.
 * - **Drain** (`drainPerSec`): the whole burst, from the first publish to the last effect, fullest shard included.
 */
export interface ShardRunRates {
  readonly perSec: number;
  readonly drainPerSec: number;
}

export function shardRunRates(input: {
  /** Epoch ms of the first publish. */
  readonly startedAt: number;
  /** The run's message ids. */
  readonly ids: readonly string[];
  /** Epoch ms of each id's first effect (every id of the run present). */
  readonly firstEffectAt: ReadonlyMap<string, number>;
  /** The shard queue each id was forwarded from (every id of the run present). */
  readonly shardOf: ReadonlyMap<string, string>;
}): ShardRunRates {
  const { startedAt, ids, firstEffectAt, shardOf } = input;
  if (ids.length === 0) throw new Error('shard rates: the run has no messages');
  const times: number[] = [];
  const lastByShard = new Map<string, number>();
  for (const id of ids) {
    const at = firstEffectAt.get(id);
    const shard = shardOf.get(id);
    if (at === undefined || shard === undefined) {
      throw new Error(`shard rates: message ${id} has ${at === undefined ? 'no effect' : 'no shard'} recorded`);
    }
    times.push(at);
    lastByShard.set(shard, Math.max(lastByShard.get(shard) ?? at, at));
  }
  const first = Math.min(...times);
  const last = Math.max(...times);
  const windowEnd = Math.min(...lastByShard.values());
  const inWindow = times.filter((t) => t <= windowEnd).length;
  const drainPerSec = (ids.length * 1000) / Math.max(1, last - startedAt);
  // A window of one instant (a run of one batch) has no rate of its own: the drain rate stands in.
  const perSec = windowEnd > first ? (inWindow * 1000) / (windowEnd - first) : drainPerSec;
  return { perSec, drainPerSec };
}
