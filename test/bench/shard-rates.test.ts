import { shardRunRates } from '../../bench/shard-rates';

/** `count` messages on `shard`, effects from `from` ms every `every` ms. */
function shard(name: string, count: number, from: number, every: number) {
  return Array.from({ length: count }, (_, i) => ({ id: `${name}-${i}`, shard: name, at: from + i * every }));
}

function rates(messages: { id: string; shard: string; at: number }[], startedAt = 0) {
  return shardRunRates({
    startedAt,
    ids: messages.map((m) => m.id),
    firstEffectAt: new Map(messages.map((m) => [m.id, m.at])),
    shardOf: new Map(messages.map((m) => [m.id, m.shard])),
  });
}

describe('shardRunRates', () => {
  test('one shard: sustained is its rate from first to last effect, drain counts from the first publish', () => {
    const r = rates(shard('q0', 101, 100, 10), 0); // effects at 100..1100 ms
    expect(r.perSec).toBeCloseTo(101, 5); // 101 effects in 1,000 ms
    expect(r.drainPerSec).toBeCloseTo((101 * 1000) / 1100, 5);
  });

  test('uneven shards: the sustained window ends when the first shard has drained, the drain rate waits for the fullest', () => {
    // Four shards at 100/s each; one got 150 messages, the others 100.
    const messages = [
      ...shard('q0', 100, 0, 10),
      ...shard('q1', 100, 0, 10),
      ...shard('q2', 100, 0, 10),
      ...shard('q3', 150, 0, 10),
    ];
    const r = rates(messages);
    expect(r.perSec).toBeCloseTo((400 * 1000) / 990, 5); // every shard’s first 100 effects, by 990 ms
    expect(r.drainPerSec).toBeCloseTo((450 * 1000) / 1490, 5);
  });

  test('a run of one instant falls back to the drain rate', () => {
    const r = rates(shard('q0', 10, 50, 0), 0);
    expect(r.perSec).toBe(r.drainPerSec);
  });

  test('a message without an effect or a shard is an error naming it', () => {
    expect(() =>
      shardRunRates({ startedAt: 0, ids: ['a'], firstEffectAt: new Map(), shardOf: new Map([['a', 'q']]) }),
    ).toThrow('message a has no effect recorded');
    expect(() =>
      shardRunRates({ startedAt: 0, ids: ['a'], firstEffectAt: new Map([['a', 1]]), shardOf: new Map() }),
    ).toThrow('message a has no shard recorded');
  });
});
