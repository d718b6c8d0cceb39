import { quietLogger } from '../lambda/support/quiet';
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { createBridgeHandler } from '../../lambda/bridge/handler';
import { createSqsFailFast } from '../../lambda/consumer/fail-fast';
import { createConsumerHandler, type ConsumerHandler } from '../../lambda/consumer/handler';
import { LocalPersistenceLayer } from '../../lambda/consumer/local-persistence-layer';
import { createSqsReceiptSink, type Receipt } from '../../lambda/consumer/receipts';
import { buildSqsEvent } from '../../local/sqs-event';
import { startSqsEmulator, type SqsEmulator } from '../../local/sqs-emulator';
import { messageRecord, rabbitEvent, rabbitRecord } from '../lambda/support/events';

/**
 * The consumer with the real BatchProcessor against the embedded SQS emulator, driven the way the SQS event source
 * drives it: receive, invoke, delete what succeeded, let the failures come back, until SQS redrives them.
 */

const quiet = quietLogger;
let sqs: SqsEmulator;

beforeAll(async () => {
  sqs = await startSqsEmulator();
});
afterAll(async () => {
  await sqs.stop();
});

interface Queues {
  readonly source: string;
  readonly sourceArn: string;
  readonly dlq: string;
  readonly receipts: string;
}

async function createQueue(name: string, attributes: Record<string, string> = {}) {
  const url = (await sqs.client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const arn = (await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] })))
    .Attributes!.QueueArn!;
  return { url, arn };
}

async function createQueues(maxReceiveCount: number, visibilityTimeoutSec = 30): Promise<Queues> {
  const id = randomUUID();
  const dlq = await createQueue(`consumer-dlq-${id}`);
  const source = await createQueue(`consumer-${id}`, {
    VisibilityTimeout: String(visibilityTimeoutSec),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount }),
  });
  const receipts = await createQueue(`receipts-${id}`);
  return { source: source.url, sourceArn: source.arn, dlq: dlq.url, receipts: receipts.url };
}

async function receive(queueUrl: string, max = 10): Promise<Message[]> {
  const out = await sqs.client.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      AttributeNames: ['All'],
      MessageAttributeNames: ['All'],
      WaitTimeSeconds: 0,
    }),
  );
  return out.Messages ?? [];
}

async function receiveAll(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let batch = await receive(queueUrl); batch.length > 0; batch = await receive(queueUrl)) all.push(...batch);
  return all;
}

/** Polls like the SQS event source until the queue is empty; failed records become visible again at once. */
async function drive(consumer: ConsumerHandler, queues: Queues, batchSize = 10): Promise<number> {
  let invocations = 0;
  for (
    let messages = await receive(queues.source, batchSize);
    messages.length > 0;
    messages = await receive(queues.source, batchSize)
  ) {
    invocations++;
    const response = await consumer(buildSqsEvent(messages, queues.sourceArn, 'us-east-1'));
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    const retry = messages.filter((m) => failed.has(m.MessageId!));
    if (done.length > 0) {
      await sqs.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queues.source,
          Entries: done.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
    if (retry.length > 0) {
      await sqs.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queues.source,
          Entries: retry.map((m, i) => ({ Id: `v${i}`, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 })),
        }),
      );
    }
    if (invocations > 50) throw new Error('the queue does not drain');
  }
  return invocations;
}

/**
 * Polls like Lambda's SQS event source, which never changes a record's visibility: failed records are left alone,
 * deleted ones are done. Stops when `done()` says so or after `timeoutMs`.
 */
