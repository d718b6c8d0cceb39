import {
  decodeKafkaHeaders,
  InvalidKafkaEventError,
  kafkaItemIdentifier,
  parseKafkaEvent,
  type KafkaEventInput,
} from '../../../lambda/kafka-bridge/kafka-event';
import { PUBLISHED_MSK_EVENT } from '../support/msk-event';

describe('parseKafkaEvent', () => {
  it('decodes the published sample: topic, partition, offset, base64 key and value, byte-array headers', () => {
    const [record] = parseKafkaEvent(PUBLISHED_MSK_EVENT);
    expect(record.kafka).toEqual({
      topic: 'mytopic',
      partition: 0,
      offset: '15',
      timestamp: 1545084650987,
      key: Buffer.from('recordKey'),
    });
    expect(record.body.toString('utf8')).toBe('Hello, this is a test.');
    expect(record.headers).toEqual({ headerKey: 'headerValue' });
    expect(record.messageId).toBeUndefined();
    expect(kafkaItemIdentifier(record.kafka)).toBe('mytopic-0-15');
  });

  it('takes the contract properties from their headers and leaves the rest as headers', () => {
    const bytes = (s: string) => [...Buffer.from(s)];
    const [record] = parseKafkaEvent({
      records: {
        'events-2': [
          {
            topic: 'events',
            partition: 2,
            offset: '9007199254740993',
            key: null,
            value: Buffer.from('{}').toString('base64'),
            headers: [
              { 'message-id': bytes('m-1') },
              { 'correlation-id': bytes('c-1') },
              { 'content-type': bytes('application/json') },
              { trace: bytes('a') },
              { trace: bytes('b') },
            ],
          },
        ],
      },
    });
    expect(record).toMatchObject({
      messageId: 'm-1',
      correlationId: 'c-1',
      contentType: 'application/json',
      headers: { trace: ['a', 'b'] },
      kafka: { topic: 'events', partition: 2, offset: '9007199254740993' },
    });
    expect(record.kafka.key).toBeUndefined();
  });

  it('keeps records in event order across partitions and numbers them', () => {
    const rec = (partition: number, offset: number) => ({ topic: 't', partition, offset, value: 'e30=' });
    const records = parseKafkaEvent({ records: { 't-0': [rec(0, 1), rec(0, 2)], 't-1': [rec(1, 7)] } });
    expect(records.map((r) => [r.index, r.kafka.partition, r.kafka.offset])).toEqual([
      [0, 0, '1'],
      [1, 0, '2'],
      [2, 1, '7'],
    ]);
  });

  it('reads a null value as an empty body and non-UTF-8 header bytes as base64', () => {
    const [record] = parseKafkaEvent({
      records: { 't-0': [{ topic: 't', partition: 0, offset: 0, value: null, headers: [{ bin: [-1, 0] }] }] },
    });
    expect(record.body.byteLength).toBe(0);
    expect(record.headers).toEqual({ bin: { base64: Buffer.from([255, 0]).toString('base64') } });
  });

  it.each([
    [{}, /records is undefined; expected an object of "topic-partition"/],
    [{ records: [] }, /records is \[\]; expected an object/],
    [
      { records: { 't-0': [{ partition: 0, offset: 1, value: '***' }] } },
      /Record #0 of "t-0".value is "\*\*\*"; expected base64 or null/,
    ],
    [
      { records: { 't-0': [{ partition: -1, offset: 1 }] } },
      /Record #0 of "t-0".partition is -1; expected an integer ≥ 0/,
    ],
    [
      { records: { 't-0': [{ partition: 0, offset: 1.5 }] } },
      /Record #0 of "t-0".offset is 1.5; expected a non-negative integer/,
    ],
  ])('refuses %j', (event, message) => {
    expect(() => parseKafkaEvent(event as KafkaEventInput)).toThrow(InvalidKafkaEventError);
    expect(() => parseKafkaEvent(event as KafkaEventInput)).toThrow(message);
  });

  it('ignores header entries that are not objects', () => {
    expect(decodeKafkaHeaders([null, 'x', { a: [97] }])).toEqual({ a: 'a' });
    expect(decodeKafkaHeaders(undefined)).toEqual({});
  });
});
