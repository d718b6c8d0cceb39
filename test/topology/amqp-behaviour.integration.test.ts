import { connect, type Channel, type ChannelModel } from 'amqplib';
import type { TopologyDefinition } from '../../lib/config/topology';
import { applyTopology } from '../../lambda/topology/applier';
import { amqpUrl, brokerGet, forceCleanup, LOCAL_BROKER, passwordsFor, uniqueTopology } from './fixtures';

// What the applied topology does to real AMQP clients: dead-lettering (at least once) after the delivery limit, and
// users that can do exactly their one job.
let topology: TopologyDefinition;
let passwords: Record<string, string>;
const connections: ChannelModel[] = [];

const DELIVERY_LIMIT = 3;

beforeEach(async () => {
  topology = uniqueTopology({ deliveryLimit: DELIVERY_LIMIT });
  passwords = passwordsFor(topology);
  await applyTopology(topology, { ...LOCAL_BROKER, userPasswords: passwords });
});
afterEach(async () => {
  for (const connection of connections.splice(0)) await connection.close().catch(() => undefined);
  await forceCleanup(topology);
});

async function open(user: string, password: string): Promise<ChannelModel> {
  const connection = await connect(amqpUrl(user, password, topology.vhost));
  connection.on('error', () => undefined); // channel-level refusals are asserted per test
  connections.push(connection);
  return connection;
}

/** Waits for the channel to be closed by the broker and returns the reason. */
function closedBy(channel: Channel): Promise<Error> {
  return new Promise((resolve) => channel.on('error', resolve));
}

/** Publishes one message as guest and nacks it with requeue until RabbitMQ stops delivering it; returns deliveries. */
async function poison(id: string): Promise<number> {
  const guest = await open('guest', 'guest');
  const channel = await guest.createConfirmChannel();
  channel.publish(topology.producerExchange, 'any-key', Buffer.from('poison'), {
    persistent: true,
    messageId: id,
  });
  await channel.waitForConfirms();
  const consumer = await guest.createChannel();
  let deliveries = 0;
  await consumer.consume(topology.sourceQueues[0], (message) => {
    if (!message) return;
    deliveries += 1;
    consumer.nack(message, false, true);
  });
  const deadline = Date.now() + 10_000;
  while (deliveries < DELIVERY_LIMIT + 1 && Date.now() < deadline) await sleep(50);
  await sleep(300); // a further delivery would show up here
  await consumer.close();
  return deliveries;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('the source queue is declared to dead-letter at least once, with reject-publish', async () => {
  const source = await brokerGet<{ arguments: Record<string, unknown> }>(
    `/api/queues/${encodeURIComponent(topology.vhost)}/${encodeURIComponent(topology.sourceQueues[0])}`,
  );
  expect(source?.arguments).toMatchObject({
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
    'x-delivery-limit': DELIVERY_LIMIT,
  });
});

test(`at least once: a message nacked with requeue is delivered ${DELIVERY_LIMIT + 1} times, then lands in the dead-letter queue`, async () => {
  const deliveries = await poison('p-1');

  const guest = await open('guest', 'guest');
  const dead = await guest.createChannel();
  const deadLettered = await new Promise<{ id: unknown; reason: unknown }>((resolve) => {
    void dead.consume(topology.deadLetterQueue, (message) => {
      if (!message) return;
      dead.ack(message);
      const death = (message.properties.headers?.['x-death'] as { reason: string }[] | undefined)?.[0];
      resolve({ id: message.properties.messageId, reason: death?.reason });
    });
  });

  // RabbitMQ counts returns: after x-delivery-limit redeliveries the next return dead-letters the message.
  expect(deadLettered).toEqual({ id: 'p-1', reason: 'delivery_limit' });
  expect(deliveries).toBe(DELIVERY_LIMIT + 1);
  const source = await dead.checkQueue(topology.sourceQueues[0]);
  expect(source.messageCount).toBe(0);
});

test('at least once: a message dead-lettered while the dead-letter queue cannot take it stays in the source queue', async () => {
  // Unbind the dead-letter queue: the dead-letter exchange now routes nowhere. At most once, RabbitMQ would drop the
  // message here; at least once it keeps it (counted in messages_dlx) and retries until a queue confirms it.
  const vhost = encodeURIComponent(topology.vhost);
  const dlx = encodeURIComponent(topology.queues[0].deadLetterExchange ?? '');
  const unbind = await fetch(
    `${LOCAL_BROKER.managementUrl}/api/bindings/${vhost}/e/${dlx}/q/${encodeURIComponent(topology.deadLetterQueue)}/~`,
    {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${Buffer.from(`${LOCAL_BROKER.username}:${LOCAL_BROKER.password}`).toString('base64')}`,
      },
    },
  );
  expect(unbind.status).toBe(204);

  expect(await poison('p-2')).toBe(DELIVERY_LIMIT + 1);

  // Queue statistics reach the management API every few seconds (5 s by default), and not every field in the same
  // emission: wait until all three are there.
  type QueueStats = { messages?: number; messages_ready?: number; messages_dlx?: number };
  const path = `/api/queues/${vhost}/${encodeURIComponent(topology.sourceQueues[0])}`;
  let stats: QueueStats | undefined;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    stats = await brokerGet<QueueStats>(path);
    if (stats?.messages_dlx === 1 && stats.messages === 1 && stats.messages_ready === 0) break;
    await sleep(250);
  }
  expect(stats).toMatchObject({ messages: 1, messages_ready: 0, messages_dlx: 1 });
}, 30_000);

test('the producer user may publish to its exchange but is refused reading the source queue', async () => {
  const producer = await open(topology.producerUser, passwords[topology.producerUser]);
  const publisher = await producer.createConfirmChannel();
  publisher.publish(topology.producerExchange, 'any-key', Buffer.from('ok'));
  await publisher.waitForConfirms(); // rejects on a nack
  const guest = await (await open('guest', 'guest')).createChannel();
  expect((await guest.checkQueue(topology.sourceQueues[0])).messageCount).toBe(1);

  const reader = await producer.createChannel();
  const refusal = closedBy(reader);
  await expect(reader.consume(topology.sourceQueues[0], () => undefined)).rejects.toThrow(/ACCESS_REFUSED/);
  expect((await refusal).message).toMatch(/ACCESS_REFUSED - access to queue 'events.to-sqs' .* refused for user/);
});

test('the event-source user may consume the source queue but is refused publishing', async () => {
  const eventSource = await open(topology.eventSourceUser, passwords[topology.eventSourceUser]);
  const reader = await eventSource.createChannel();
  await expect(reader.consume(topology.sourceQueues[0], () => undefined)).resolves.toHaveProperty('consumerTag');

  const publisher = await eventSource.createConfirmChannel();
  const refusal = closedBy(publisher);
  publisher.publish(topology.producerExchange, 'any-key', Buffer.from('not allowed'));
  await expect(publisher.waitForConfirms()).rejects.toThrow(/channel closed|ACCESS_REFUSED/);
  expect((await refusal).message).toMatch(/ACCESS_REFUSED - access to exchange 'events.by-key' .* refused for user/);
});
