import { referencedLogicalId, type CfnTemplate } from '../../local/cfn-template';
import { readLocalSettings } from '../../local/template-reader';
import fixture from './fixtures/integration-template.json';

const template = fixture as unknown as CfnTemplate;

/** A deep copy of the fixture with one resource's properties changed. */
function withProps(logicalId: string, change: (props: Record<string, unknown>) => void): CfnTemplate {
  const copy = JSON.parse(JSON.stringify(fixture)) as {
    Resources: Record<string, { Properties: Record<string, unknown> }>;
  };
  change(copy.Resources[logicalId].Properties);
  return copy as unknown as CfnTemplate;
}

describe('readLocalSettings', () => {
  const settings = readLocalSettings(template);

  test('identifies the three functions by their aws:cdk:path, ignoring other functions', () => {
    expect(settings.functions.producer.logicalId).toBe('FunctionsProducerAAAA1111');
    expect(settings.functions.bridge.logicalId).toBe('FunctionsBridgeBBBB2222');
    expect(settings.functions.consumer.logicalId).toBe('FunctionsConsumerCCCC3333');
    expect(settings.functions.consumer.timeoutSec).toBe(30);
  });

  test('the source queue is the bridge target, the DLQ its redrive target, receipts the consumer env', () => {
    expect(settings.sourceQueue).toMatchObject({
      logicalId: 'QueuesSourceQueue1A2B3C',
      fifo: false,
      visibilityTimeoutSec: 190,
      redrive: { deadLetterLogicalId: 'QueuesDeadLetterQueue4D5E6F', maxReceiveCount: 3 },
    });
    expect(settings.deadLetterQueue).toMatchObject({
      logicalId: 'QueuesDeadLetterQueue4D5E6F',
      messageRetentionSec: 1209600,
    });
    expect(settings.receiptsQueue?.logicalId).toBe('ReceiptsQueue7A8B9C');
  });

  test('queue defaults are the SQS defaults', () => {
    expect(settings.receiptsQueue).toMatchObject({
      visibilityTimeoutSec: 30,
      messageRetentionSec: 345600,
      fifo: false,
    });
    expect(settings.receiptsQueue?.redrive).toBeUndefined();
  });

  test('reads the RabbitMQ mapping: batch size, window, queue and vhost', () => {
    expect(settings.rabbitMqMappings[0]).toEqual({
      logicalId: 'FunctionsBridgeRabbitMqSourceDDDD',
      batchSize: 50,
      batchingWindowSec: 1,
      queue: 'events.to-sqs',
      vhost: 'integration',
    });
  });

  test('RabbitMQ mapping defaults are Lambda defaults (100 records, 0.5 s, vhost /)', () => {
    const t = withProps('FunctionsBridgeRabbitMqSourceDDDD', (p) => {
      delete p.BatchSize;
      delete p.MaximumBatchingWindowInSeconds;
      p.SourceAccessConfigurations = [];
    });
    expect(readLocalSettings(t).rabbitMqMappings[0]).toMatchObject({
      batchSize: 100,
      batchingWindowSec: 0.5,
      vhost: '/',
    });
  });

  test('reads the SQS mapping: batch size, concurrency, partial batch responses', () => {
    expect(settings.sqsMapping).toEqual({
      logicalId: 'FunctionsConsumerSqsSourceFFFF',
      queueLogicalId: 'QueuesSourceQueue1A2B3C',
      batchSize: 10,
      batchingWindowSec: 0,
      maximumConcurrency: 5,
      reportBatchItemFailures: true,
    });
  });

  test('an SQS mapping without ScalingConfig or response types reads as uncapped, whole-batch', () => {
    const t = withProps('FunctionsConsumerSqsSourceFFFF', (p) => {
      delete p.ScalingConfig;
      delete p.FunctionResponseTypes;
    });
    expect(readLocalSettings(t).sqsMapping).toMatchObject({
      maximumConcurrency: undefined,
      reportBatchItemFailures: false,
    });
  });

  test("fail-fast follows the consumer's SOURCE_QUEUE_URL: on when it names the source queue, off when absent", () => {
    expect(settings.consumerFailFast).toBe(true);
    const without = withProps('FunctionsConsumerCCCC3333', (p) => {
      delete (p.Environment as { Variables: Record<string, unknown> }).Variables.SOURCE_QUEUE_URL;
    });
    expect(readLocalSettings(without).consumerFailFast).toBe(false);
  });

  test('refuses a consumer SOURCE_QUEUE_URL that names another queue than the one it reads', () => {
    const t = withProps('FunctionsConsumerCCCC3333', (p) => {
      (p.Environment as { Variables: Record<string, unknown> }).Variables.SOURCE_QUEUE_URL = {
        Ref: 'ReceiptsQueue7A8B9C',
      };
    });
    expect(() => readLocalSettings(t)).toThrow(
      /SOURCE_QUEUE_URL references ReceiptsQueue7A8B9C, not the queue it reads \(QueuesSourceQueue1A2B3C\)/,
    );
  });

  test('parses the topology JSON of the custom resource', () => {
    expect(settings.topology.vhost).toBe('integration');
    expect(settings.topology.sourceQueues).toEqual(['events.to-sqs']);
    expect(settings.topology.users.map((u) => u.name)).toEqual(['producer', 'event-source']);
  });

  test('refuses a template without path metadata, saying how to synthesize', () => {
    const copy = JSON.parse(JSON.stringify(fixture)) as { Resources: Record<string, { Metadata?: unknown }> };
    delete copy.Resources.FunctionsBridgeBBBB2222.Metadata;
    expect(() => readLocalSettings(copy as unknown as CfnTemplate)).toThrow(
      /ends in \/Bridge\/Resource, found 0.*enable-path-metadata/,
    );
  });

  test('refuses a source queue without a redrive policy', () => {
    const t = withProps('QueuesSourceQueue1A2B3C', (p) => delete p.RedrivePolicy);
    expect(() => readLocalSettings(t)).toThrow(/QueuesSourceQueue1A2B3C has no RedrivePolicy/);
  });

  test('refuses a non-literal visibility timeout, naming the field and value', () => {
    const t = withProps('QueuesSourceQueue1A2B3C', (p) => (p.VisibilityTimeout = { Ref: 'X' }));
    expect(() => readLocalSettings(t)).toThrow(
      /QueuesSourceQueue1A2B3C.VisibilityTimeout must be a literal number.*Ref/,
    );
  });

  test('refuses a topology that is not JSON or lacks fields', () => {
    const notJson = withProps('TopologyResource1234', (p) => (p.Topology = '{oops'));
    expect(() => readLocalSettings(notJson)).toThrow(/TopologyResource1234.Topology is not valid JSON/);
    const partial = withProps('TopologyResource1234', (p) => (p.Topology = { vhost: 'v' }));
    expect(() => readLocalSettings(partial)).toThrow(/Topology lacks exchanges, queues/);
  });
});

describe('referencedLogicalId', () => {
  test.each([
    [{ Ref: 'A' }, 'A'],
    [{ 'Fn::GetAtt': ['B', 'Arn'] }, 'B'],
    [{ 'Fn::GetAtt': 'C.Arn' }, 'C'],
    ['literal', undefined],
    [{ 'Fn::Join': ['', []] }, undefined],
  ])('%j -> %s', (value, expected) => {
    expect(referencedLogicalId(value)).toBe(expected);
  });
});
