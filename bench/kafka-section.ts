import type { SQSClient } from '@aws-sdk/client-sqs';
import { createKafkaBridgeHandler, type KafkaBridgeHandler } from '../lambda/kafka-bridge/handler';
import type { KafkaEventInput } from '../lambda/kafka-bridge/kafka-event';
import { createKafkaProducerHandler, type KafkaProducerHandler } from '../lambda/kafka-producer/handler';
import { createKafkaProducerSource, type KafkaProducerSource } from '../lambda/kafka-producer/kafka-connection';
import { kafkaRecordOf, produceAcknowledged } from '../lambda/kafka-producer/publisher';
import { buildMessages, parseProducerEvent } from '../lambda/producer/event';
import { stageMessageSizeLimit } from '../lib/config/broker-capacity';
import { loadStageConfig } from '../lib/config/stages';
import { startSqsEmulatorOnThread } from '../local/sqs-emulator';
import { buildKafkaBridgeEvents, kafkaBridgeLikeAttributes } from './kafka-events';
import type { BenchOptions } from './options';
import { quietLogger, quietMetrics } from './quiet';
import { connectRawKafkaProducer, createBenchTopic, measureRawKafka, type BenchTopic } from './raw-kafka';
import { measureRawSqs, withScratchQueue } from './raw-sqs';
import type { SectionResult } from './report';
import { SEND_PARALLELISM } from './sqs-section';
import { elapsedMs, median, perSecond, round } from './stats';

const DEV = loadStageConfig('dev');
const DEV_KAFKA = DEV.kafka;

/** Partitions of the bench topic: the dev stage's topic, so the producer spreads its chunks as it would there. */
export const KAFKA_BENCH_PARTITIONS = DEV_KAFKA.topic.partitions;

/** Records per MSK event handed to the Kafka bridge: the dev stage's event source batch size. */
export const KAFKA_BRIDGE_EVENT_RECORDS = DEV_KAFKA.eventSource.batchSize;

/**
 * `SendMessageBatch` calls the raw side keeps in flight: as many as the bridge can have, one invocation per partition
 * at once, each sending `SEND_PARALLELISM` batches in parallel — the same ceiling, so the ratio compares like with like.
 */
export const KAFKA_RAW_SQS_PARALLELISM = KAFKA_BENCH_PARTITIONS * SEND_PARALLELISM;

export type KafkaFigures = SectionResult<
  | 'rawKafkaProducePerSec'
  | 'kafkaProducerPerSec'
  | 'kafkaProducerPublishOnlyPerSec'
  | 'rawKafkaWithHeadersPerSec'
  | 'kafkaProducerRatio'
  | 'kafkaRawSqsBatchSendPerSec'
  | 'kafkaRawSqsWithAttributesPerSec'
  | 'kafkaBridgePerSec'
  | 'kafkaBridgeRatio'
  | 'kafkaProducerSameRecordsRatio'
  | 'kafkaBridgeSameAttributesRatio'
>;

/** One warm invocation of our Kafka producer handler for `messages` bodies of `size` bytes; acknowledged per second. */
async function measureKafkaProducer(producer: KafkaProducerHandler, messages: number, size: number): Promise<number> {
  const start = process.hrtime.bigint();
  const result = await producer({ count: messages, size });
  const ms = elapsedMs(start);
  if (result.confirmed !== messages) {
    const first = result.failed[0];
    throw new Error(
      `kafka producer: ${result.confirmed} of ${messages} acknowledged; first failure: ${first?.code} ${first?.reason}`,
    );
  }
  return perSecond(messages, ms);
}

/** Our publisher alone (records with key and headers, chunks, timeouts) on pre-built messages. */
async function measureKafkaPublishOnly(
  connection: KafkaProducerSource,
  topic: string,
  messages: number,
  size: number,
): Promise<number> {
  const built = buildMessages(parseProducerEvent({ count: messages, size }));
  const producer = await connection.producer();
  const start = process.hrtime.bigint();
  const outcome = await produceAcknowledged(producer, built, {
    topic,
    sendTimeoutMs: DEV_KAFKA.producer.sendTimeoutMs,
  });
  const ms = elapsedMs(start);
  if (outcome.failed.length > 0) throw new Error(`kafka publisher: ${outcome.failed.length} of ${messages} failed`);
  return perSecond(messages, ms);
}

