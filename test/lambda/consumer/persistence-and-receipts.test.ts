import { mkdtempSync, appendFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { mockClient } from 'aws-sdk-client-mock';
import { localLambdaContext } from '../../../lambda/consumer/handler';
import { LocalPersistenceLayer } from '../../../lambda/consumer/local-persistence-layer';
import { createSqsReceiptSink, type Receipt } from '../../../lambda/consumer/receipts';

/** Idempotency keyed by `id`, with a context so in-progress records expire as they do in Lambda. */
function config(expiresAfterSeconds = 3600): IdempotencyConfig {
  const result = new IdempotencyConfig({ eventKeyJmesPath: 'id', expiresAfterSeconds });
  result.registerLambdaContext(localLambdaContext(60_000));
  return result;
}

/** An idempotent counter over `store`, keyed by `id`. */
function counter(store: LocalPersistenceLayer, expiresAfterSeconds = 3600) {
  const calls: string[] = [];
  const run = makeIdempotent(
    async (input: { id: string }) => {
      calls.push(input.id);
      return { n: calls.length };
    },
    { persistenceStore: store, config: config(expiresAfterSeconds), dataIndexArgument: 0 },
  );
  return { run, calls };
}

describe('LocalPersistenceLayer', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'idempotency-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a function once per key and replays the stored result', async () => {
    const { run, calls } = counter(new LocalPersistenceLayer());
    expect(await run({ id: 'a' })).toEqual({ n: 1 });
    expect(await run({ id: 'a' })).toEqual({ n: 1 });
    expect(await run({ id: 'b' })).toEqual({ n: 2 });
    expect(calls).toEqual(['a', 'b']);
  });

  it('refuses a concurrent second run while the first is in progress', async () => {
    const store = new LocalPersistenceLayer();
    let release: () => void = () => undefined;
    const slow = makeIdempotent(
      async (input: { id: string }) => new Promise<string>((resolve) => (release = () => resolve(input.id))),
      {
        persistenceStore: store,
        config: config(),
        dataIndexArgument: 0,
      },
    );
    const first = slow({ id: 'a' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(slow({ id: 'a' })).rejects.toThrow(/in progress/);
    release();
    await first;
  });

  it('forgets a key after a failed run, so the retry runs', async () => {
    const store = new LocalPersistenceLayer();
    let fail = true;
    const flaky = makeIdempotent(
      async (input: { id: string }) => {
        if (fail) {
          fail = false;
          throw new Error(`boom on ${input.id}`);
        }
        return 'done';
      },
      { persistenceStore: store, config: config(), dataIndexArgument: 0 },
    );
    await expect(flaky({ id: 'a' })).rejects.toThrow(/boom/);
    expect(await flaky({ id: 'a' })).toBe('done');
  });

  it('runs again once the record has expired', async () => {
    const { run, calls } = counter(new LocalPersistenceLayer(), 1);
    await run({ id: 'a' });
    const now = Date.now();
    const spy = jest.spyOn(Date, 'now').mockReturnValue(now + 5_000);
    try {
      await run({ id: 'a' });
    } finally {
      spy.mockRestore();
    }
    expect(calls).toEqual(['a', 'a']);
  });

  it('survives a restart through its journal file, and tolerates a torn last line', async () => {
    const file = join(dir, 'nested', 'idempotency.jsonl');
    const first = counter(new LocalPersistenceLayer({ filePath: file }));
    await first.run({ id: 'a' });
    appendFileSync(file, '{"key":"torn');
    const restarted = new LocalPersistenceLayer({ filePath: file });
    expect(restarted.size).toBe(1);
    const second = counter(restarted);
    expect(await second.run({ id: 'a' })).toEqual({ n: 1 });
    expect(second.calls).toEqual([]);
    expect(readFileSync(file, 'utf8')).toContain('COMPLETED');
  });
});

describe('createSqsReceiptSink', () => {
  const sqsMock = mockClient(SQSClient);
  afterEach(() => sqsMock.reset());
  const receipt = (id: string): Receipt => ({
    id,
    runId: 'r',
    receivedAt: '2024-05-01T00:00:00.000Z',
    attempt: 1,
    effect: true,
  });

  it('coalesces receipts of one turn into batches of 10', async () => {
    const calls: SendMessageBatchCommandInput[] = [];
    sqsMock.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
      calls.push(input);
      return {
        Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: 'x', MD5OfMessageBody: '' })),
        Failed: [],
      };
    });
    const sink = createSqsReceiptSink({ sqs: new SQSClient({ region: 'us-east-1' }), queueUrl: 'https://q/receipts' });
    await Promise.all(Array.from({ length: 25 }, (_, i) => sink.record(receipt(`m${i}`))));
    expect(calls.map((c) => c.Entries!.length)).toEqual([10, 10, 5]);
    expect(JSON.parse(calls[0].Entries![0].MessageBody!)).toEqual(receipt('m0'));
    expect(calls[0].QueueUrl).toBe('https://q/receipts');
  });

  it('rejects only the receipt SQS refused', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: 'r0', MessageId: 'x', MD5OfMessageBody: '' }],
      Failed: [{ Id: 'r1', SenderFault: false, Code: 'InternalError', Message: 'oops' }],
    });
    const sink = createSqsReceiptSink({ sqs: new SQSClient({ region: 'us-east-1' }), queueUrl: 'q' });
    const results = await Promise.allSettled([sink.record(receipt('a')), sink.record(receipt('b'))]);
    expect(results[0].status).toBe('fulfilled');
    expect(results[1]).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: 'Receipt for b refused by SQS (InternalError: oops)' }),
    });
  });

  it('rejects every receipt of a failed call', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('network down'));
    const sink = createSqsReceiptSink({ sqs: new SQSClient({ region: 'us-east-1' }), queueUrl: 'q' });
    await expect(sink.record(receipt('a'))).rejects.toThrow(/Receipt for a not sent: network down/);
  });
});
