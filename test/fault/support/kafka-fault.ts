import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from '../../../local/cfn-template';
import { startKafkaPipeline, type KafkaPipeline } from '../../../local/kafka/kafka-pipeline';
import { readKafkaSettings } from '../../../local/kafka/kafka-template-reader';
import { readLocalSettings } from '../../../local/template-reader';
import { startPrivateKafka, type PrivateKafka } from './private-kafka';

/**
 * What every Kafka fault test shares: the committed Kafka template's settings, a private Kafka broker per test and the
 * local Kafka pipeline on it, both stopped after each test (registered by `useKafkaFaultPipeline`).
 */

const template = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'local', 'fixtures', 'kafka-template.json'), 'utf8'),
) as CfnTemplate;
const settings = readLocalSettings(template);
const kafkaSettings = readKafkaSettings(template);

let broker: PrivateKafka | undefined;
let pipeline: KafkaPipeline | undefined;

/** Registers the cleanup after each test; call once at the top of a test file. */
export function useKafkaFaultPipeline(): void {
  afterEach(async () => {
    await pipeline?.stop();
    await broker?.destroy();
    pipeline = undefined;
    broker = undefined;
  });
}

/** A private Kafka broker and the local Kafka pipeline on it (time scaled down), stopped after the test. */
export async function startKafkaFault(
  options: Partial<Parameters<typeof startKafkaPipeline>[0]> = {},
  partitions = 3,
): Promise<{ pipeline: KafkaPipeline; broker: PrivateKafka }> {
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
  return { pipeline, broker };
}
