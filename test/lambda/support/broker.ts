import { randomUUID } from 'node:crypto';
import { connect, type ChannelModel, type ConsumeMessage } from 'amqplib';

/** The shared local broker (scripts/ensure-broker.sh); tests use their own vhost on it and delete it afterwards. */
export const AMQP_URL = process.env.LOCAL_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const MANAGEMENT = process.env.LOCAL_MANAGEMENT_URL ?? 'http://127.0.0.1:15672';
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

async function management(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${MANAGEMENT}/api${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 404)
    throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

/** A fresh vhost with an exchange, a bound quorum queue and an open admin connection for inspection. */
export interface TestVhost {
  readonly vhost: string;
  readonly exchange: string;
  readonly routingKey: string;
  readonly queue: string;
  /** An admin connection on the vhost (guest). */
  readonly admin: ChannelModel;
  /** Takes `count` messages off `queue`, or fails after `timeoutMs`. */
  drain(count: number, queue?: string, timeoutMs?: number): Promise<ConsumeMessage[]>;
  /**
   * Deletes the vhost and declares it again: the broker closes every connection to it at once (a broker-side drop
   * that touches nobody else on the shared broker), and the topology is back for the reconnect.
   */
  recreate(): Promise<void>;
  dispose(): Promise<void>;
}

async function declareVhost(vhost: string, bind: boolean): Promise<ChannelModel> {
  const e = encodeURIComponent(vhost);
  await management('PUT', `/vhosts/${e}`, {});
  await management('PUT', `/permissions/${e}/guest`, { configure: '.*', write: '.*', read: '.*' });
  const admin = await connect(`${AMQP_URL}/${e}`);
  const channel = await admin.createChannel();
  // The project's exchange type: a consistent-hash exchange routes every routing key to one bound queue (weight 1).
  await channel.assertExchange('events', 'x-consistent-hash', { durable: true });
  await channel.assertQueue('events.to-sqs', { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  if (bind) await channel.bindQueue('events.to-sqs', 'events', '1');
  await channel.close();
  // The admin connection dies with the vhost on purpose (recreate); its close must not crash the test.
  admin.on('error', () => undefined);
  return admin;
}

export async function createTestVhost(options: { bind?: boolean } = {}): Promise<TestVhost> {
  const vhost = `test-${randomUUID()}`;
  const bind = options.bind !== false;
  let admin = await declareVhost(vhost, bind);
  const remove = () => management('DELETE', `/vhosts/${encodeURIComponent(vhost)}`);

  return {
    vhost,
    exchange: 'events',
    routingKey: 'event',
    queue: 'events.to-sqs',
    get admin() {
      return admin;
    },
    async drain(count, from = 'events.to-sqs', timeoutMs = 10_000) {
      const ch = await admin.createChannel();
      const received: ConsumeMessage[] = [];
      try {
        await new Promise<void>((resolve, reject) => {
          if (count === 0) return resolve();
          const timer = setTimeout(
            () => reject(new Error(`drained ${received.length} of ${count} from ${from}`)),
            timeoutMs,
          );
          // No-ack: a quorum queue may return acks still unsettled when the channel closes right after them.
          void ch.consume(
            from,
            (message) => {
              if (!message) return;
              received.push(message);
              if (received.length === count) {
                clearTimeout(timer);
                resolve();
              }
            },
            { noAck: true },
          );
        });
      } finally {
        await ch.close().catch(() => undefined);
      }
      return received;
    },
    async recreate() {
      await remove();
      await admin.close().catch(() => undefined);
      admin = await declareVhost(vhost, bind);
    },
    async dispose() {
      await admin.close().catch(() => undefined);
      await remove();
    },
  };
}

/** Polls `check` until it holds or `timeoutMs` passes. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000, stepMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}
