import { orderingKeyOf } from '../lambda/producer/ordering-key';
import { createAmqpConnectionSource, type AmqpConnectionSource } from '../lambda/producer/amqp-connection';
import { buildMessages, parseProducerEvent } from '../lambda/producer/event';
import { createProducerHandler, type ProducerHandler } from '../lambda/producer/handler';
import { publishWithConfirms } from '../lambda/producer/publisher';
import { createBenchQueue, type BenchQueue } from './amqp-fixture';
import type { BenchOptions } from './options';
import { quietLogger, quietMetrics } from './quiet';
import type { SectionResult } from './report';
import { measureRawAmqp, RAW_AMQP_IN_FLIGHT } from './raw-amqp';
import { elapsedMs, median, perSecond, round } from './stats';

export type AmqpFigures = SectionResult<
  'rawAmqpConfirmedPublishPerSec' | 'producerPerSec' | 'producerRatio' | 'producerPublishOnlyPerSec'
> & {
  /** RabbitMQ version the broker reports (recorded with the machine). */
  readonly brokerVersion: string;
};

/** One warm producer invocation publishing `messages` bodies of `size` bytes; confirmed messages per second. */
async function measureProducer(producer: ProducerHandler, messages: number, size: number): Promise<number> {
  const start = process.hrtime.bigint();
  const result = await producer({ count: messages, size });
  const ms = elapsedMs(start);
  if (result.confirmed !== messages) {
    const first = result.failed[0];
    throw new Error(
      `producer: ${result.confirmed} of ${messages} confirmed; first failure: ${first?.code} ${first?.reason}`,
    );
  }
  return perSecond(messages, ms);
}

/** The producer's own publisher (confirm tracking, timeouts, returns) on pre-built messages: publishing without building. */
async function measurePublishOnly(
  connection: AmqpConnectionSource,
  queue: BenchQueue,
  messages: number,
  size: number,
): Promise<number> {
  const built = buildMessages(parseProducerEvent({ count: messages, size }));
  const channel = await connection.confirmChannel();
  const start = process.hrtime.bigint();
  const outcome = await publishWithConfirms(channel, built, {
    exchange: queue.exchange,
    routingKeyOf: orderingKeyOf(undefined),
    confirmTimeoutMs: 10_000,
  });
  const ms = elapsedMs(start);
  if (outcome.failed.length > 0) throw new Error(`publisher: ${outcome.failed.length} of ${messages} not confirmed`);
  return perSecond(messages, ms);
}

/**
 * Raw confirm-channel publishing and the real producer (its factory, its connection source, its publisher) into the
 * same quorum queue, alternating repetitions so drift on a shared machine hits both alike. The queue is purged after
 * every repetition so each starts from an empty queue.
 */
export async function runAmqpSection(options: BenchOptions, progress: (message: string) => void): Promise<AmqpFigures> {
  const queue: BenchQueue = await createBenchQueue(options.amqpUrl);
  const connection = createAmqpConnectionSource({
    url: options.amqpUrl,
    connectionName: 'mq-bench-producer',
    logger: quietLogger,
  });
  const producer = createProducerHandler({
    connection,
    config: { exchange: queue.exchange },
    logger: quietLogger,
    metrics: quietMetrics,
  });
  try {
    // One unmeasured full-size repetition of each first: JIT, connection setup and heap growth are no part of either
    // figure (with a 2,000-message warm-up the first measured repetition still ran 30-50% slow).
    await measureRawAmqp(options.amqpUrl, queue, options.messages, options.size);
    await measureProducer(producer, options.messages, options.size);
    await measurePublishOnly(connection, queue, options.messages, options.size);
    await queue.purge();
    const raw: number[] = [];
    const produced: number[] = [];
    const publishOnly: number[] = [];
    for (let i = 0; i < options.repetitions; i++) {
      raw.push(await measureRawAmqp(options.amqpUrl, queue, options.messages, options.size));
      await queue.purge();
      produced.push(await measureProducer(producer, options.messages, options.size));
      await queue.purge();
      publishOnly.push(await measurePublishOnly(connection, queue, options.messages, options.size));
      await queue.purge();
      progress(
        `amqp ${i + 1}/${options.repetitions}: raw ${Math.round(raw[i])}/s, producer ${Math.round(produced[i])}/s, ` +
          `its publisher alone ${Math.round(publishOnly[i])}/s`,
      );
    }
    const rawPerSec = median(raw);
    const producerPerSec = median(produced);
    return {
      brokerVersion: queue.brokerVersion,
      rawAmqpConfirmedPublishPerSec: Math.round(rawPerSec),
      producerPerSec: Math.round(producerPerSec),
      producerRatio: round(producerPerSec / rawPerSec),
      producerPublishOnlyPerSec: Math.round(median(publishOnly)),
      runs: {
        rawAmqpConfirmedPublishPerSec: raw.map(Math.round),
        producerPerSec: produced.map(Math.round),
        producerPublishOnlyPerSec: publishOnly.map(Math.round),
      },
    };
  } finally {
    await connection.close();
    await queue.dispose();
  }
}

export { RAW_AMQP_IN_FLIGHT };
