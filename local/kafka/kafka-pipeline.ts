import { randomBytes } from 'node:crypto';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import type { SqsBatchClient } from '../../lambda/bridge/forward';
import { createKafkaBridgeHandler } from '../../lambda/kafka-bridge/handler';
import { createKafkaProducerHandler, type KafkaProducerHandler } from '../../lambda/kafka-producer/handler';
import { createKafkaProducerSource, type KafkaProducerSource } from '../../lambda/kafka-producer/kafka-connection';
import { messageSizeLimitFromEnv } from '../../lambda/shared/message-size';
import { literalNumber, startConsumerSide } from '../consumer-side';
import { createLocalLogger, discardMetrics } from '../local-adapters';
import { literalStrings } from '../pipeline';
import { startSqsEmulator, type SqsEmulator } from '../sqs-emulator';
import type { SqsEventSource } from '../sqs-event-source';
import { createLocalQueues, type LocalQueues } from '../sqs-setup';
import type { LocalSettings } from '../template-reader';
import { KafkaEventSource } from './kafka-event-source';
import type { FetchedRecord } from './kafka-invoke';
import { KafkaOnFailureReader } from '../../verify/kafka-on-failure';
import { positionsOfFetched } from './kafka-on-failure';
import type { KafkaLocalSettings } from './kafka-template-reader';

/**
 * The Kafka flow on one machine: the template's topic on the local Kafka broker (through the admin API), the shared
 * SQS side (emulator, queues, consumer), the real Kafka producer and Kafka bridge under the MSK event-source emulator,
 * and the on-failure destination as a queue in the emulator.
 */

export interface KafkaPipelineOptions {
  readonly settings: LocalSettings;
  readonly kafka: KafkaLocalSettings;
  /** Bootstrap brokers of the local Kafka broker. */
  readonly brokers: readonly string[];
  /** Multiplies SQS visibility timeouts; 1 runs exactly as deployed. @default 1 */
  readonly timeScale?: number;
  /** Suffix the topic and consumer group so parallel runs on one broker do not meet. @default false */
  readonly isolated?: boolean;
  /** Pause before an event-source retry. @default 50 */
  readonly retryDelayMs?: number;
  /** Wraps the SQS client the bridge sends with (fault tests refuse entries through it). @default - the emulator's */
  readonly bridgeSqs?: (client: SqsBatchClient) => SqsBatchClient;
  /** @default false */
  readonly verbose?: boolean;
  readonly write?: (line: string) => void;
}

export interface KafkaPipeline {
  readonly settings: LocalSettings;
  readonly kafka: KafkaLocalSettings;
  /** The topic and consumer group actually used (suffixed when isolated). */
  readonly topic: string;
  readonly groupId: string;
  readonly queues: LocalQueues;
  readonly onFailureQueueUrl: string;
  readonly sqs: SqsEmulator;
  readonly producer: KafkaProducerHandler;
  readonly publishedAt: Map<string, number>;
  readonly effects: Map<string, number>;
  readonly deadLetters: KafkaOnFailureReader;
  readonly kafkaSource: KafkaEventSource;
  readonly sqsSource: SqsEventSource;
  stop(): Promise<void>;
}

