import '../lambda/support/quiet';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from '../../local/cfn-template';
import { ensureLocalKafka } from '../../local/kafka/kafka-command';
import { startKafkaPipeline, type KafkaPipeline } from '../../local/kafka/kafka-pipeline';
import { readKafkaSettings } from '../../local/kafka/kafka-template-reader';
import { readLocalSettings } from '../../local/template-reader';

/**
 * A client we did not write (Debian's kcat, librdkafka) produces into the local topic on the project's real Kafka
 * broker, and the pipeline (MSK event-source emulator → Kafka bridge → SQS → consumer) delivers the message.
 */

jest.setTimeout(180_000);

const template = JSON.parse(
  readFileSync(path.join(__dirname, '..', 'local', 'fixtures', 'kafka-template.json'), 'utf8'),
) as CfnTemplate;
let pipeline: KafkaPipeline | undefined;
afterAll(async () => pipeline?.stop());

test('kcat produces a contract message with its id header; the pipeline delivers it once', async () => {
  ensureLocalKafka(() => undefined);
  pipeline = await startKafkaPipeline({
    settings: readLocalSettings(template),
    kafka: readKafkaSettings(template),
    brokers: ['127.0.0.1:9092'],
    timeScale: 0.01,
    isolated: true,
  });
  const id = randomUUID();
  const message = JSON.stringify({
    id,
    type: 'kcat.event',
    payload: { from: 'kcat' },
    createdAt: new Date().toISOString(),
    correlationId: id,
  });
  execFileSync(
    'kcat',
    [
      '-P',
      '-b',
      '127.0.0.1:9092',
      '-t',
      pipeline.topic,
      '-k',
      id,
      '-H',
      `message-id=${id}`,
      '-H',
      'content-type=application/json',
    ],
    { input: `${message}\n`, timeout: 30_000 },
  );
  const deadline = Date.now() + 120_000;
  while (pipeline.effects.get(id) === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(pipeline.effects.get(id)).toBe(1);
  expect(pipeline.kafkaSource.statistics.sentToOnFailure).toBe(0);
});
