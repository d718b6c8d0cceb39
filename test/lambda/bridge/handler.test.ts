import '../support/quiet';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createBridgeHandler } from '../../../lambda/bridge/handler';
import { mapWithConcurrency } from '../../../lambda/bridge/forward';
import { ForwardingError } from '../../../lambda/shared/errors';
import { messageRecord, rabbitEvent, rabbitRecord } from '../support/events';

const sqsMock = mockClient(SQSClient);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/target';

type Answer = (input: SendMessageBatchCommandInput) => {
  Failed?: { Id: string; SenderFault: boolean; Code: string; Message: string }[];
};

/** Answers SendMessageBatch like SQS, optionally failing some entries, and measures concurrency. */
function fakeSqs(answer: Answer = () => ({}), delayMs = 0) {
  const state = { calls: [] as SendMessageBatchCommandInput[], inFlight: 0, maxInFlight: 0 };
  sqsMock.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
    state.calls.push(input);
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    state.inFlight--;
    const failed = answer(input).Failed ?? [];
    const failedIds = new Set(failed.map((f) => f.Id));
    return {
      Successful: input
        .Entries!.filter((e) => !failedIds.has(e.Id!))
        .map((e) => ({ Id: e.Id, MessageId: `sqs-${e.Id}`, MD5OfMessageBody: '' })),
      Failed: failed,
    };
  });
  return state;
}

const bridge = (queueUrl = QUEUE, parallelism = 4) =>
  createBridgeHandler({ sqs: new SQSClient({ region: 'us-east-1' }), config: { queueUrl, parallelism } });

const records = (n: number) => Array.from({ length: n }, (_, i) => messageRecord(`m${i}`));

beforeEach(() => sqsMock.reset());

describe('createBridgeHandler', () => {
  it('makes no call for an empty batch', async () => {
    const sqs = fakeSqs();
    expect(await bridge()(rabbitEvent([]))).toEqual({ received: 0, forwarded: 0, wrapped: 0, invalid: 0, requests: 0 });
    expect(sqs.calls).toHaveLength(0);
  });

  it('forwards a 10,000-record batch in 1,000 calls of 10 with bounded parallelism', async () => {
    const sqs = fakeSqs(() => ({}), 1);
    const result = await bridge(QUEUE, 3)(rabbitEvent(records(10_000)));
    expect(result).toMatchObject({ received: 10_000, forwarded: 10_000, requests: 1_000 });
    expect(sqs.calls).toHaveLength(1_000);
    expect(sqs.calls.every((c) => c.Entries!.length === 10 && c.QueueUrl === QUEUE)).toBe(true);
    expect(sqs.maxInFlight).toBe(3);
    const ids = sqs.calls.flatMap((c) => c.Entries!.map((e) => e.MessageAttributes!['amqp.message-id'].StringValue));
    expect(new Set(ids).size).toBe(10_000);
  });

  it('throws listing the entry SQS rejected, after forwarding the rest', async () => {
    const sqs = fakeSqs((input) =>
      input.Entries!.some((e) => e.MessageAttributes!['amqp.message-id'].StringValue === 'm13')
        ? {
            Failed: [
              { Id: 'e3', SenderFault: true, Code: 'InvalidMessageContents', Message: 'Invalid characters found' },
            ],
          }
        : {},
    );
    const error = await bridge()(rabbitEvent(records(25))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForwardingError);
    expect((error as ForwardingError).message).toMatch(
      /SQS did not accept 1 of 25 records: m13 \(InvalidMessageContents: Invalid characters found\)/,
    );
    expect((error as ForwardingError).failures.map((f) => f.id)).toEqual(['m13']);
    expect(sqs.calls.map((c) => c.Entries!.length)).toEqual([10, 10, 5]);
  });

  it('retries entries SQS failed on its side and succeeds', async () => {
    let failedOnce = false;
    const sqs = fakeSqs(() => {
      if (failedOnce) return {};
      failedOnce = true;
      return { Failed: [{ Id: 'e0', SenderFault: false, Code: 'InternalError', Message: 'try again' }] };
    });
    const handler = createBridgeHandler({
      sqs: new SQSClient({ region: 'us-east-1' }),
      config: { queueUrl: QUEUE, parallelism: 1 },
    });
    expect(await handler(rabbitEvent(records(3)))).toMatchObject({ forwarded: 3 });
    expect(sqs.calls.map((c) => c.Entries!.length)).toEqual([3, 1]);
  });

  it('gives up on a server-side failure after the attempts and throws', async () => {
    const sqs = fakeSqs(() => ({
      Failed: [{ Id: 'e1', SenderFault: false, Code: 'ServiceUnavailable', Message: 'busy' }],
    }));
    const handler = createBridgeHandler({
      sqs: new SQSClient({ region: 'us-east-1' }),
      config: { queueUrl: QUEUE, maxAttempts: 2 },
    });
    await expect(handler(rabbitEvent(records(2)))).rejects.toThrow(
      /SQS did not accept 1 of 2 records: m1 \(ServiceUnavailable: busy\)/,
    );
    expect(sqs.calls).toHaveLength(2);
  });

  it('throws listing every id of a call that failed after the SDK retries', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(bridge()(rabbitEvent(records(2)))).rejects.toThrow(
      /SQS did not accept 2 of 2 records: m0 \(AccessDenied: not authorized\); m1/,
    );
  });

  it('treats an entry SQS did not answer for as not forwarded', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolves({ Successful: [{ Id: 'e0', MessageId: 'x', MD5OfMessageBody: '' }], Failed: [] });
    await expect(bridge()(rabbitEvent(records(2)))).rejects.toThrow(
      /m1 \(NoAnswer: SQS reported neither success nor failure\)/,
    );
  });

  it('forwards the good records and throws for one SQS cannot carry (oversized), so the broker keeps it', async () => {
    const sqs = fakeSqs();
    const event = rabbitEvent([
      messageRecord('ok-1'),
      rabbitRecord('x'.repeat(1_100_000), { messageId: 'big-1' }),
      messageRecord('ok-2'),
    ]);
    await expect(bridge()(event)).rejects.toThrow(/SQS did not accept 1 of 3 records: big-1 \(Oversized: /);
    expect(
      sqs.calls.flatMap((c) => c.Entries!.map((e) => e.MessageAttributes!['amqp.message-id'].StringValue)),
    ).toEqual(['ok-1', 'ok-2']);
  });

  it('counts wrapped and invalid records', async () => {
    fakeSqs();
    const event = rabbitEvent([messageRecord('ok'), rabbitRecord(Buffer.from([0xff])), rabbitRecord('nope')]);
    expect(await bridge()(event)).toEqual({ received: 3, forwarded: 3, wrapped: 1, invalid: 2, requests: 1 });
  });

  it('refuses an event that is not from a RabbitMQ event source', async () => {
    await expect(bridge()({} as never)).rejects.toThrow(/rmqMessagesByQueue is undefined/);
  });
});

describe('mapWithConcurrency', () => {
  it.each([
    [0, 3],
    [5, 1],
    [5, 10],
  ])('runs %p items with limit %p in order', async (n, limit) => {
    const items = Array.from({ length: n }, (_, i) => i);
    expect(await mapWithConcurrency(items, limit, async (i) => i * 2)).toEqual(items.map((i) => i * 2));
  });
});