/**
 * Invokes the Kafka bridge as the MSK event source does: one poller per partition, the partitions side by side, each
 * partition's events one after the other. Every record must be forwarded.
 */
async function measureKafkaBridge(
  bridge: KafkaBridgeHandler,
  partitions: readonly (readonly KafkaEventInput[])[],
  messages: number,
): Promise<number> {
  let failed = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    partitions.map(async (events) => {
      for (const event of events) failed += (await bridge(event)).batchItemFailures.length;
    }),
  );
  const ms = elapsedMs(start);
  if (failed > 0) throw new Error(`kafka bridge: ${failed} of ${messages} records not forwarded`);
  return perSecond(messages, ms);
}

/** The producer half: raw kafkajs and our producer into the same fresh topic, alternating repetitions. */
async function runProducerHalf(
  options: BenchOptions,
  brokers: readonly string[],
  topic: BenchTopic,
  progress: (message: string) => void,
) {
  const raw = await connectRawKafkaProducer(brokers);
  const connection = createKafkaProducerSource({ brokers, clientId: 'mq-bench-kafka-producer', logger: quietLogger });
  const producer = createKafkaProducerHandler({
    connection,
    // The dev stage's settings, as the local Kafka pipeline reads them from the template.
    config: {
      topic: topic.topic,
      sendTimeoutMs: DEV_KAFKA.producer.sendTimeoutMs,
      sizeLimit: stageMessageSizeLimit(DEV),
    },
    logger: quietLogger,
    metrics: quietMetrics,
  });
  const rawOnce = () => measureRawKafka(raw, topic.topic, options.messages, options.size);
  const shaped = buildMessages(parseProducerEvent({ count: options.messages, size: options.size })).map(kafkaRecordOf);
  const rawWithHeadersOnce = () => measureRawKafka(raw, topic.topic, options.messages, options.size, shaped);
  const ourOnce = () => measureKafkaProducer(producer, options.messages, options.size);
  const publishOnlyOnce = () => measureKafkaPublishOnly(connection, topic.topic, options.messages, options.size);
  try {
    // One unmeasured full-size repetition of each first: JIT, connections, metadata and producer ids are no part of
    // either figure.
    await rawOnce();
    await rawWithHeadersOnce();
    await ourOnce();
    await publishOnlyOnce();
    const runs = {
      raw: [] as number[],
      rawWithHeaders: [] as number[],
      ours: [] as number[],
      publishOnly: [] as number[],
    };
    for (let i = 0; i < options.repetitions; i++) {
      runs.raw.push(await rawOnce());
      runs.rawWithHeaders.push(await rawWithHeadersOnce());
      runs.ours.push(await ourOnce());
      runs.publishOnly.push(await publishOnlyOnce());
      progress(
        `kafka producer ${i + 1}/${options.repetitions}: raw ${Math.round(runs.raw[i])}/s, ` +
          `raw with our key and headers ${Math.round(runs.rawWithHeaders[i])}/s, ours ${Math.round(runs.ours[i])}/s, ` +
          `its publisher alone ${Math.round(runs.publishOnly[i])}/s`,
      );
    }
    return runs;
  } finally {
    await raw.disconnect();
    await connection.close();
  }
}

