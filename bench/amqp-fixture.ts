import { randomUUID } from 'node:crypto';
import { connect, type Channel, type ChannelModel } from 'amqplib';

/**
 * A uniquely named exchange → quorum queue pair in the broker's default vhost, private to one bench run, so the
 * bench never touches the project's topology or another engineer's queues. Removed by `dispose()`.
 */
export interface BenchQueue {
  readonly exchange: string;
  readonly queue: string;
  readonly routingKey: string;
  /** RabbitMQ version reported by the broker, e.g. `3.10.8`. */
  readonly brokerVersion: string;
  /** Empties the queue between repetitions so every repetition starts from the same broker state. */
  purge(): Promise<void>;
  /** Messages currently in the queue (ready + unacknowledged). */
  messageCount(): Promise<number>;
  dispose(): Promise<void>;
}

export async function createBenchQueue(amqpUrl: string): Promise<BenchQueue> {
  const suffix = randomUUID().slice(0, 8);
  const exchange = `bench.${suffix}`;
  const queue = `bench.${suffix}`;
  const routingKey = 'bench';
  const connection: ChannelModel = await connect(amqpUrl);
  const channel: Channel = await connection.createChannel();
  // A consistent-hash exchange like the project's (one queue, weight 1): it routes every routing key, the producer's
  // per-message keys as well as the raw publisher's fixed one, so both pay for the same routing.
  await channel.assertExchange(exchange, 'x-consistent-hash', { durable: true, autoDelete: false });
  // Quorum, like the project's source queue: the replicated log is what makes confirms cost what they cost.
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(queue, exchange, '1');
  const version = connection.connection.serverProperties.version;
  return {
    exchange,
    queue,
    routingKey,
    brokerVersion: typeof version === 'string' ? version : 'unknown',
    purge: async () => {
      await channel.purgeQueue(queue);
    },
    messageCount: async () => (await channel.checkQueue(queue)).messageCount,
    dispose: async () => {
      try {
        await channel.deleteQueue(queue);
        await channel.deleteExchange(exchange);
      } finally {
        await connection.close();
      }
    },
  };
}
