import { format } from 'pretty-format';
import { loadStageConfig } from '../../lib/config/stages';
import type { CfnTemplate } from '../../local/cfn-template';
import { readLocalSettings } from '../../local/template-reader';
import { logicalIdOf, synthStage } from './stack-fixture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const assetHashSerializer = require('../support/asset-hash-serializer.js');

/**
 * The synthesized template as others consume it: a snapshot per stage (a safety net that shows every infrastructure
 * change in review, with asset hashes replaced so editing a handler does not churn it; the fine-grained tests in
 * integration-stack.test.ts say what must hold), and the local runtime, which takes its settings from the template
 * so local and cloud cannot drift: the stack must keep giving it everything it reads, under the names it looks for.
 */
describe.each(['dev', 'prod'])('stage %s', (stage) => {
  const s = synthStage(stage, {}, { 'aws:cdk:enable-path-metadata': true });
  const config = loadStageConfig(stage);

  test('template snapshot', () => {
    expect(s.json).toMatchSnapshot();
  });

  test('the snapshot holds no asset hash', () => {
    const printed = format(s.json, { plugins: [assetHashSerializer] });
    expect(JSON.stringify(s.json)).toMatch(/[0-9a-f]{64}/);
    expect(printed).not.toMatch(/[0-9a-f]{64}/);
    expect(printed).toContain('[ASSET_HASH].zip');
  });

  describe('what the local runtime reads', () => {
    const settings = readLocalSettings(s.json as CfnTemplate);

    test('finds the three functions with their timeouts', () => {
      expect(settings.functions.producer).toMatchObject({
        logicalId: logicalIdOf(s, 'Functions/Producer'),
        timeoutSec: 30,
      });
      expect(settings.functions.bridge).toMatchObject({
        logicalId: logicalIdOf(s, 'Functions/Bridge'),
        timeoutSec: 60,
      });
      expect(settings.functions.consumer).toMatchObject({
        logicalId: logicalIdOf(s, 'Functions/Consumer'),
        timeoutSec: 30,
      });
    });

    test('finds the queue, its DLQ and (dev only) the receipts queue', () => {
      expect(settings.sourceQueue).toMatchObject({
        logicalId: logicalIdOf(s, 'Queues/Queue'),
        fifo: false,
        visibilityTimeoutSec: 180,
        messageRetentionSec: 345_600,
      });
      expect(settings.sourceQueue.redrive).toEqual({
        deadLetterLogicalId: logicalIdOf(s, 'Queues/DeadLetterQueue'),
        maxReceiveCount: 5,
      });
      expect(settings.deadLetterQueue.messageRetentionSec).toBe(1_209_600);
      expect(settings.receiptsQueue?.logicalId).toBe(
        stage === 'dev' ? logicalIdOf(s, 'Outcomes/ReceiptsQueue') : undefined,
      );
    });

    test('finds both mappings as deployed', () => {
      expect(settings.rabbitMqMappings[0]).toMatchObject({
        batchSize: 100,
        batchingWindowSec: 0.5,
        queue: 'events.to-sqs',
        vhost: 'integration',
      });
      expect(settings.sqsMapping).toMatchObject({
        batchSize: 10,
        batchingWindowSec: 0,
        maximumConcurrency: stage === 'dev' ? 5 : 20,
        reportBatchItemFailures: true,
      });
    });

    test("finds the consumer's idempotency expiry as a literal the local consumer uses as deployed", () => {
      expect(settings.functions.consumer.environment.IDEMPOTENCY_EXPIRY_SECONDS).toBe('1296000');
    });

    test('finds the topology of the stage config', () => {
      expect(settings.topology).toEqual(JSON.parse(JSON.stringify(config.topology)));
    });
  });
});
