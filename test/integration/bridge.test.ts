import { quietLogger } from '../lambda/support/quiet';
import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { createBridgeHandler } from '../../lambda/bridge/handler';
import type { SqsBatchClient } from '../../lambda/shared/sqs-batch-client';
import { ForwardingError } from '../../lambda/shared/errors';
import { originalBody } from '../../lambda/consumer/decode';
import { buildSqsEvent } from '../../local/sqs-event';
import { buildRabbitMqEvent } from '../../local/rabbitmq-event';
import { startSqsEmulator, type InProcessSqsEmulator } from '../../local/sqs-emulator';
import { createAmqpConnectionSource } from '../../lambda/producer/amqp-connection';
import { createProducerHandler } from '../../lambda/producer/handler';
import { createTestVhost } from '../lambda/support/broker';
import { bytesOf, messageRecord, rabbitEvent, rabbitRecord } from '../lambda/support/events';

/** The bridge against the embedded SQS emulator (fauxqs): what arrives in the queue is what SQS would hold. */

const quiet = quietLogger;
let sqs: InProcessSqsEmulator;

beforeAll(async () => {
  sqs = await startSqsEmulator();
});
afterAll(async () => {
  await sqs.stop();
});

async function newQueue(fifo = false): Promise<string> {
  const name = `bridge-${randomUUID()}${fifo ? '.fifo' : ''}`;
  const out = await sqs.client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true' } : {} }),
  );
  return out.QueueUrl!;
}

/** Receives until `count` messages arrived (or nothing more comes). */
async function receiveAll(queueUrl: string, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  for (let empty = 0; messages.length < count && empty < 3;) {
    const out = await sqs.client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
        AttributeNames: ['All'],
        WaitTimeSeconds: 0,
      }),
    );
    if (!out.Messages?.length) empty++;
    messages.push(...(out.Messages ?? []));
  }
  return messages;
}

const attr = (m: Message, name: string) => m.MessageAttributes?.[name]?.StringValue;
const bridgeTo = (queueUrl: string, client: SqsBatchClient = sqs.client) =>
  createBridgeHandler({
    sqs: client,
    config: { queueUrl, parallelism: 4, messageGroupIdField: 'payload.group' },
    logger: quiet,
  });

