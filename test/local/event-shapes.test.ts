import type { ConsumeMessage } from 'amqplib';
import { buildRabbitMqEvent, convertTable, formatAmqpTimestamp, LOCAL_BROKER_ARN } from '../../local/rabbitmq-event';
import { buildSqsEvent } from '../../local/sqs-event';

function delivery(
  content: string,
  properties: Partial<ConsumeMessage['properties']>,
  redelivered = false,
): ConsumeMessage {
  return {
    content: Buffer.from(content),
    fields: {
      deliveryTag: 1,
      redelivered,
      exchange: 'events',
      routingKey: 'event',
      consumerTag: 'c',
      messageCount: undefined,
    },
    properties: {
      contentType: undefined,
      contentEncoding: undefined,
      headers: undefined,
      deliveryMode: undefined,
      priority: undefined,
      correlationId: undefined,
      replyTo: undefined,
      expiration: undefined,
      messageId: undefined,
      timestamp: undefined,
      type: undefined,
      userId: undefined,
      appId: undefined,
      clusterId: undefined,
      ...properties,
    },
  } as ConsumeMessage;
}

describe('buildRabbitMqEvent', () => {
  test('groups records under queue::vhost with base64 data and the Lambda property names', () => {
    const event = buildRabbitMqEvent(
      [
        delivery('{"id":"a"}', {
          contentType: 'application/json',
          deliveryMode: 2,
          messageId: 'a',
          correlationId: 'c-1',
          timestamp: 2021,
        }),
        delivery('x', {}, true),
      ],
      'events.to-sqs',
      'integration',
    );
    expect(event.eventSource).toBe('aws:rmq');
    expect(event.eventSourceArn).toBe(LOCAL_BROKER_ARN);
    const records = event.rmqMessagesByQueue['events.to-sqs::integration'];
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({
      basicProperties: {
        contentType: 'application/json',
        contentEncoding: null,
        headers: null,
        deliveryMode: 2,
        priority: null,
        correlationId: 'c-1',
        replyTo: null,
        expiration: null,
        messageId: 'a',
        timestamp: 'Jan 1, 1970, 12:33:41 AM',
        type: null,
        userId: null,
        appId: null,
        clusterId: null,
        bodySize: 10,
      },
      redelivered: false,
      data: Buffer.from('{"id":"a"}').toString('base64'),
    });
    expect(records[1].redelivered).toBe(true);
  });

  test('string and byte headers become { bytes }, numbers and booleans stay, tables nest', () => {
    expect(
      convertTable({
        header1: 'value1',
        raw: Buffer.from([1, 2]),
        numberInHeader: 10,
        flag: true,
        typed: { '!': 'long', value: 7 },
        nested: { inner: 'é' },
        list: ['a', 3],
      }),
    ).toEqual({
      header1: { bytes: [118, 97, 108, 117, 101, 49] },
      raw: { bytes: [1, 2] },
      numberInHeader: 10,
      flag: true,
      typed: 7,
      nested: { inner: { bytes: [0xc3, 0xa9] } },
      list: [{ bytes: [97] }, 3],
    });
  });

  test.each([
    [0, 'Jan 1, 1970, 12:00:00 AM'],
    [2021, 'Jan 1, 1970, 12:33:41 AM'],
    [1_700_000_000, 'Nov 14, 2023, 10:13:20 PM'],
    [1_704_110_400, 'Jan 1, 2024, 12:00:00 PM'],
  ])('timestamp %d renders as %s', (seconds, text) => {
    expect(formatAmqpTimestamp(seconds)).toBe(text);
  });
});

describe('buildSqsEvent', () => {
  test('maps ReceiveMessage output to Lambda SQS records', () => {
    const event = buildSqsEvent(
      [
        {
          MessageId: 'mid',
          ReceiptHandle: 'rh',
          Body: 'body',
          MD5OfBody: 'md5',
          MD5OfMessageAttributes: 'md5a',
          Attributes: {
            ApproximateReceiveCount: '3',
            SentTimestamp: '10',
            SenderId: 'S',
            ApproximateFirstReceiveTimestamp: '11',
          },
          MessageAttributes: {
            correlationId: { DataType: 'String', StringValue: 'c-1' },
            blob: { DataType: 'Binary', BinaryValue: Uint8Array.from([104, 105]) },
          },
        },
      ],
      'arn:aws:sqs:us-east-1:000000000000:q',
      'us-east-1',
    );
    expect(event.Records[0]).toEqual({
      messageId: 'mid',
      receiptHandle: 'rh',
      body: 'body',
      attributes: {
        ApproximateReceiveCount: '3',
        SentTimestamp: '10',
        SenderId: 'S',
        ApproximateFirstReceiveTimestamp: '11',
      },
      messageAttributes: {
        correlationId: { dataType: 'String', stringValue: 'c-1', stringListValues: [], binaryListValues: [] },
        blob: { dataType: 'Binary', binaryValue: 'aGk=', stringListValues: [], binaryListValues: [] },
      },
      md5OfBody: 'md5',
      md5OfMessageAttributes: 'md5a',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    });
  });

  test('refuses a message without a receipt handle, naming the field', () => {
    expect(() => buildSqsEvent([{ MessageId: 'm' }], 'arn', 'r')).toThrow(/without ReceiptHandle/);
  });
});