export async function startKafkaPipeline(options: KafkaPipelineOptions): Promise<KafkaPipeline> {
  const { settings, kafka } = options;
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const logger = (component: string) => createLocalLogger({ component, verbose: options.verbose ?? false, write });
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  const suffix = options.isolated ? `-${randomBytes(4).toString('hex')}` : '';
  const topic = `${kafka.topic.name}${suffix}`;
  const groupId = `${kafka.mapping.consumerGroupId}${suffix}`;

  try {
    await ensureTopic(options.brokers, topic, kafka);
    // An isolated run's topic and consumer group are its own: removed with it, as the RabbitMQ run's vhost is
    // (pushed first, so it runs last, once the event source has left the group).
    if (options.isolated) cleanups.push(() => removeTopicAndGroup(options.brokers, topic, groupId));
    const sqs = await startSqsEmulator();
    cleanups.push(() => sqs.stop());
    const queues = await createLocalQueues(sqs.client, settings, options.timeScale ?? 1);
    const { QueueUrl: onFailureQueueUrl } = await sqs.client.send(
      new CreateQueueCommand({ QueueName: kafka.mapping.onFailureQueueLogicalId ?? 'KafkaOnFailure' }),
    );
    if (!onFailureQueueUrl) throw new Error('the SQS emulator did not return a URL for the on-failure queue');

    const publishedAt = new Map<string, number>();
    const connection = createKafkaProducerSource({
      brokers: options.brokers,
      clientId: 'local-kafka-producer',
      logger: logger('kafka-producer'),
    });
    cleanups.push(() => connection.close());
    const producer = createKafkaProducerHandler({
      connection: timedProducerSource(connection, publishedAt),
      config: {
        topic,
        sendTimeoutMs: literalNumber(kafka.producer.environment.SEND_TIMEOUT_MS),
        sizeLimit: messageSizeLimitFromEnv(literalStrings(kafka.producer.environment)),
      },
      logger: logger('kafka-producer'),
      metrics: discardMetrics,
    });

    const bridge = createKafkaBridgeHandler({
      sqs: options.bridgeSqs ? options.bridgeSqs(sqs.client) : sqs.client,
      config: {
        queueUrl: queues.source.url,
        parallelism: literalNumber(kafka.bridge.environment.SEND_PARALLELISM),
        messageGroupIdField:
          typeof kafka.bridge.environment.MESSAGE_GROUP_ID_FIELD === 'string'
            ? kafka.bridge.environment.MESSAGE_GROUP_ID_FIELD
            : undefined,
      },
      logger: logger('kafka-bridge'),
      metrics: discardMetrics,
    });

    // Downstream first, as for RabbitMQ: the consumer side runs before the first Kafka batch arrives.
    const { sqsSource, effects } = startConsumerSide(settings, sqs, queues, logger);
    cleanups.push(() => sqsSource.stop());

    const deadLetters = new KafkaOnFailureReader(sqs.client, onFailureQueueUrl);
    const m = kafka.mapping;
    const kafkaSource = new KafkaEventSource({
      brokers: options.brokers,
      topic,
      groupId,
      batchSize: m.batchSize,
      batchingWindowMs: m.batchingWindowSec * 1000,
      startingPosition: m.startingPosition,
      maximumRetryAttempts: m.maximumRetryAttempts,
      bisectBatchOnFunctionError: m.bisectBatchOnFunctionError,
      reportBatchItemFailures: m.reportBatchItemFailures,
      functionTimeoutMs: kafka.bridge.timeoutSec * 1000,
      retryDelayMs: options.retryDelayMs,
      handler: (event) => bridge(event),
      onFailure: m.onFailureQueueLogicalId
        ? async (record, records: readonly FetchedRecord[]) => {
            // Locally the emulator knows which records the batch held; AWS sends only the offsets.
            deadLetters.remember(positionsOfFetched(records));
            await sqs.client.send(
              new SendMessageCommand({ QueueUrl: onFailureQueueUrl, MessageBody: JSON.stringify(record) }),
            );
          }
        : undefined,
      onError: (error, context) => logger(`event-source:kafka:${context}`).warn(error.message),
    });
    await kafkaSource.start();
    cleanups.push(() => kafkaSource.stop());

    return {
      settings,
      kafka,
      topic,
      groupId,
      queues,
      onFailureQueueUrl,
      sqs,
      producer,
      publishedAt,
      effects,
      deadLetters,
      kafkaSource,
      sqsSource,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * Creates the topic as the template declares it, through the admin API. A single local broker holds one copy of
 * each partition, so the replication factor is 1 here (the template's factor is for the MSK cluster).
 */
export async function ensureTopic(brokers: readonly string[], topic: string, kafka: KafkaLocalSettings): Promise<void> {
  await withLocalAdmin(brokers, async (admin) => {
    const existing = await admin.listTopics();
    if (existing.includes(topic)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: kafka.topic.partitions,
          replicationFactor: 1,
          configEntries:
            kafka.topic.retentionMs === undefined
              ? []
              : [{ name: 'retention.ms', value: String(kafka.topic.retentionMs) }],
        },
      ],
    });
  });
}

/** Runs `work` with a connected admin client of the local broker, disconnecting it afterwards whatever happens. */
export async function withLocalAdmin<T>(brokers: readonly string[], work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: 'local-kafka-admin', brokers: [...brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes a topic and a consumer group of the local broker (an isolated run's). */
export async function removeTopicAndGroup(brokers: readonly string[], topic: string, groupId: string): Promise<void> {
  await withLocalAdmin(brokers, async (admin) => {
    // The group first: it holds offsets of the topic. A group that never committed does not exist, which is fine.
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] });
  });
}

/** Notes when each message was handed to Kafka (by its key, the message id), so latency starts at the send. */
function timedProducerSource(source: KafkaProducerSource, publishedAt: Map<string, number>): KafkaProducerSource {
  const wrap = (producer: Producer): Producer =>
    new Proxy(producer, {
      get(target, property) {
        if (property === 'send') {
          return (record: Parameters<Producer['send']>[0]) => {
            const now = Date.now();
            for (const m of record.messages) if (typeof m.key === 'string') publishedAt.set(m.key, now);
            return target.send(record);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  return {
    producer: async () => wrap(await source.producer()),
    discard: (reason) => source.discard(reason),
    close: () => source.close(),
  };
}