describe('bridge → embedded SQS', () => {
  it('forwards a 100-record RabbitMQ event: all 100 bodies, ids and attributes are in the queue', async () => {
    const queueUrl = await newQueue();
    const records = Array.from({ length: 100 }, (_, i) => {
      const record = messageRecord(`m-${i}`);
      return {
        ...record,
        basicProperties: {
          ...record.basicProperties,
          type: 'sample.event',
          headers: { tenant: bytesOf(`t-${i % 3}`), n: i },
        },
      };
    });
    const result = await bridgeTo(queueUrl)(rabbitEvent(records));
    expect(result).toEqual({ received: 100, forwarded: 100, wrapped: 0, invalid: 0, requests: 10 });

    const messages = await receiveAll(queueUrl, 100);
    expect(messages).toHaveLength(100);
    const byId = new Map(messages.map((m) => [attr(m, 'amqp.message-id'), m]));
    for (let i = 0; i < 100; i++) {
      const m = byId.get(`m-${i}`)!;
      expect(m.Body).toBe(Buffer.from(records[i].data!, 'base64').toString('utf8'));
      expect(attr(m, 'amqp.correlation-id')).toBe(`corr-m-${i}`);
      expect(attr(m, 'amqp.content-type')).toBe('application/json');
      expect(attr(m, 'amqp.type')).toBe('sample.event');
      expect(JSON.parse(attr(m, 'amqp.headers')!)).toEqual({ tenant: `t-${i % 3}`, n: i });
    }
  });

  it('throws listing the one entry SQS rejected; the other 99 are in the queue', async () => {
    const queueUrl = await newQueue();
    // A client that corrupts one entry on the way, so the real emulator rejects exactly that one.
    const corrupting: SqsBatchClient = {
      send: (command) => {
        const input = command.input;
        const Entries = input.Entries!.map((e) =>
          e.MessageAttributes?.['amqp.message-id']?.StringValue === 'm-42'
            ? { ...e, MessageBody: `${e.MessageBody}\uffff` }
            : e,
        );
        return sqs.client.send(new SendMessageBatchCommand({ ...input, Entries }));
      },
    };
    const records = Array.from({ length: 100 }, (_, i) => messageRecord(`m-${i}`));
    const error = await bridgeTo(queueUrl, corrupting)(rabbitEvent(records)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForwardingError);
    expect((error as ForwardingError).message).toMatch(
      /SQS did not accept 1 of 100 records: m-42 \(InvalidMessageContents: Invalid characters found/,
    );
    const messages = await receiveAll(queueUrl, 99);
    expect(messages).toHaveLength(99);
    expect(messages.map((m) => attr(m, 'amqp.message-id'))).not.toContain('m-42');
  });

  it('throws when the queue does not exist, listing every record (the call failed after retries)', async () => {
    const missing = `${sqs.endpoint}/000000000000/no-such-queue`;
    const client = sqs.createClient({ maxAttempts: 1 }) as SQSClient;
    await expect(bridgeTo(missing, client)(rabbitEvent([messageRecord('a'), messageRecord('b')]))).rejects.toThrow(
      /SQS did not accept 2 of 2 records: a \(.*NonExistentQueue|QueueDoesNotExist/,
    );
    client.destroy();
  });

  it('carries binary, empty and astral-unicode bodies so that they arrive byte for byte', async () => {
    const queueUrl = await newQueue();
    const bodies = [Buffer.from([0, 0xff, 0x10, 0x80]), Buffer.alloc(0), Buffer.from('{"s":"😀 \uffff"}')];
    const records = bodies.map((body, i) => rabbitRecord(body, { messageId: `odd-${i}` }));
    await bridgeTo(queueUrl)(rabbitEvent(records));
    const messages = await receiveAll(queueUrl, 3);
    const event = buildSqsEvent(messages, 'arn:aws:sqs:us-east-1:000000000000:q', 'us-east-1');
    for (const record of event.Records) {
      const index = Number(record.messageAttributes['amqp.message-id'].stringValue!.split('-')[1]);
      expect(originalBody(record)).toEqual(bodies[index]);
    }
  });

  it('FIFO: deduplicates a redelivered batch by message id and groups by the configured field', async () => {
    const queueUrl = await newQueue(true);
    const records = Array.from({ length: 20 }, (_, i) => messageRecord(`f-${i}`, { payload: { group: `g${i % 2}` } }));
    await bridgeTo(queueUrl)(rabbitEvent(records));
    await bridgeTo(queueUrl)(rabbitEvent(records));
    // FIFO hands out one message per group at a time; look at the whole queue instead of receiving.
    const held = sqs.server.inspectQueue(queueUrl.split('/').pop()!)!.messages.ready;
    expect(held).toHaveLength(20);
    expect(new Set(held.map((m) => m.messageGroupId))).toEqual(new Set(['g0', 'g1']));
    expect(held.map((m) => m.messageDeduplicationId).sort()).toEqual(records.map((_, i) => `f-${i}`).sort());
  });

  it('forwards an event built from real broker deliveries of the producer', async () => {
    const broker = await createTestVhost();
    const source = createAmqpConnectionSource({
      url: `amqp://guest:guest@127.0.0.1:5672/${encodeURIComponent(broker.vhost)}`,
      logger: quiet,
    });
    try {
      const produced = await createProducerHandler({
        connection: source,
        config: { exchange: broker.exchange },
        logger: quiet,
      })({
        count: 30,
        poison: 2,
        runId: 'real',
      });
      const deliveries = await broker.drain(32);
      const queueUrl = await newQueue();
      const result = await bridgeTo(queueUrl)(buildRabbitMqEvent(deliveries, broker.queue, broker.vhost));
      expect(result).toMatchObject({ received: 32, forwarded: 32, invalid: 2 });
      const ids = (await receiveAll(queueUrl, 32)).map((m) => attr(m, 'amqp.message-id'));
      expect(ids.sort()).toEqual([...produced.ids, ...produced.poisonIds].sort());
    } finally {
      await source.close();
      await broker.dispose();
    }
  });
});