/** The bridge half: raw `SendMessageBatch` and our Kafka bridge into fresh queues of the emulator (on its own thread). */
async function runBridgeHalf(options: BenchOptions, topic: BenchTopic, progress: (message: string) => void) {
  const emulator = await startSqsEmulatorOnThread();
  try {
    const sqs: SQSClient = emulator.client;
    const events = buildKafkaBridgeEvents(
      options.messages,
      options.size,
      topic.topic,
      topic.partitions,
      KAFKA_BRIDGE_EVENT_RECORDS,
    );
    const attributes = kafkaBridgeLikeAttributes(topic.topic, topic.partitions);
    const rawOnce = () => measureRawSqs(sqs, options.messages, options.size, KAFKA_RAW_SQS_PARALLELISM);
    const rawWithAttributesOnce = () =>
      measureRawSqs(sqs, options.messages, options.size, KAFKA_RAW_SQS_PARALLELISM, attributes);
    const bridgeOnce = () =>
      withScratchQueue(sqs, 'kafka-bridge', (queueUrl) => {
        const bridge = createKafkaBridgeHandler({
          sqs,
          config: { queueUrl, parallelism: SEND_PARALLELISM },
          logger: quietLogger,
          metrics: quietMetrics,
        });
        return measureKafkaBridge(bridge, events, options.messages);
      });
    // Unmeasured full-size repetitions first; the bridge twice, as in the sqs section it needed two to reach its
    // steady rate (JIT of the parsing and the SDK's serializers).
    await rawOnce();
    await rawWithAttributesOnce();
    await bridgeOnce();
    await bridgeOnce();
    const runs = { raw: [] as number[], rawWithAttributes: [] as number[], bridged: [] as number[] };
    for (let i = 0; i < options.repetitions; i++) {
      runs.raw.push(await rawOnce());
      runs.rawWithAttributes.push(await rawWithAttributesOnce());
      runs.bridged.push(await bridgeOnce());
      progress(
        `kafka bridge ${i + 1}/${options.repetitions}: raw SQS ${Math.round(runs.raw[i])}/s, ` +
          `with its attributes ${Math.round(runs.rawWithAttributes[i])}/s, bridge ${Math.round(runs.bridged[i])}/s`,
      );
    }
    return runs;
  } finally {
    await emulator.stop();
  }
}

/**
 * Our Kafka producer against a plain kafkajs producer (`acks=all`, idempotent, same chunks) on a topic of this run,
 * and our Kafka bridge on MSK events against raw SQS batch sends of the same bodies. The topic is deleted afterwards.
 */
export async function runKafkaSection(
  options: BenchOptions,
  brokers: readonly string[],
  progress: (message: string) => void,
): Promise<KafkaFigures> {
  const topic = await createBenchTopic(brokers, KAFKA_BENCH_PARTITIONS);
  progress(`kafka: topic ${topic.topic}, ${topic.partitions} partitions`);
  try {
    const produced = await runProducerHalf(options, brokers, topic, progress);
    const bridged = await runBridgeHalf(options, topic, progress);
    const rawProduce = median(produced.raw);
    const ours = median(produced.ours);
    const rawSqs = median(bridged.raw);
    const bridge = median(bridged.bridged);
    const rawWithHeaders = median(produced.rawWithHeaders);
    const rawWithAttributes = median(bridged.rawWithAttributes);
    const rounded = (values: number[]) => values.map(Math.round);
    return {
      rawKafkaProducePerSec: Math.round(rawProduce),
      kafkaProducerPerSec: Math.round(ours),
      kafkaProducerPublishOnlyPerSec: Math.round(median(produced.publishOnly)),
      rawKafkaWithHeadersPerSec: Math.round(rawWithHeaders),
      kafkaProducerRatio: round(ours / rawProduce),
      kafkaRawSqsBatchSendPerSec: Math.round(rawSqs),
      kafkaRawSqsWithAttributesPerSec: Math.round(rawWithAttributes),
      kafkaBridgePerSec: Math.round(bridge),
      kafkaBridgeRatio: round(bridge / rawSqs),
      kafkaProducerSameRecordsRatio: round(ours / rawWithHeaders),
      kafkaBridgeSameAttributesRatio: round(bridge / rawWithAttributes),
      runs: {
        rawKafkaProducePerSec: rounded(produced.raw),
        kafkaProducerPerSec: rounded(produced.ours),
        kafkaProducerPublishOnlyPerSec: rounded(produced.publishOnly),
        rawKafkaWithHeadersPerSec: rounded(produced.rawWithHeaders),
        kafkaRawSqsBatchSendPerSec: rounded(bridged.raw),
        kafkaRawSqsWithAttributesPerSec: rounded(bridged.rawWithAttributes),
        kafkaBridgePerSec: rounded(bridged.bridged),
      },
    };
  } finally {
    await topic.dispose();
  }
}
