import '../support/quiet';
import type {
  SendMessageBatchCommand,
  SendMessageBatchCommandInput,
  SendMessageBatchCommandOutput,
} from '@aws-sdk/client-sqs';
import { createKafkaBridgeHandler } from '../../../lambda/kafka-bridge/handler';
import { KAFKA_RECORD_ATTRIBUTE } from '../../../lambda/kafka-bridge/kafka-entries';
import type { KafkaEventInput, KafkaRecordInput } from '../../../lambda/kafka-bridge/kafka-event';
import { ATTRIBUTE } from '../../../lambda/shared/attributes';
import { quietLogger } from '../support/quiet';
import { PUBLISHED_MSK_EVENT } from '../support/msk-event';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/000000000000/target';
const metrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };
const bytes = (s: string) => [...Buffer.from(s)];

/** An SQS stand-in that records calls and fails the entries `refuse` names (by message id attribute). */
function fakeSqs(refuse: (messageId: string | undefined) => boolean = () => false) {
  const calls: SendMessageBatchCommandInput[] = [];
  return {
    calls,
    client: {
      async send(command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> {
        const input = command.input;
        calls.push(input);
        const entries = input.Entries ?? [];
        const refused = entries.filter((e) => refuse(e.MessageAttributes?.[ATTRIBUTE.messageId]?.StringValue));
        return {
          $metadata: {},
          Successful: entries
            .filter((e) => !refused.includes(e))
            .map((e) => ({ Id: e.Id, MessageId: 'x', MD5OfMessageBody: '' })),
          Failed: refused.map((e) => ({
            Id: e.Id,
            SenderFault: true,
            Code: 'Refused',
            Message: 'refused by the test',
          })),
        };
      },
    },
  };
}

function contractRecord(offset: number, id: string, partition = 0, value?: string): KafkaRecordInput {
  const body =
    value ?? JSON.stringify({ id, type: 't', payload: {}, createdAt: '2026-01-01T00:00:00.000Z', correlationId: id });
  return {
    topic: 'events',
    partition,
    offset,
    key: Buffer.from(id).toString('base64'),
    value: Buffer.from(body).toString('base64'),
    headers: [{ 'message-id': bytes(id) }, { 'content-type': bytes('application/json') }],
  };
}

const event = (...records: KafkaRecordInput[]): KafkaEventInput => {
  const grouped: Record<string, KafkaRecordInput[]> = {};
  for (const r of records) (grouped[`events-${r.partition}`] ??= []).push(r);
  return { eventSource: 'aws:kafka', records: grouped };
};

const bridge = (sqs: ReturnType<typeof fakeSqs>, queueUrl = QUEUE) =>
  createKafkaBridgeHandler({ sqs: sqs.client, config: { queueUrl }, logger: quietLogger, metrics });

describe('createKafkaBridgeHandler', () => {
  it('forwards the published sample with its position and key in the kafka.record attribute', async () => {
    const sqs = fakeSqs();
    expect(await bridge(sqs)(PUBLISHED_MSK_EVENT)).toEqual({ batchItemFailures: [] });
    const [entry] = sqs.calls[0].Entries!;
    expect(entry.MessageBody).toBe('Hello, this is a test.');
    expect(JSON.parse(entry.MessageAttributes![KAFKA_RECORD_ATTRIBUTE].StringValue!)).toEqual({
      topic: 'mytopic',
      partition: 0,
      offset: '15',
      timestamp: 1545084650987,
      key: 'recordKey',
    });
    expect(JSON.parse(entry.MessageAttributes![ATTRIBUTE.headers].StringValue!)).toEqual({ headerKey: 'headerValue' });
    // Not a contract message: forwarded with the reason, so the consumer dead-letters it with that reason.
    expect(entry.MessageAttributes![ATTRIBUTE.invalidReason].StringValue).toMatch(/JSON/);
  });

  it('carries the contract ids from the headers, as the RabbitMQ bridge carries the AMQP properties', async () => {
    const sqs = fakeSqs();
    await bridge(sqs)(event(contractRecord(3, 'm-3')));
    const attributes = sqs.calls[0].Entries![0].MessageAttributes!;
    expect(attributes[ATTRIBUTE.messageId].StringValue).toBe('m-3');
    expect(attributes[ATTRIBUTE.contentType].StringValue).toBe('application/json');
    expect(attributes[ATTRIBUTE.invalidReason]).toBeUndefined();
    expect(Object.keys(attributes).length).toBeLessThanOrEqual(10);
  });

  it('names the records SQS refused as topic-partition-offset, and only those', async () => {
    const sqs = fakeSqs((id) => id === 'm-2' || id === 'm-7');
    const records = [0, 1, 2, 3].map((o) => contractRecord(o, `m-${o}`)).concat([contractRecord(7, 'm-7', 1)]);
    expect(await bridge(sqs)(event(...records))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'events-0-2' }, { itemIdentifier: 'events-1-7' }],
    });
  });

  it('reports a record too large for SQS without sending it', async () => {
    const sqs = fakeSqs();
    const huge = contractRecord(5, 'big', 0, 'x'.repeat(1_048_600));
    expect(await bridge(sqs)(event(contractRecord(4, 'small'), huge))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'events-0-5' }],
    });
    expect(
      sqs.calls.flatMap((c) => c.Entries!.map((e) => e.MessageAttributes![ATTRIBUTE.messageId].StringValue)),
    ).toEqual(['small']);
  });

  it('FIFO: groups by the record key and deduplicates by message id, or by position without one', async () => {
    const sqs = fakeSqs();
    const keyless: KafkaRecordInput = {
      topic: 'events',
      partition: 1,
      offset: 8,
      key: null,
      value: Buffer.from('{}').toString('base64'),
    };
    await bridge(sqs, `${QUEUE}.fifo`)(event(contractRecord(1, 'm-1'), keyless));
    const [withKey, withoutKey] = sqs.calls.flatMap((c) => c.Entries!);
    expect(withKey).toMatchObject({ MessageGroupId: 'm-1', MessageDeduplicationId: 'm-1' });
    expect(withoutKey).toMatchObject({ MessageGroupId: 'ungrouped', MessageDeduplicationId: 'events-1-8' });
  });

  it('refuses an event that is not a Kafka event', async () => {
    await expect(bridge(fakeSqs())({ records: null })).rejects.toThrow(/expected an object of "topic-partition"/);
  });
});
