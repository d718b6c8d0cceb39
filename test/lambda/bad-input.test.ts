import './support/quiet';
import {
  SendMessageBatchCommand,
  SQSClient,
  type SendMessageBatchCommandInput,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { SQSBatchResponse } from 'aws-lambda';
import { createBridgeHandler } from '../../lambda/bridge/handler';
import { createConsumerHandler } from '../../lambda/consumer/handler';
import { LocalPersistenceLayer } from '../../lambda/consumer/local-persistence-layer';
import { createProducerHandler } from '../../lambda/producer/handler';
import type { AmqpConnectionSource } from '../../lambda/producer/amqp-connection';
import { encodeMessage } from '../../lambda/shared/message';
import { messageRecord, rabbitEvent, rabbitRecord, sampleMessage } from './support/events';
import { sqsRecordFor } from './support/sqs-records';

/**
 * Every kind of bad input from ARCHITECTURE §3 / the reliability issue, end to end through the real bridge and
 * consumer code: each is either refused by the producer with a clear error, or forwarded and reported by the
 * consumer with a reason that travels with the message into the DLQ — and the good message beside it is processed.
 */

const sqsMock = mockClient(SQSClient);
let sent: SendMessageBatchRequestEntry[] = [];
beforeEach(() => {
  sent = [];
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake(async (input: SendMessageBatchCommandInput) => {
    sent.push(...input.Entries!);
    return {
      Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: `sqs-${e.Id}`, MD5OfMessageBody: '' })),
      Failed: [],
    };
  });
});

const bridge = createBridgeHandler({
  sqs: new SQSClient({ region: 'us-east-1' }),
  config: { queueUrl: 'https://sqs.local/000/target' },
});

/** Runs `bad` next to a good message through bridge and consumer; returns what the consumer said. */
async function throughPipeline(bad: ReturnType<typeof rabbitRecord>) {
  await bridge(rabbitEvent([messageRecord('good-1'), bad]));
  const effects: string[] = [];
  const warnings: Record<string, unknown>[] = [];
  const consumer = createConsumerHandler({
    processMessage: async () => null,
    persistenceStore: new LocalPersistenceLayer(),
    onEffect: (m) => effects.push(m.id),
    logger: {
      debug: () => undefined,
      info: () => undefined,
      error: () => undefined,
      warn: (_m, a) => void warnings.push(a ?? {}),
    },
  });
  const records = sent.map((entry, i) => sqsRecordFor(entry, { messageId: i === 0 ? 'sqs-good' : 'sqs-bad' }));
  const response: SQSBatchResponse = await consumer({ Records: records });
  const badEntry = sent[1];
  return {
    response,
    effects,
    warning: warnings.find((w) => w.sqsMessageId === 'sqs-bad'),
    dlqReason: badEntry?.MessageAttributes?.['bridge.invalid-reason']?.StringValue,
    badEntry,
  };
}

describe('bad input, one case each', () => {
  it.each([
    [
      'not JSON',
      rabbitRecord('definitely not json', { messageId: 'bad-1' }),
      'not-json',
      /the body "definitely not json" is not JSON/,
    ],
    [
      'schema-invalid',
      rabbitRecord('{"id":"bad-2","type":"t","payload":1}', { messageId: 'bad-2' }),
      'schema-invalid',
      /createdAt is missing.*correlationId is missing/,
    ],
    ['empty body', rabbitRecord(Buffer.alloc(0), { messageId: 'bad-3' }), 'empty-body', /the body is empty/],
    [
      'wrong content encoding',
      rabbitRecord(encodeMessage(sampleMessage('bad-4')), { messageId: 'bad-4', contentEncoding: 'gzip' }),
      'unsupported-content-encoding',
      /content encoding "gzip" is not supported/,
    ],
    [
      'binary',
      rabbitRecord(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe]), { messageId: 'bad-5' }),
      'not-utf8',
      /6-byte body is not valid UTF-8/,
    ],
    [
      'wrong character encoding (UTF-16)',
      rabbitRecord(Buffer.from('{"id":"x"}', 'utf16le'), { messageId: 'bad-6' }),
      'not-json',
      /is not JSON/,
    ],
    [
      'unicode SQS refuses, not a message',
      rabbitRecord('\uffff\u0000 oops', { messageId: 'bad-7' }),
      'not-json',
      /is not JSON/,
    ],
  ])(
    '%s: forwarded, reported with reason %s, on its way to the DLQ with the reason attribute; the good one is processed',
    async (_name, bad, reason, detail) => {
      const outcome = await throughPipeline(bad);
      expect(outcome.response).toEqual({ batchItemFailures: [{ itemIdentifier: 'sqs-bad' }] });
      expect(outcome.effects).toEqual(['good-1']);
      expect(outcome.warning).toMatchObject({ reason, detail: expect.stringMatching(detail) });
      expect(outcome.dlqReason).toMatch(new RegExp(`^${reason}: `));
    },
  );

  it('unicode SQS refuses, inside a valid message: carried base64 and processed, nothing lost', async () => {
    const message = sampleMessage('uni-1', { payload: { text: 'a\uffffb😀' } });
    const outcome = await throughPipeline(rabbitRecord(JSON.stringify(message), { messageId: 'uni-1' }));
    expect(outcome.badEntry.MessageAttributes?.['bridge.body-encoding']?.StringValue).toBe('base64');
    expect(outcome.response).toEqual({ batchItemFailures: [] });
    expect(outcome.effects.sort()).toEqual(['good-1', 'uni-1']);
  });

  it('unicode SQS refuses, from our producer: escaped in the JSON, so it travels as plain text', () => {
    const text = encodeMessage(sampleMessage('uni-2', { payload: { text: '\uffff' } }));
    expect(text).toContain('\\uffff');
    expect(JSON.parse(text).payload.text).toBe('\uffff');
  });

  it('oversized from our producer: a clear error before anything is published', async () => {
    const connection: AmqpConnectionSource = {
      confirmChannel: () => Promise.reject(new Error('must not publish')),
      hasCachedChannel: () => false,
      blockedReason: () => undefined,
      onBlocked: () => () => undefined,
      discard: () => undefined,
      close: async () => undefined,
    };
    const producer = createProducerHandler({ connection, config: { exchange: 'events', routingKey: 'event' } });
    await expect(producer({ size: 1_048_577 })).rejects.toThrow(
      /size is 1048577; expected an integer from 0 to 1040384 bytes \(the SQS limit of 1048576 bytes less 8192/,
    );
    await expect(producer({ payload: 'x'.repeat(1_048_576) })).rejects.toThrow(
      /payload \(encoded message size in bytes\) is \d+; expected at most 1040384/,
    );
  });

  it('oversized from another publisher: the bridge forwards the good ones and fails the batch, so RabbitMQ keeps it and dead-letters it after x-delivery-limit', async () => {
    const big = rabbitRecord('x'.repeat(1_048_577), { messageId: 'big-1' });
    await expect(bridge(rabbitEvent([messageRecord('good-1'), big]))).rejects.toThrow(
      /SQS did not accept 1 of 2 records: big-1 \(Oversized: body of 1048577 bytes; the flow takes at most 1040384 bytes: .*; left on the broker/,
    );
    expect(sent.map((e) => e.MessageAttributes?.['amqp.message-id']?.StringValue)).toEqual(['good-1']);
  });
});
