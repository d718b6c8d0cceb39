import { Partitioners, type ProducerConfig } from 'kafkajs';
import { createKafkaProducerSource } from '../../../lambda/kafka-producer/kafka-connection';
import { recordingPartitioner } from '../../../lambda/kafka-producer/record-positions';

/**
 * The Kafka producer names kafkajs's DefaultPartitioner so a key lands on the partition Kafka's Java client (and its
 * console producer) would choose: murmur2 of the key bytes, made positive, modulo the partition count.
 */

const producerConfigs: ProducerConfig[] = [];
jest.mock('kafkajs', () => {
  const actual = jest.requireActual('kafkajs');
  return {
    ...actual,
    Kafka: class {
      producer(config: ProducerConfig) {
        producerConfigs.push(config);
        return { connect: async () => undefined };
      }
    },
  };
});

const partitionMetadata = [0, 1, 2].map((partitionId) => ({
  partitionId,
  leader: 0,
  partitionErrorCode: 0,
  replicas: [0],
  isr: [0],
}));
const partitionOf = (key: string) =>
  Partitioners.DefaultPartitioner()({ topic: 'events', partitionMetadata, message: { key, value: 'v' } });

test("DefaultPartitioner matches the Java client's murmur2 on a vector from Kafka's own tests", () => {
  // org.apache.kafka.common.utils.UtilsTest: murmur2("21".getBytes()) == -973932308.
  expect(partitionOf('21')).toBe((-973932308 & 0x7fffffff) % 3);
});

test('the producer is idempotent, keyed by DefaultPartitioner (noting partitions), and never creates topics', async () => {
  await createKafkaProducerSource({ brokers: ['127.0.0.1:9092'], clientId: 'test' }).producer();
  expect(producerConfigs).toEqual([
    expect.objectContaining({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      // DefaultPartitioner's choices, noted for the answer's positions (record-positions.test.ts: same choices).
      createPartitioner: recordingPartitioner,
    }),
  ]);
});
