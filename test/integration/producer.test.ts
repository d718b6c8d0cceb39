import { quietLogger } from '../lambda/support/quiet';
import { createAmqpConnectionSource, type AmqpConnectionSource } from '../../lambda/producer/amqp-connection';
import { staticCredentials } from '../../lambda/producer/credentials';
import { createProducerHandler, type ProducerHandler } from '../../lambda/producer/handler';
import { decodeMessage } from '../../lambda/shared/message';
import { AMQP_URL, createTestVhost, eventually, type TestVhost } from '../lambda/support/broker';

/** The producer against the real local broker, each test in a fresh vhost. */

const quiet = quietLogger;

describe('producer against the local RabbitMQ broker', () => {
  let broker: TestVhost;
  let source: AmqpConnectionSource;

  const producerFor = (overrides: { exchange?: string } = {}): ProducerHandler =>
    createProducerHandler({
      connection: source,
      config: { exchange: overrides.exchange ?? broker.exchange, confirmTimeoutMs: 5_000 },
      logger: quiet,
    });

  beforeEach(async () => {
    broker = await createTestVhost();
    source = createAmqpConnectionSource({
      url: 'amqp://127.0.0.1:5672',
      credentials: staticCredentials('guest', 'guest'),
      vhost: broker.vhost,
      connectionName: 'producer-integration-test',
      logger: quiet,
    });
  });

  afterEach(async () => {
    await source.close();
    await broker.dispose();
  });

  it('publishes 1,000 messages and the queue holds exactly the 1,000 confirmed ids', async () => {
    const result = await producerFor()({ count: 1_000, runId: 'run-1000' });
    expect(result).toMatchObject({ published: 1_000, confirmed: 1_000, failed: [] });
    expect(new Set(result.ids).size).toBe(1_000);
    const delivered = await broker.drain(1_000);
    expect(delivered.map((m) => m.properties.messageId).sort()).toEqual([...result.ids].sort());
    const first = delivered[0];
    expect(first.properties).toMatchObject({
      deliveryMode: 2,
      contentType: 'application/json',
      correlationId: first.properties.messageId,
    });
    expect(decodeMessage(first.content)).toMatchObject({
      id: first.properties.messageId,
      runId: 'run-1000',
      type: 'sample.event',
    });
    // Nothing beyond the confirmed ones: once the acks settle, the queue is empty.
    const channel = await broker.admin.createChannel();
    await eventually(async () => (await channel.checkQueue(broker.queue)).messageCount === 0, 5_000);
    await channel.close();
  });

  it('publishes poison messages that the contract refuses, and reports their ids apart', async () => {
    const result = await producerFor()({ count: 3, poison: 2, runId: 'r' });
    expect(result.ids).toHaveLength(3);
    expect(result.poisonIds).toHaveLength(2);
    const delivered = await broker.drain(5);
    const poison = delivered.filter((m) => result.poisonIds.includes(String(m.properties.messageId)));
    expect(() => decodeMessage(poison[0].content)).toThrow(/schema-invalid/);
  });

  it('reports unroutable messages (mandatory, no binding) as returned, never as sent', async () => {
    const channel = await broker.admin.createChannel();
    await channel.assertExchange('events.unbound', 'x-consistent-hash', { durable: true });
    await channel.close();
    const result = await producerFor({ exchange: 'events.unbound' })({ count: 3, runId: 'r' });
    expect(result.ids).toEqual([]);
    expect(result.confirmed).toBe(0);
    expect(result.failed.map((f) => f.code)).toEqual(['returned', 'returned', 'returned']);
    // The routing key is the message's ordering key: its id.
    expect(result.failed[0].reason).toMatch(
      new RegExp(
        `returned as unroutable \\(312 NO_ROUTE\\): no queue is bound to exchange "events.unbound" with routing key "${result.failed[0].id}"`,
      ),
    );
  });

  it('reports a missing exchange with the broker’s reason, then recovers on the next invocation', async () => {
    const missing = await producerFor({ exchange: 'no-such-exchange' })({ count: 2, runId: 'r' });
    expect(missing.failed.map((f) => f.code)).toEqual(['channel-closed', 'channel-closed']);
    expect(missing.failed[0].reason).toMatch(/NOT_FOUND - no exchange 'no-such-exchange'/);
    const next = await producerFor()({ count: 2, runId: 'r' });
    expect(next.confirmed).toBe(2);
  });

  it('reports publishes a full reject-publish queue refuses as nacked, never as sent', async () => {
    // The overflow the default topology's source queue declares (required for at-least-once dead-lettering), with a
    // small length limit so the queue fills. Quorum queues enforce the limit loosely (publishing channels learn that
    // the queue is full a moment after it is), so a publish or two past the limit may still be confirmed.
    const channel = await broker.admin.createChannel();
    await channel.assertQueue('events.full', {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-max-length': 3, 'x-overflow': 'reject-publish' },
    });
    await channel.assertExchange('events.full', 'x-consistent-hash', { durable: true });
    await channel.bindQueue('events.full', 'events.full', '1');
    const producer = producerFor({ exchange: 'events.full' });

    const filling = await producer({ count: 3, runId: 'fill' });
    expect(filling).toMatchObject({ confirmed: 3, failed: [] });
    const over = await producer({ count: 10, runId: 'over' });
    expect(over.confirmed + over.failed.length).toBe(10);
    expect(over.failed.length).toBeGreaterThanOrEqual(8);
    expect(new Set(over.failed.map((f) => f.code))).toEqual(new Set(['nacked']));
    expect(over.failed[0].reason).toMatch(/the broker nacked the message/);
    const failedIds = over.failed.map((f) => f.id);
    expect(over.ids.filter((id) => failedIds.includes(id))).toEqual([]);
    // The queue holds exactly what was confirmed, nothing that was reported failed.
    const confirmed = [...filling.ids, ...over.ids];
    const held = await broker.drain(confirmed.length, 'events.full');
    expect(held.map((m) => m.properties.messageId).sort()).toEqual(confirmed.sort());
    await eventually(async () => (await channel.checkQueue('events.full')).messageCount === 0, 5_000);
    await channel.close();
  });

  it('reuses one connection across warm invocations and reconnects after the broker drops it', async () => {
    const producer = producerFor();
    const channelBefore = await source.confirmChannel();
    for (let i = 0; i < 3; i++) expect((await producer({ count: 5, runId: 'r' })).confirmed).toBe(5);
    expect(await source.confirmChannel()).toBe(channelBefore);

    const closed = new Promise((resolve) => channelBefore.once('close', resolve));
    await broker.recreate();
    await closed;

    const after = await producer({ count: 5, runId: 'r' });
    expect(after).toMatchObject({ confirmed: 5, failed: [] });
    expect(await source.confirmChannel()).not.toBe(channelBefore);
    expect(await broker.drain(5)).toHaveLength(5);
  });

  it('works with a plain amqp:// URL carrying credentials and vhost', async () => {
    const urlSource = createAmqpConnectionSource({
      url: `${AMQP_URL}/${encodeURIComponent(broker.vhost)}`,
      logger: quiet,
    });
    try {
      const producer = createProducerHandler({
        connection: urlSource,
        config: { exchange: broker.exchange },
        logger: quiet,
      });
      expect((await producer({ count: 2, runId: 'r' })).confirmed).toBe(2);
    } finally {
      await urlSource.close();
    }
  });

  it('reports wrong credentials as a connection failure, quickly', async () => {
    const refused = createAmqpConnectionSource({
      url: 'amqp://127.0.0.1:5672',
      credentials: staticCredentials('guest', 'wrong-password'),
      vhost: broker.vhost,
      logger: quiet,
    });
    try {
      const producer = createProducerHandler({
        connection: refused,
        config: { exchange: broker.exchange },
        logger: quiet,
      });
      const started = Date.now();
      const result = await producer({ count: 1, runId: 'r' });
      expect(Date.now() - started).toBeLessThan(6_000);
      expect(result.failed).toEqual([
        expect.objectContaining({ code: 'connection-failed', reason: expect.stringMatching(/ACCESS_REFUSED|403/) }),
      ]);
    } finally {
      await refused.close();
    }
  });
});
