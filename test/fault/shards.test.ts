import { randomBytes, randomUUID } from 'node:crypto';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline';
import { synthesizeStage } from '../../local/synth';
import { readLocalSettings } from '../../local/template-reader';
import { sleep } from '../../local/timing';
import { AMQP_BASE, MANAGEMENT_URL } from '../local/support/broker';

/**
 * Shard faults on the local pipeline (4 shards, the shared broker, a throwaway vhost): one shard's mapping stalls
 * while the others flow, and FIFO groups keep their publish order while several shards run. Every message counted.
 */

const BROKER = { amqpUrl: AMQP_BASE, managementUrl: MANAGEMENT_URL, username: 'guest', password: 'guest' };
let pipeline: LocalPipeline | undefined;

async function start(overrides: Record<string, unknown>): Promise<LocalPipeline> {
  const suffix = randomBytes(4).toString('hex');
  pipeline = await startLocalPipeline({
    settings: readLocalSettings(synthesizeStage('dev', overrides).template),
    broker: BROKER,
    isolation: { vhost: `shards-fault-${suffix}`, userSuffix: suffix },
    timeScale: 0.01,
    write: () => undefined,
  });
  return pipeline;
}

afterEach(async () => {
  await pipeline?.stop({ removeTopology: true });
  pipeline = undefined;
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await sleep(50);
}

test('one shard stalls while the others flow: its messages wait, arrive after it resumes, none lost', async () => {
  const p = await start({ eventSources: { rabbitMq: { shards: 4 } } });
  const stalled = p.rabbitMqSources[2];
  const stalledQueue = p.settings.rabbitMqMappings[2].queue;
  await stalled.pause();

  const result = await p.producer({ count: 400, runId: randomUUID() });
  expect(result.confirmed).toBe(400);
  // The three running shards deliver their share; the stalled shard's messages wait in its queue.
  await until(() => p.effects.size >= 250, 60_000);
  await sleep(1_000);
  const delivered = result.ids.filter((id) => p.effects.has(id));
  const waiting = result.ids.filter((id) => !p.effects.has(id));
  expect(waiting.length).toBeGreaterThan(0);
  expect(delivered.length + waiting.length).toBe(400);
  expect(new Set(delivered.map((id) => p.shardOf.get(id)))).not.toContain(stalledQueue);

  await stalled.resume();
  await until(() => result.ids.every((id) => p.effects.has(id)), 60_000);
  // Every message had its effect exactly once; the waiting ones all came through the stalled shard once it resumed.
  expect(result.ids.filter((id) => p.effects.get(id) !== 1)).toEqual([]);
  expect(new Set(waiting.map((id) => p.shardOf.get(id)))).toEqual(new Set([stalledQueue]));
}, 180_000);

test('FIFO: the messages of each group arrive in publish order while four shards run', async () => {
  const p = await start({
    queues: { fifo: true, messageGroupIdField: 'payload.group' },
    eventSources: { rabbitMq: { shards: 4 } },
  });
  const groups = Array.from({ length: 8 }, (_, i) => `group-${i}`);
  const published = new Map<string, string[]>();
  // Interleaved invocations: every group's messages are published in rounds, so the shards run concurrently.
  for (let round = 0; round < 5; round++) {
    for (const group of groups) {
      const result = await p.producer({ count: 10, payload: { group }, runId: randomUUID() });
      expect(result.confirmed).toBe(10);
      published.set(group, [...(published.get(group) ?? []), ...result.ids]);
    }
  }
  const all = [...published.values()].flat();
  await until(() => all.every((id) => p.effects.has(id)), 120_000);
  expect(all.filter((id) => !p.effects.has(id))).toEqual([]);

  // Effects in the order they happened (the map keeps first-effect order), per group: the publish order.
  const effectOrder = [...p.effects.keys()];
  for (const [group, ids] of published) {
    const arrived = effectOrder.filter((id) => ids.includes(id));
    expect({ group, arrived }).toEqual({ group, arrived: ids });
    // One group, one shard: the consistent hash of its routing key (the group) never splits it.
    expect(new Set(ids.map((id) => p.shardOf.get(id))).size).toBe(1);
  }
  // The groups did spread over the shards.
  expect(new Set(all.map((id) => p.shardOf.get(id))).size).toBeGreaterThan(1);
}, 240_000);
