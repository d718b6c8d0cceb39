import { connect } from 'amqplib';
import type { BenchQueue } from './amqp-fixture';
import { elapsedMs, perSecond } from './stats';

/**
 * Unconfirmed publishes the raw client keeps in flight. Large enough that the broker, not the round trip, sets the
 * pace (a few hundred already saturate a quorum queue on loopback), small enough to bound memory.
 */
export const RAW_AMQP_IN_FLIGHT = 1000;

/** One message body of exactly `size` bytes (printable, so it is also valid UTF-8 for the SQS side). */
export function payloadOfSize(size: number): Buffer {
  return Buffer.alloc(size, 'x');
}

/**
 * Publishes `messages` persistent messages of `size` bytes on a plain confirm channel with `inFlight` unconfirmed at
 * most, and returns confirmed messages per second: the broker's limit for this client library on this machine.
 */
export async function measureRawAmqp(
  amqpUrl: string,
  target: BenchQueue,
  messages: number,
  size: number,
  inFlight = RAW_AMQP_IN_FLIGHT,
): Promise<number> {
  const connection = await connect(amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    const body = payloadOfSize(size);
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      let sent = 0;
      let confirmed = 0;
      let failed = false;
      let awaitingDrain = false;
      const pump = (): void => {
        while (!failed && !awaitingDrain && sent < messages && sent - confirmed < inFlight) {
          sent++;
          const writable = channel.publish(target.exchange, target.routingKey, body, { persistent: true }, onConfirm);
          // A full socket buffer: wait for it to drain rather than queueing without bound in the client.
          if (!writable) {
            awaitingDrain = true;
            channel.once('drain', () => {
              awaitingDrain = false;
              pump();
            });
          }
        }
      };
      const onConfirm = (err: unknown): void => {
        if (failed) return;
        if (err) {
          failed = true;
          reject(new Error(`raw AMQP: broker nacked a publish (${String(err)})`));
          return;
        }
        confirmed++;
        if (confirmed === messages) resolve();
        else pump();
      };
      pump();
    });
    return perSecond(messages, elapsedMs(start));
  } finally {
    await connection.close();
  }
}
