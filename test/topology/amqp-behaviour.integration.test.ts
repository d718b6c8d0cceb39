import { connect, type Channel, type ChannelModel } from 'amqplib';
import type { TopologyDefinition } from '../../lib/config/topology';
import { applyTopology } from '../../lambda/topology/applier';
import { amqpUrl, forceCleanup, LOCAL_BROKER, passwordsFor, uniqueTopology } from './fixtures';

// What the applied topology does to real AMQP clients: dead-lettering after the delivery limit, and users that
// can do exactly their one job.
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

test(`a message nacked with requeue is delivered ${DELIVERY_LIMIT + 1} times, then lands in the dead-letter queue`, async () => {
  const guest = await open('guest', 'guest');
  const channel = await guest.createConfirmChannel();
  channel.publish(topology.producerExchange, topology.producerRoutingKey, Buffer.from('poison'), {
    persistent: true,
    messageId: 'p-1',
  });
  await channel.waitForConfirms();

  const consumer = await guest.createChannel();
  let deliveries = 0;
  await consumer.consume(topology.sourceQueue, (message) => {
    if (!message) return;
    deliveries += 1;
    consumer.nack(message, false, true);
  });

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
  const source = await consumer.checkQueue(topology.sourceQueue);
  expect(source.messageCount).toBe(0);
});

test('the producer user may publish to its exchange but is refused reading the source queue', async () => {
  const producer = await open(topology.producerUser, passwords[topology.producerUser]);
  const publisher = await producer.createConfirmChannel();
  publisher.publish(topology.producerExchange, topology.producerRoutingKey, Buffer.from('ok'));
  await publisher.waitForConfirms(); // rejects on a nack
  const guest = await (await open('guest', 'guest')).createChannel();
  expect((await guest.checkQueue(topology.sourceQueue)).messageCount).toBe(1);

  const reader = await producer.createChannel();
  const refusal = closedBy(reader);
  await expect(reader.consume(topology.sourceQueue, () => undefined)).rejects.toThrow(/ACCESS_REFUSED/);
  expect((await refusal).message).toMatch(/ACCESS_REFUSED - access to queue 'events.to-sqs' .* refused for user/);
});

test('the event-source user may consume the source queue but is refused publishing', async () => {
  const eventSource = await open(topology.eventSourceUser, passwords[topology.eventSourceUser]);
  const reader = await eventSource.createChannel();
  await expect(reader.consume(topology.sourceQueue, () => undefined)).resolves.toHaveProperty('consumerTag');

  const publisher = await eventSource.createConfirmChannel();
  const refusal = closedBy(publisher);
  publisher.publish(topology.producerExchange, topology.producerRoutingKey, Buffer.from('not allowed'));
  await expect(publisher.waitForConfirms()).rejects.toThrow(/channel closed|ACCESS_REFUSED/);
  expect((await refusal).message).toMatch(/ACCESS_REFUSED - access to exchange 'events' .* refused for user/);
});
