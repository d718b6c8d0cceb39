import '../support/quiet';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import {
  createConsumerHandler,
  localLambdaContext,
  type ConsumerDependencies,
  type Receipt,
} from '../../../lambda/consumer/handler';
import { LocalPersistenceLayer } from '../../../lambda/consumer/local-persistence-layer';
import type { Message } from '../../../lambda/shared/message';
import { encodeMessage } from '../../../lambda/shared/message';
import { sampleMessage } from '../support/events';
import { sqsRecordFor } from '../support/sqs-records';

const event = (records: SQSRecord[]): SQSEvent => ({ Records: records });
const recordOf = (message: Message, receiveCount = 1, messageId?: string) =>
  sqsRecordFor({ MessageBody: encodeMessage(message) }, { receiveCount, messageId });

function consumer(overrides: Partial<ConsumerDependencies> = {}) {
  const receipts: Receipt[] = [];
  const effects: string[] = [];
  const warnings: Record<string, unknown>[] = [];
  const handler = createConsumerHandler({
    processMessage: async () => ({ ok: true }),
    persistenceStore: new LocalPersistenceLayer(),
    outcomes: { record: async (receipt) => void receipts.push(receipt) },
    onEffect: (message) => effects.push(message.id),
    now: () => new Date('2024-05-01T12:00:01.000Z'),
    logger: {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (_m, a) => void warnings.push(a ?? {}),
    },
    ...overrides,
  });
  return { handler, receipts, effects, warnings };
}