async function driveLikeLambda(
  consumer: ConsumerHandler,
  queues: Queues,
  done: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done()) && Date.now() < deadline) {
    const messages = await receive(queues.source);
    if (messages.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    const response = await consumer(buildSqsEvent(messages, queues.sourceArn, 'us-east-1'));
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    const succeeded = messages.filter((m) => !failed.has(m.MessageId!));
    if (succeeded.length > 0) {
      await sqs.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queues.source,
          Entries: succeeded.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }
}

describe('consumer ← embedded SQS', () => {
  it('fail-fast: invalid records reach the DLQ after maxReceiveCount receives in seconds, not visibility timeouts', async () => {
    // 120 s visibility: without fail-fast the poison would need 5 × 120 s; a transient failure keeps waiting it out.
    const queues = await createQueues(5, 120);
    const bridge = createBridgeHandler({ sqs: sqs.client, config: { queueUrl: queues.source }, logger: quiet });
    await bridge(
      rabbitEvent([
        messageRecord('good'),
        messageRecord('busy'),
        rabbitRecord('{"id":"poison-1","type":"poison"}', { messageId: 'poison-1' }),
        rabbitRecord('not json', { messageId: 'poison-2' }),
      ]),
    );
    const attempts: Record<string, number[]> = {};
    const consumer = createConsumerHandler({
      processMessage: async (message, context) => {
        (attempts[message.id] ??= []).push(context.attempt);
        if (message.id === 'busy') throw new Error('downstream busy');
        return null;
      },
      persistenceStore: new LocalPersistenceLayer(),
      failFast: createSqsFailFast({ sqs: sqs.client, queueUrl: queues.source }),
      logger: quiet,
    });
    const received: Record<string, number> = {};
    const counting: ConsumerHandler = async (event) => {
      for (const r of event.Records) {
        const id = r.messageAttributes['amqp.message-id']?.stringValue ?? '';
        received[id] = (received[id] ?? 0) + 1;
      }
      return consumer(event);
    };
    const dead: Message[] = [];
    const started = Date.now();
    await driveLikeLambda(
      counting,
      queues,
      async () => {
        dead.push(...(await receiveAll(queues.dlq)));
        return dead.length >= 2;
      },
      10_000,
    );

    expect(Date.now() - started).toBeLessThan(10_000);
    expect(dead.map((m) => m.MessageAttributes?.['amqp.message-id']?.StringValue).sort()).toEqual([
      'poison-1',
      'poison-2',
    ]);
    // Each reached the consumer maxReceiveCount times; SQS moved it on the receive after that.
    expect(received).toEqual({ good: 1, busy: 1, 'poison-1': 5, 'poison-2': 5 });
    // The transient failure was tried once and is still waiting out its visibility timeout.
    expect(attempts).toEqual({ good: [1], busy: [1] });
    const depth = await sqs.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queues.source,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(depth.Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
  });

  it('processes the good messages once, sends receipts, and redrives the bad ones to the DLQ with their reason', async () => {
    const queues = await createQueues(2);
    const bridge = createBridgeHandler({ sqs: sqs.client, config: { queueUrl: queues.source }, logger: quiet });
    const good = Array.from({ length: 8 }, (_, i) => messageRecord(`good-${i}`));
    // good-0 arrives twice: RabbitMQ redelivered a batch the bridge had already forwarded.
    await bridge(
      rabbitEvent([
        ...good,
        rabbitRecord('not json', { messageId: 'bad-json' }),
        rabbitRecord(Buffer.from([0xff, 0xfe]), { messageId: 'bad-bin' }),
      ]),
    );
    await bridge(rabbitEvent([good[0]]));

    const effects: string[] = [];
    const consumer = createConsumerHandler({
      processMessage: async () => null,
      persistenceStore: new LocalPersistenceLayer(),
      outcomes: createSqsReceiptSink({ sqs: sqs.client, queueUrl: queues.receipts }),
      onEffect: (m) => effects.push(m.id),
      logger: quiet,
    });
    await drive(consumer, queues, 4);

    expect(effects.sort()).toEqual(good.map((_, i) => `good-${i}`).sort());
    const receipts = (await receiveAll(queues.receipts)).map((m) => JSON.parse(m.Body!) as Receipt);
    expect(receipts).toHaveLength(9);
    expect(
      receipts
        .filter((r) => r.id === 'good-0')
        .map((r) => r.effect)
        .sort(),
    ).toEqual([false, true]);
    expect(receipts.filter((r) => r.effect)).toHaveLength(8);
    expect(receipts[0]).toEqual({
      id: expect.any(String),
      runId: 'run-1',
      receivedAt: expect.any(String),
      attempt: 1,
      effect: true,
      effectId: expect.any(String),
    });

    const dead = await receiveAll(queues.dlq);
    expect(dead.map((m) => m.MessageAttributes?.['amqp.message-id']?.StringValue).sort()).toEqual([
      'bad-bin',
      'bad-json',
    ]);
    const reasons = Object.fromEntries(
      dead.map((m) => [
        m.MessageAttributes!['amqp.message-id'].StringValue,
        m.MessageAttributes!['bridge.invalid-reason'].StringValue,
      ]),
    );
    expect(reasons['bad-json']).toMatch(/^not-json: /);
    expect(reasons['bad-bin']).toMatch(/^not-utf8: /);
  });

  it('retries only the record whose processing failed, reporting it with the real BatchProcessor', async () => {
    const queues = await createQueues(5);
    const bridge = createBridgeHandler({ sqs: sqs.client, config: { queueUrl: queues.source }, logger: quiet });
    await bridge(rabbitEvent(Array.from({ length: 5 }, (_, i) => messageRecord(`m-${i}`))));
    const attempts: Record<string, number[]> = {};
    const consumer = createConsumerHandler({
      processMessage: async (message, context) => {
        (attempts[message.id] ??= []).push(context.attempt);
        if (message.id === 'm-3' && context.attempt < 3) throw new Error('downstream busy');
        return null;
      },
      persistenceStore: new LocalPersistenceLayer(),
      logger: quiet,
    });
    const failuresPerInvocation: number[] = [];
    await drive(async (event) => {
      const response = await consumer(event);
      failuresPerInvocation.push(response.batchItemFailures.length);
      return response;
    }, queues);
    expect(failuresPerInvocation).toEqual([1, 1, 0]);
    expect(attempts).toEqual({ 'm-0': [1], 'm-1': [1], 'm-2': [1], 'm-3': [1, 2, 3], 'm-4': [1] });
    expect(await receiveAll(queues.dlq)).toHaveLength(0);
  });
});
