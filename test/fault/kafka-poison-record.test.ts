import '../lambda/support/quiet';
import { Kafka, logLevel } from 'kafkajs';
import { runLocalVerification, type VerifiablePipeline } from '../../local/local-run';
import { startKafkaFault, useKafkaFaultPipeline } from './support/kafka-fault';

/**
 * A record the Kafka bridge can never forward reaches the on-failure destination while its partition keeps flowing. On a private Kafka broker
 * (test/fault/support/kafka-fault.ts); one scenario per file, so the Kafka fault tests run side by side.
 */

jest.setTimeout(300_000);
useKafkaFaultPipeline();

test('a record the bridge can never forward reaches the on-failure destination while its partition keeps flowing', async () => {
  // One partition: the bad record sits in the middle of the good ones' partition.
  const { pipeline: p, broker: b } = await startKafkaFault({}, 1);
  const admin = new Kafka({ brokers: b.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: 2, name: p.topic, configEntries: [{ name: 'max.message.bytes', value: '3000000' }] }],
  });
  await admin.disconnect();
  const raw = new Kafka({ brokers: b.brokers, logLevel: logLevel.NOTHING }).producer();
  await raw.connect();
  // Larger than an SQS message can ever be: the bridge reports it failed on every attempt.
  await raw.send({
    topic: p.topic,
    acks: -1,
    messages: [{ key: 'too-big', value: 'x'.repeat(1_100_000), headers: { 'message-id': 'too-big' } }],
  });
  await raw.disconnect();

  let onFailure: string[] = [];
  const verifiable: VerifiablePipeline = {
    ...p,
    deadLetters: {
      drain: async (ids) => {
        const found = await p.deadLetters.drain(new Set([...ids, 'too-big']));
        onFailure = [...onFailure, ...found.filter((d) => d.id === 'too-big').map((d) => d.id!)];
        return found.filter((d) => d.id !== undefined && ids.has(d.id));
      },
    },
  };
  const result = await runLocalVerification(verifiable, { messages: 200, poison: 5, drainTimeoutMs: 120_000 });
  expect(onFailure).toEqual(['too-big']);
  expect(p.kafkaSource.statistics.sentToOnFailure).toBe(1);
  // Everything after it on the same partition was delivered; the schema-invalid poison went to the SQS DLQ.
  expect(result.report).toMatchObject({ delivered: 200, effects: 200, deadLettered: 5, lost: 0, passed: true });
  expect(result.report.deadLetteredByQueue).toMatchObject({ sqs: 5 });
});
