import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Message, type Producer } from 'kafkajs';
import { payloadOfSize } from './raw-amqp';
import { elapsedMs, perSecond } from './stats';

/**
 * The Kafka side of the bench's baseline: a topic of its own on the local broker, and a plain kafkajs producer that
 * writes to it with `acks=all`, set up the way our producer is (idempotent, one request in flight, the same chunk per
 * `send`), so the ratio measures what our producer adds, not a different batching.
 */

/** Messages per `send`: the Kafka producer's default chunk (lambda/kafka-producer/publisher.ts). */
export const RAW_KAFKA_CHUNK = 500;

/** A uniquely named topic on the local broker for one bench run; `dispose()` deletes it. */
export interface BenchTopic {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly partitions: number;
  dispose(): Promise<void>;
}

/** Quiet kafkajs clients: the bench's stderr is for its progress, and a failure surfaces as a thrown error. */
export function benchKafka(brokers: readonly string[], clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.NOTHING });
}

export async function createBenchTopic(brokers: readonly string[], partitions: number): Promise<BenchTopic> {
  const topic = `bench-kafka-${randomUUID().slice(0, 8)}`;
  const admin = benchKafka(brokers, 'mq-bench-admin').admin();
  await admin.connect();
  try {
    // One broker holds one copy: replication 1, so acks=all waits for the leader's write, as on any one-node cluster.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    });
  } catch (error) {
    await admin.disconnect();
    throw error;
  }
  return {
    brokers,
    topic,
    partitions,
    dispose: async () => {
      try {
        await admin.deleteTopics({ topics: [topic] });
      } finally {
        await admin.disconnect();
      }
    },
  };
}

/** A connected plain producer with our producer's delivery settings (lambda/kafka-producer/kafka-connection.ts). */
export async function connectRawKafkaProducer(brokers: readonly string[]): Promise<Producer> {
  const producer = benchKafka(brokers, 'mq-bench-raw-producer').producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  return producer;
}

/**
 * Sends `messages` values of `size` bytes (no key, no headers) in `send` calls of `chunk` with `acks: -1`, one
 * after the other, and returns acknowledged messages per second: the broker's limit for this client on this machine.
 * With `records`, sends those (built beforehand) instead — to tell what a record's key and headers cost the client
 * from what our producer's own code costs.
 */
export async function measureRawKafka(
  producer: Producer,
  topic: string,
  messages: number,
  size: number,
  records?: readonly Message[],
  chunk = RAW_KAFKA_CHUNK,
): Promise<number> {
  const value = payloadOfSize(size);
  const start = process.hrtime.bigint();
  for (let sent = 0; sent < messages; sent += chunk) {
    const count = Math.min(chunk, messages - sent);
    const batch = records ? records.slice(sent, sent + count) : Array.from({ length: count }, () => ({ value }));
    await producer.send({ topic, acks: -1, messages: batch });
  }
  return perSecond(messages, elapsedMs(start));
}
