import { connect, type ChannelModel } from 'amqplib';
import type { RabbitMqEvent } from '../../local/rabbitmq-event';
import { RabbitMqEventSource, type RabbitMqEventSourceOptions } from '../../local/rabbitmq-event-source';
import { closeConnections, createTestVhost, deleteTestVhost, guestUrl, waitFor } from './support/broker';

const QUEUE = 'source';
const DLQ = 'dead';

describe('RabbitMqEventSource (shared local broker, private vhost)', () => {
  let vhost: string;
  let admin: ChannelModel;
  let source: RabbitMqEventSource | undefined;

  beforeEach(async () => {
    vhost = await createTestVhost('es-test');
    admin = await connect(guestUrl(vhost));
    admin.on('error', () => undefined); // the reconnect test closes it from the broker side
    const ch = await admin.createChannel();
    await ch.assertExchange('dlx', 'fanout', { durable: true });
    await ch.assertQueue(DLQ, { durable: true });
    await ch.bindQueue(DLQ, 'dlx', '');
    await ch.assertQueue(QUEUE, {
      durable: true,
      arguments: { 'x-queue-type': 'quorum', 'x-delivery-limit': 2, 'x-dead-letter-exchange': 'dlx' },
    });
    await ch.close();
  });

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    await admin.close().catch(() => undefined);
    await deleteTestVhost(vhost);
  });

  async function publish(count: number, idPrefix = 'm'): Promise<void> {
    const ch = await admin.createConfirmChannel();
    for (let i = 0; i < count; i++) {
      ch.sendToQueue(QUEUE, Buffer.from(JSON.stringify({ n: i })), {
        messageId: `${idPrefix}${i}`,
        headers: { h: 'v' },
      });
    }
    await ch.waitForConfirms();
    await ch.close();
  }

  async function depth(queue: string): Promise<number> {
    const ch = await admin.createChannel();
    const { messageCount } = await ch.checkQueue(queue);
    await ch.close();
    return messageCount;
  }

  function start(handler: RabbitMqEventSourceOptions['handler'], overrides: Partial<RabbitMqEventSourceOptions> = {}) {
    source = new RabbitMqEventSource({
      url: guestUrl(vhost),
      queue: QUEUE,
      vhost,
      batchSize: 10,
      batchingWindowMs: 300,
      handler,
      reconnectDelayMs: 100,
      ...overrides,
    });
    return source.start();
  }

  test('invokes full batches, then the remainder after the window, and acks on success', async () => {
    await publish(25);
    const sizes: number[] = [];
    const events: RabbitMqEvent[] = [];
    await start(async (event) => {
      events.push(event);
      sizes.push(Object.values(event.rmqMessagesByQueue).flat().length);
    });
    await waitFor(() => sizes.reduce((a, b) => a + b, 0) === 25, 10_000, '25 records');
    expect(sizes).toEqual([10, 10, 5]);
    const record = events[0].rmqMessagesByQueue[`${QUEUE}::${vhost}`][0];
    expect(JSON.parse(Buffer.from(record.data, 'base64').toString())).toEqual({ n: 0 });
    expect(record.basicProperties.headers).toEqual({ h: { bytes: [118] } });
    await waitFor(async () => (await depth(QUEUE)) === 0, 5_000, 'source queue to empty');
  });

  test('runs one invocation at a time (concurrency 1)', async () => {
    await publish(40);
    let active = 0;
    let maxActive = 0;
    let total = 0;
    await start(async (event) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      await new Promise((resolve) => setTimeout(resolve, 30));
      total += Object.values(event.rmqMessagesByQueue).flat().length;
      active -= 1;
    });
    await waitFor(() => total === 40, 10_000, '40 records');
    expect(maxActive).toBe(1);
  });

  test('a throwing handler requeues the whole batch; past x-delivery-limit RabbitMQ dead-letters it', async () => {
    await publish(3);
    const seen: boolean[] = [];
    await start(
      async (event) => {
        for (const r of Object.values(event.rmqMessagesByQueue).flat()) seen.push(r.redelivered);
        throw new Error('bridge failed');
      },
      { onError: () => undefined },
    );
    await waitFor(async () => (await depth(DLQ)) === 3, 10_000, 'three messages in the dead-letter queue');
    expect(await depth(QUEUE)).toBe(0);
    // First delivery plus redeliveries up to the limit, with the redelivered flag set after the first.
    expect(seen.filter((r) => !r)).toHaveLength(3);
    expect(seen.filter((r) => r).length).toBeGreaterThanOrEqual(3);
  });

  test('a failed batch is not overtaken by deliveries that arrived during its invocation (queue order holds)', async () => {
    await publish(5, 'a');
    const forwarded: string[] = [];
    let calls = 0;
    await start(
      async (event) => {
        const ids = Object.values(event.rmqMessagesByQueue)
          .flat()
          .map((r) => String(r.basicProperties.messageId));
        if (++calls === 1) {
          // Later messages arrive while this partial batch is in flight (prefetch leaves room for them).
          await publish(5, 'b');
          await new Promise((resolve) => setTimeout(resolve, 300));
          throw new Error('bridge failed');
        }
        forwarded.push(...ids);
      },
      { onError: () => undefined },
    );
    await waitFor(() => forwarded.length >= 10, 10_000, 'ten records forwarded');
    expect(forwarded).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4']);
  });

  test('an invocation past the function timeout fails the batch', async () => {
    await publish(1);
    let calls = 0;
    const errors: string[] = [];
    await start(
      async () => {
        calls += 1;
        if (calls === 1) await new Promise((resolve) => setTimeout(resolve, 500));
      },
      { functionTimeoutMs: 100, onError: (e) => errors.push(e.message) },
    );
    await waitFor(() => calls === 2, 5_000, 'the redelivery after the timeout');
    expect(errors).toContain('function timed out after 100 ms');
  });

  test('reconnects after the broker closes its connection and keeps consuming', async () => {
    // Counted by message id: acks in flight when the connection drops may not reach the broker, so some records of
    // the first batch can come again after the reconnect — at-least-once, as the Lambda event source is.
    const ids = new Set<string>();
    const errors: string[] = [];
    await start(
      async (event) => {
        for (const r of Object.values(event.rmqMessagesByQueue).flat()) ids.add(String(r.basicProperties.messageId));
      },
      { onError: (e) => errors.push(e.message) },
    );
    await publish(5, 'before-');
    await waitFor(() => ids.size === 5, 5_000, 'first 5 records');
    await waitFor(async () => (await closeConnections(vhost)) > 0, 5_000, 'a connection to close');
    await waitFor(() => source?.statistics.reconnects === 1, 15_000, 'the reconnect');
    admin = await connect(guestUrl(vhost));
    await publish(5, 'after-');
    await waitFor(() => ids.size === 10, 15_000, 'records after the reconnect');
    expect([...ids].filter((id) => id.startsWith('after-'))).toHaveLength(5);
    expect(errors).toContain('connection to the broker lost; reconnecting');
  });
});
