import '../lambda/support/quiet';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { SendMessageBatchCommand, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { Kafka, logLevel } from 'kafkajs';
import type { CfnTemplate } from '../../local/cfn-template';
import { startKafkaPipeline, type KafkaPipeline } from '../../local/kafka/kafka-pipeline';
import { readKafkaSettings } from '../../local/kafka/kafka-template-reader';
import { runLocalVerification, type VerifiablePipeline } from '../../local/local-run';
import { readLocalSettings } from '../../local/template-reader';
import { startPrivateKafka, type PrivateKafka } from './support/private-kafka';

/**
 * Kafka's failure paths, each on a private Kafka broker, counting every message with the shared accounting:
 * a broker killed (-9) and restarted mid-flow, SQS refusing part of a bridge batch, and a record the bridge can never
 * forward, which must reach the on-failure destination while its partition keeps flowing.
 */

jest.setTimeout(480_000);

const template = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'local', 'fixtures', 'kafka-template.json'), 'utf8'),
) as CfnTemplate;
const settings = readLocalSettings(template);
const kafkaSettings = readKafkaSettings(template);

let broker: PrivateKafka | undefined;
let pipeline: KafkaPipeline | undefined;
afterEach(async () => {
  await pipeline?.stop();
  await broker?.destroy();
  pipeline = undefined;
  broker = undefined;
});

async function start(options: Partial<Parameters<typeof startKafkaPipeline>[0]> = {}, partitions = 3) {
  broker = await startPrivateKafka();
  pipeline = await startKafkaPipeline({
    settings,
    kafka: { ...kafkaSettings, topic: { ...kafkaSettings.topic, partitions } },
    brokers: broker.brokers,
    timeScale: 0.01,
    retryDelayMs: 10,
    isolated: true,
    ...options,
  });
  return pipeline;
}

test('kill -9 of the broker mid-flow and a restart: nothing acknowledged is lost', async () => {
  const p = await start();
  const b = broker!;
  let invocation = 0;
  const verifiable: VerifiablePipeline = {
    ...p,
    // Half the messages, then the broker dies while the bridge is still reading them, then the other half.
    producer: async (event) => {
      invocation += 1;
      const first = await p.producer({ ...event, count: 150, poison: 0 });
      b.kill();
      await new Promise((r) => setTimeout(r, 500));
      await b.start();
      const second = await p.producer({ ...event, count: (event.count ?? 0) - 150 });
      return {
        ids: [...first.ids, ...second.ids],
        poisonIds: [...first.poisonIds, ...second.poisonIds],
        failed: [...first.failed, ...second.failed],
      };
    },
  };
  const result = await runLocalVerification(verifiable, { messages: 300, poison: 3, drainTimeoutMs: 120_000 });
  expect(invocation).toBe(1);
  expect(result.report).toMatchObject({ lost: 0, deadLettered: 3, passed: true });
  // Whatever the producer could not get acknowledged while the broker was down does not count as sent.
  expect(result.report.delivered + result.producerFailures.filter((f) => !f.poison).length).toBe(300);
});

test('SQS refusing part of a bridge batch: retried from the failed record, duplicates absorbed by the consumer', async () => {
  let refused = 0;
  const seen = new Set<string>();
  const p = await start({
    bridgeSqs: (client) => ({
      send: async (command: SendMessageBatchCommand) => {
        // Every fifth entry is refused the first time SQS sees it (a sender fault: the bridge does not retry it).
        const entries = command.input.Entries ?? [];
        const refuse = entries.filter((e, i) => {
          const id = e.MessageAttributes?.['amqp.message-id']?.StringValue ?? '';
          const first = !seen.has(id);
          seen.add(id);
          return first && i % 5 === 0;
        });
        if (refuse.length === 0) return client.send(command);
        refused += refuse.length;
        command.input.Entries = entries.filter((e) => !refuse.includes(e));
        const out: SendMessageBatchCommandOutput =
          command.input.Entries.length > 0 ? await client.send(command) : { $metadata: {}, Successful: [], Failed: [] };
        return {
          ...out,
          Failed: [
            ...(out.Failed ?? []),
            ...refuse.map((e) => ({
              Id: e.Id,
              SenderFault: true,
              Code: 'InjectedRefusal',
              Message: 'refused by the fault test',
            })),
          ],
        };
      },
    }),
  });
  const result = await runLocalVerification(p, { messages: 300, poison: 0, drainTimeoutMs: 120_000 });
  expect(refused).toBeGreaterThan(0);
  expect(p.kafkaSource.statistics.failedInvocations).toBeGreaterThan(0);
  expect(result.report).toMatchObject({ confirmed: 300, delivered: 300, effects: 300, lost: 0, passed: true });
  expect(p.kafkaSource.statistics.sentToOnFailure).toBe(0);
});

test('a record the bridge can never forward reaches the on-failure destination while its partition keeps flowing', async () => {
  // One partition: the bad record sits in the middle of the good ones' partition.
  const p = await start({}, 1);
  const admin = new Kafka({ brokers: broker!.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.alterConfigs({
    validateOnly: false,
    resources: [{ type: 2, name: p.topic, configEntries: [{ name: 'max.message.bytes', value: '3000000' }] }],
  });
  await admin.disconnect();
  const raw = new Kafka({ brokers: broker!.brokers, logLevel: logLevel.NOTHING }).producer();
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
