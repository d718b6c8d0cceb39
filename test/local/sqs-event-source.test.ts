import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { createSqsFailFast } from '../../lambda/consumer/fail-fast';
import { startSqsEmulator, type InProcessSqsEmulator } from '../../local/sqs-emulator';
import { SqsEventSource, type SqsEventSourceOptions } from '../../local/sqs-event-source';
import { waitFor } from './support/broker';

describe('SqsEventSource (embedded SQS emulator)', () => {
  let sqs: InProcessSqsEmulator;
  let queueUrl: string;
  let queueArn: string;
  let source: SqsEventSource | undefined;
  let queueCounter = 0;

  beforeAll(async () => {
    sqs = await startSqsEmulator();
  });
  afterAll(async () => {
    await sqs.stop();
  });

  beforeEach(async () => {
    queueCounter += 1;
    const dlq = await sqs.client.send(new CreateQueueCommand({ QueueName: `dlq-${queueCounter}` }));
    const dlqArn = await arnOf(dlq.QueueUrl!);
    const q = await sqs.client.send(
      new CreateQueueCommand({
        QueueName: `q-${queueCounter}`,
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
        },
      }),
    );
    queueUrl = q.QueueUrl!;
    queueArn = await arnOf(queueUrl);
  });

  afterEach(async () => {
    await source?.stop();
    source = undefined;
  });

  async function arnOf(url: string): Promise<string> {
    const out = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    return out.Attributes!.QueueArn!;
  }

  async function send(bodies: string[]): Promise<void> {
    for (let i = 0; i < bodies.length; i += 10) {
      await sqs.client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })),
        }),
      );
    }
  }

  function depths(name: string) {
    const q = sqs.server.inspectQueue(name)!;
    return { ready: q.messages.ready.length, inflight: q.messages.inflight.length };
  }

  function start(handler: SqsEventSourceOptions['handler'], overrides: Partial<SqsEventSourceOptions> = {}) {
    source = new SqsEventSource({
      client: sqs.client,
      queueUrl,
      queueArn,
      region: sqs.region,
      batchSize: 10,
      batchingWindowMs: 0,
      concurrency: 2,
      reportBatchItemFailures: true,
      handler,
      ...overrides,
    });
    source.start();
  }

  test('deletes successes, retries only reported failures, and redrive moves them to the DLQ', async () => {
    await send(['ok-1', 'bad', 'ok-2']);
    const receiveCounts: Record<string, string[]> = {};
    start(async (event: SQSEvent) => {
      for (const r of event.Records) (receiveCounts[r.body] ??= []).push(r.attributes.ApproximateReceiveCount);
      return {
        batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })),
      };
    });
    await waitFor(() => depths(`dlq-${queueCounter}`).ready === 1, 8_000, 'the failing record in the DLQ');
    expect(receiveCounts['ok-1']).toEqual(['1']);
    expect(receiveCounts['ok-2']).toEqual(['1']);
    expect(receiveCounts.bad).toEqual(['1', '2']);
    expect(depths(`q-${queueCounter}`)).toEqual({ ready: 0, inflight: 0 });
  });

  test('honours a visibility change made by the function: a released failure returns at once, then the DLQ', async () => {
    // A minute of visibility: only the function's own ChangeMessageVisibility can bring the record back in time.
    await sqs.client.send(
      new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: { VisibilityTimeout: '60' } }),
    );
    await send(['ok', 'bad']);
    const failFast = createSqsFailFast({ sqs: sqs.client, queueUrl });
    const receiveCounts: Record<string, string[]> = {};
    start(async (event: SQSEvent) => {
      const failed = event.Records.filter((r) => r.body === 'bad');
      for (const r of event.Records) (receiveCounts[r.body] ??= []).push(r.attributes.ApproximateReceiveCount);
      for (const r of failed) await failFast.retryNow(r);
      return { batchItemFailures: failed.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await waitFor(() => depths(`dlq-${queueCounter}`).ready === 1, 5_000, 'the released record in the DLQ');
    expect(receiveCounts).toEqual({ ok: ['1'], bad: ['1', '2'] });
    expect(depths(`q-${queueCounter}`)).toEqual({ ready: 0, inflight: 0 });
  });

  test('a thrown invocation leaves the whole batch to reappear after the visibility timeout', async () => {
    await send(['a', 'b']);
    let calls = 0;
    const bodies: string[] = [];
    start(
      async (event) => {
        calls += 1;
        bodies.push(...event.Records.map((r) => r.body));
        if (calls === 1) throw new Error('consumer crashed');
      },
      { concurrency: 1, onError: () => undefined },
    );
    await waitFor(() => bodies.length === 4, 5_000, 'the batch twice');
    expect(bodies.sort()).toEqual(['a', 'a', 'b', 'b']);
    await waitFor(() => depths(`q-${queueCounter}`).inflight === 0, 2_000, 'deletes');
    expect(depths(`q-${queueCounter}`).ready).toBe(0);
  });

  test('without ReportBatchItemFailures a returned failure list is ignored (whole batch succeeds)', async () => {
    await send(['x']);
    let calls = 0;
    start(
      async (event) => {
        calls += 1;
        return { batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] };
      },
      { reportBatchItemFailures: false },
    );
    await waitFor(() => calls === 1 && depths(`q-${queueCounter}`).inflight === 0, 3_000, 'the delete');
    expect(depths(`q-${queueCounter}`).ready).toBe(0);
  });

  test('an unknown item identifier fails the whole batch, as Lambda does', async () => {
    await send(['p', 'q']);
    const bodies: string[] = [];
    start(
      async (event) => {
        bodies.push(...event.Records.map((r) => r.body));
        return bodies.length <= 2 ? { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] } : undefined;
      },
      { concurrency: 1 },
    );
    await waitFor(() => bodies.length === 4, 5_000, 'the batch twice');
  });

  test('never runs more invocations than the concurrency, and gathers up to the batch size within the window', async () => {
    await send(Array.from({ length: 60 }, (_, i) => `m${i}`));
    let active = 0;
    let maxActive = 0;
    const sizes: number[] = [];
    start(
      async (event) => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        sizes.push(event.Records.length);
        await new Promise((resolve) => setTimeout(resolve, 50));
        active -= 1;
      },
      { concurrency: 3, batchSize: 20, batchingWindowMs: 300 },
    );
    await waitFor(() => sizes.reduce((a, b) => a + b, 0) === 60, 10_000, '60 records');
    expect(maxActive).toBeLessThanOrEqual(3);
    expect(Math.max(...sizes)).toBe(20);
  });
});