describe('createConsumerHandler', () => {
  it('returns no failures for an empty batch', async () => {
    expect(await consumer().handler(event([]))).toEqual({ batchItemFailures: [] });
  });

  it('processes valid messages once each and records a receipt per delivery', async () => {
    const { handler, receipts, effects } = consumer();
    const response = await handler(event([recordOf(sampleMessage('a')), recordOf(sampleMessage('b'), 3)]));
    expect(response).toEqual({ batchItemFailures: [] });
    expect(effects.sort()).toEqual(['a', 'b']);
    expect(receipts).toEqual(
      expect.arrayContaining([
        {
          id: 'a',
          runId: 'run-1',
          receivedAt: '2024-05-01T12:00:01.000Z',
          attempt: 1,
          effect: true,
          effectId: expect.any(String),
        },
        {
          id: 'b',
          runId: 'run-1',
          receivedAt: '2024-05-01T12:00:01.000Z',
          attempt: 3,
          effect: true,
          effectId: expect.any(String),
        },
      ]),
    );
  });

  it('passes the delivery context to the processing function', async () => {
    const seen: unknown[] = [];
    const { handler } = consumer({ processMessage: async (message, context) => void seen.push([message.id, context]) });
    const record = sqsRecordFor(
      {
        MessageBody: encodeMessage(sampleMessage('a')),
        MessageAttributes: { 'amqp.headers': { DataType: 'String', StringValue: '{"h":1}' } },
      },
      { messageId: 'sqs-a', receiveCount: 2 },
    );
    await handler(event([record]));
    expect(seen).toEqual([
      ['a', { sqsMessageId: 'sqs-a', attempt: 2, receivedAt: '2024-05-01T12:00:01.000Z', headers: { h: 1 } }],
    ]);
  });

  it('absorbs a redelivered message: one effect, a receipt per delivery saying which one had the effect', async () => {
    const { handler, receipts, effects } = consumer();
    await handler(event([recordOf(sampleMessage('a'), 1, 'sqs-1')]));
    await handler(event([recordOf(sampleMessage('a'), 2, 'sqs-1')]));
    // The bridge may forward it again as a new SQS message (RabbitMQ redelivered the batch).
    await handler(event([recordOf(sampleMessage('a'), 1, 'sqs-2')]));
    expect(effects).toEqual(['a']);
    expect(receipts.map((r) => [r.attempt, r.effect])).toEqual([
      [1, true],
      [2, false],
      [1, false],
    ]);
  });

  it('fails the second copy of a message in the same batch while the first is in progress, then absorbs it', async () => {
    const { handler, effects } = consumer();
    const first = await handler(event([recordOf(sampleMessage('a'), 1, 'x1'), recordOf(sampleMessage('a'), 1, 'x2')]));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'x2' }]);
    expect(await handler(event([recordOf(sampleMessage('a'), 2, 'x2')]))).toEqual({ batchItemFailures: [] });
    expect(effects).toEqual(['a']);
  });

  it('reports only the record whose processing threw, and retries it later with effect', async () => {
    let failNext = true;
    const { handler, effects } = consumer({
      processMessage: async (message) => {
        if (message.id === 'b' && failNext) {
          failNext = false;
          throw new Error('downstream unavailable');
        }
        return null;
      },
    });
    const first = await handler(event([recordOf(sampleMessage('a'), 1, 'sa'), recordOf(sampleMessage('b'), 1, 'sb')]));
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'sb' }] });
    expect(await handler(event([recordOf(sampleMessage('b'), 2, 'sb')]))).toEqual({ batchItemFailures: [] });
    expect(effects.sort()).toEqual(['a', 'b']);
  });

  it('reports invalid records with the reason and keeps the good ones', async () => {
    const { handler, effects, warnings } = consumer();
    const bad = sqsRecordFor({ MessageBody: '{"id":"p","type":"poison"}' }, { messageId: 'bad' });
    const response = await handler(event([recordOf(sampleMessage('good'), 1, 'good'), bad]));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    expect(effects).toEqual(['good']);
    expect(warnings).toContainEqual(
      expect.objectContaining({
        sqsMessageId: 'bad',
        reason: 'schema-invalid',
        detail: expect.stringMatching(/payload is missing/),
      }),
    );
  });

  it('answers an all-invalid batch with every record, without throwing', async () => {
    const { handler } = consumer();
    const records = [
      sqsRecordFor({ MessageBody: 'x' }, { messageId: 'a' }),
      sqsRecordFor({ MessageBody: 'y' }, { messageId: 'b' }),
    ];
    expect(await handler(event(records))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }],
    });
  });

  it('fails a record whose receipt could not be stored; the retry records it without a second effect', async () => {
    let refuse = true;
    const receipts: [string, boolean][] = [];
    const { handler, effects } = consumer({
      outcomes: {
        record: async (receipt) => {
          if (refuse) {
            refuse = false;
            throw new Error('receipts queue unavailable');
          }
          receipts.push([receipt.id, receipt.effect]);
        },
      },
    });
    expect(await handler(event([recordOf(sampleMessage('a'), 1, 's')]))).toEqual({
      batchItemFailures: [{ itemIdentifier: 's' }],
    });
    expect(await handler(event([recordOf(sampleMessage('a'), 2, 's')]))).toEqual({ batchItemFailures: [] });
    expect(effects).toEqual(['a']);
    // The effect's own receipt was lost; the retry is a duplicate and says so (verify names such ids).
    expect(receipts).toEqual([['a', false]]);
  });

  it('accepts a real Lambda context', async () => {
    const { handler, effects } = consumer();
    await handler(event([recordOf(sampleMessage('a'))]), localLambdaContext(5_000));
    expect(effects).toEqual(['a']);
  });

  it('works with the DynamoDB persistence layer used in AWS (conditional put → duplicate)', async () => {
    const ddb = mockClient(DynamoDBClient);
    ddb.on(PutItemCommand).resolvesOnce({});
    ddb.on(UpdateItemCommand).resolves({});
    const store = new DynamoDBPersistenceLayer({
      tableName: 'idempotency',
      awsSdkV3Client: new DynamoDBClient({ region: 'us-east-1' }),
    });
    const { handler, effects, receipts } = consumer({ persistenceStore: store });
    await handler(event([recordOf(sampleMessage('a'), 1, 's1')]));
    const put = ddb.commandCalls(PutItemCommand)[0].args[0].input;
    expect(put).toMatchObject({
      TableName: 'idempotency',
      ConditionExpression: expect.stringContaining('attribute_not_exists(#id)'),
    });
    // The record now exists: DynamoDB refuses the conditional put and returns it.
    ddb.on(PutItemCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'conditional check failed',
        $metadata: {},
        Item: {
          id: { S: put!.Item!.id.S! },
          status: { S: 'COMPLETED' },
          expiration: { N: String(Math.floor(Date.now() / 1000) + 3600) },
          data: { M: { ok: { BOOL: true } } },
        },
      }),
    );
    await handler(event([recordOf(sampleMessage('a'), 2, 's1')]));
    expect(effects).toEqual(['a']);
    expect(receipts).toHaveLength(2);
    ddb.restore();
  });

  it.each([
    ['the configured expiry', 15 * 86_400, 15 * 86_400],
    ['29 days when none is configured', undefined, 29 * 86_400],
  ])('writes %s into the TTL attribute DynamoDB expires records by', async (_name, configured, expected) => {
    const ddb = mockClient(DynamoDBClient);
    ddb.on(PutItemCommand).resolves({});
    ddb.on(UpdateItemCommand).resolves({});
    const store = new DynamoDBPersistenceLayer({
      tableName: 'idempotency',
      awsSdkV3Client: new DynamoDBClient({ region: 'us-east-1' }),
    });
    const { handler } = consumer({ persistenceStore: store, idempotencyExpirySeconds: configured });
    const before = Math.floor(Date.now() / 1000);
    await handler(event([recordOf(sampleMessage('a'))]));
    const after = Math.ceil(Date.now() / 1000);
    const completed = ddb.commandCalls(UpdateItemCommand)[0].args[0].input;
    // The table's TTL attribute (IDEMPOTENCY_TTL_ATTRIBUTE in lib/constructs/consumer-outcomes.ts).
    expect(completed.ExpressionAttributeNames?.['#expiry']).toBe('expiration');
    const expiration = Number(completed.ExpressionAttributeValues?.[':expiry']?.N);
    expect(expiration).toBeGreaterThanOrEqual(before + expected);
    expect(expiration).toBeLessThanOrEqual(after + expected);
    ddb.restore();
  });
});
