import { connect, type Channel, type ChannelModel } from 'amqplib';
import type { TopologyDefinition } from '../../lib/config/topology';
import { applyTopology } from '../../lambda/topology/applier';
import { amqpUrl, forceCleanup, LOCAL_BROKER, passwordsFor, uniqueTopology } from './fixtures';

/**
 * The consistent-hash exchange of the sharded topology against the real local broker (plugin
 * rabbitmq_consistent_hash_exchange, enabled by scripts/ensure-broker.sh as Amazon MQ enables it): the binding key is
 * the queue's weight, the routing key is hashed, so one key always lands in one shard and many keys spread evenly.
 */

const SHARDS = 4;
let topology: TopologyDefinition;
let passwords: Record<string, string>;
let admin: ChannelModel;
const connections: ChannelModel[] = [];

beforeAll(async () => {
  topology = uniqueTopology({ shards: SHARDS });
  passwords = passwordsFor(topology);
  await applyTopology(topology, { ...LOCAL_BROKER, userPasswords: passwords });
  admin = await connect(amqpUrl('guest', 'guest', topology.vhost));
  connections.push(admin);
});
afterAll(async () => {
  for (const connection of connections.splice(0)) await connection.close().catch(() => undefined);
  await forceCleanup(topology);
});

async function open(user: string): Promise<ChannelModel> {
  const connection = await connect(amqpUrl(user, passwords[user], topology.vhost));
  connection.on('error', () => undefined); // refusals are asserted per test
  connections.push(connection);
  return connection;
}

/** Publishes one message per routing key (confirmed) as the producer user. */
async function publish(keys: readonly string[]): Promise<void> {
  const channel = await (await open(topology.producerUser)).createConfirmChannel();
  for (const key of keys) channel.publish(topology.producerExchange, key, Buffer.from(key), { messageId: key });
  await channel.waitForConfirms();
  await channel.close();
}

/** Takes every message off every shard queue: routing key → the queue it was in. */
async function drainShards(channel: Channel, expected: number): Promise<Map<string, string[]>> {
  const where = new Map<string, string[]>();
  const deadline = Date.now() + 15_000;
  let seen = 0;
  while (seen < expected && Date.now() < deadline) {
    for (const queue of topology.sourceQueues) {
      for (let m = await channel.get(queue, { noAck: true }); m; m = await channel.get(queue, { noAck: true })) {
        where.set(m.fields.routingKey, [...(where.get(m.fields.routingKey) ?? []), queue]);
        seen += 1;
      }
    }
  }
  return where;
}

test('the producer exchange is x-consistent-hash with every shard queue bound at weight "1"', async () => {
  const channel = await admin.createChannel();
  await channel.checkExchange(topology.producerExchange);
  expect(topology.exchanges[0]).toEqual({ name: topology.producerExchange, type: 'x-consistent-hash', durable: true });
  expect(topology.bindings.filter((b) => b.exchange === topology.producerExchange)).toEqual(
    topology.sourceQueues.map((queue) => ({ exchange: topology.producerExchange, queue, routingKey: '1' })),
  );
  await channel.close();
});

test('one routing key always lands in one shard queue', async () => {
  const keys = Array.from({ length: 20 }, (_, i) => `group-${i}`);
  await publish([...keys, ...keys, ...keys]); // each key three times, interleaved
  const channel = await admin.createChannel();
  const where = await drainShards(channel, keys.length * 3);
  for (const key of keys) {
    const queues = where.get(key) ?? [];
    expect(queues).toHaveLength(3);
    expect(new Set(queues).size).toBe(1);
  }
  await channel.close();
}, 30_000);

test('many message ids spread evenly enough over the shards (each within ±30% of its share)', async () => {
  const keys = Array.from({ length: 1_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  await publish(keys);
  const channel = await admin.createChannel();
  const where = await drainShards(channel, keys.length);
  const counts = new Map(topology.sourceQueues.map((q) => [q, 0]));
  for (const [, queues] of where) for (const q of queues) counts.set(q, (counts.get(q) ?? 0) + 1);
  const share = keys.length / SHARDS;
  for (const count of counts.values()) {
    expect(count).toBeGreaterThan(share * 0.7);
    expect(count).toBeLessThan(share * 1.3);
  }
  await channel.close();
}, 60_000);

test('the event-source user reads every shard queue and nothing else', async () => {
  const eventSource = await open(topology.eventSourceUser);
  for (const queue of topology.sourceQueues) {
    const reader = await eventSource.createChannel();
    await expect(reader.consume(queue, () => undefined)).resolves.toHaveProperty('consumerTag');
    await reader.close();
  }
  const refused = await eventSource.createChannel();
  refused.on('error', () => undefined);
  await expect(refused.consume(topology.deadLetterQueue, () => undefined)).rejects.toThrow(/ACCESS_REFUSED/);
  expect(topology.users.find((u) => u.name === topology.eventSourceUser)?.permissions.read).toBe(
    '^(events\\.to-sqs|events\\.to-sqs\\.1|events\\.to-sqs\\.2|events\\.to-sqs\\.3)$',
  );
});
