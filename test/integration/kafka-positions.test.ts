import '../lambda/support/quiet';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { createKafkaProducerHandler } from '../../lambda/kafka-producer/handler';
import { createKafkaProducerSource } from '../../lambda/kafka-producer/kafka-connection';
import { ensureLocalKafka } from '../../local/kafka/kafka-command';
import { positionsOfRuns } from '../../verify/kafka-on-failure';
import { quietLogger } from '../lambda/support/quiet';

/**
 * The positions the Kafka producer answers (what `npm run verify -- --source kafka` maps on-failure offset ranges
 * back to ids with) are where the real broker put the records: read back from the topic, every offset holds the id
 * the answer says, across partitions and several produce calls.
 */

jest.setTimeout(120_000);

const BROKERS = ['127.0.0.1:9092'];
const metrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };
const kafka = new Kafka({ clientId: 'kafka-positions-test', brokers: BROKERS, logLevel: logLevel.NOTHING });
const connection = createKafkaProducerSource({
  brokers: BROKERS,
  clientId: 'kafka-positions-test',
  logger: quietLogger,
});
afterAll(async () => connection.close());

test('every reported (partition, offset) holds the id the producer answered', async () => {
  ensureLocalKafka(() => undefined);
  const topic = `positions-${randomBytes(4).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });

  const handler = createKafkaProducerHandler({
    connection,
    config: { topic, chunkSize: 25 },
    logger: quietLogger,
    metrics,
  });
  const answers = [
    await handler({ count: 60, poison: 3, runId: 'positions' }),
    await handler({ count: 40, runId: 'positions' }),
  ];
  const positions = answers.flatMap((a) => positionsOfRuns(a.positions));
  expect(positions).toHaveLength(103);
  expect(new Set(positions.map((p) => p.id))).toEqual(new Set(answers.flatMap((a) => [...a.ids, ...a.poisonIds])));
  expect(new Set(positions.map((p) => p.partition)).size).toBe(3);

  const stored = new Map<string, string>();
  const consumer = kafka.consumer({ groupId: `${topic}-reader` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      stored.set(`${partition}/${message.offset}`, String(message.headers?.['message-id']));
    },
  });
  const deadline = Date.now() + 60_000;
  while (stored.size < 103 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await consumer.disconnect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();

  expect(stored.size).toBe(103);
  for (const p of positions)
    expect(`${p.partition}/${p.offset}=${stored.get(`${p.partition}/${p.offset}`)}`).toBe(
      `${p.partition}/${p.offset}=${p.id}`,
    );
});
