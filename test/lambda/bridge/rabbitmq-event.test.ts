import { decodeHeaderValue, parseRabbitMqEvent, splitQueueKey } from '../../../lambda/bridge/rabbitmq-event';
import { bytesOf, messageRecord, rabbitEvent, rabbitRecord } from '../support/events';

/** The example event from the AWS Lambda documentation ("Using Lambda with Amazon MQ"). */
const awsExample = {
  eventSource: 'aws:rmq',
  eventSourceArn: 'arn:aws:mq:us-west-2:112556298976:broker:test:b-9bcfa592-423a-4942-879d-eb284b418fc8',
  rmqMessagesByQueue: {
    'test::/': [
      {
        basicProperties: {
          contentType: 'text/plain',
          contentEncoding: null,
          headers: {
            header1: { bytes: [118, 97, 108, 117, 101, 49] },
            header2: { bytes: [118, 97, 108, 117, 101, 50] },
            numberInHeader: 10,
          },
          deliveryMode: 1,
          priority: 34,
          correlationId: null,
          replyTo: null,
          expiration: '60000',
          messageId: null,
          timestamp: 'Jan 1, 1970, 12:33:41 AM',
          type: null,
          userId: 'AIDACKCEVSQ6C2EXAMPLE',
          appId: null,
          clusterId: null,
          bodySize: 80,
        },
        redelivered: false,
        data: 'eyJ0aW1lb3V0IjowLCJkYXRhIjoiQ1pybWYwR3c4T3Y0YnFMUXhENEUifQ==',
      },
    ],
  },
};

describe('parseRabbitMqEvent', () => {
  it('decodes the AWS documentation example', () => {
    const [record] = parseRabbitMqEvent(awsExample);
    expect(record).toEqual({
      index: 0,
      queue: 'test',
      vhost: '/',
      body: Buffer.from('{"timeout":0,"data":"CZrmf0Gw8Ov4bqLQxD4E"}'),
      redelivered: false,
      messageId: undefined,
      correlationId: undefined,
      contentType: 'text/plain',
      contentEncoding: undefined,
      type: undefined,
      headers: { header1: 'value1', header2: 'value2', numberInHeader: 10 },
    });
  });

  it.each([
    ['an empty batch', rabbitEvent([]), 0],
    ['an empty map', { rmqMessagesByQueue: {} }, 0],
    ['a null record list', { rmqMessagesByQueue: { 'q::/': null } }, 0],
    [
      'two queues',
      { rmqMessagesByQueue: { 'a::/': [messageRecord('1')], 'b::v': [messageRecord('2'), messageRecord('3')] } },
      3,
    ],
  ])('reads %s', (_name, event, count) => {
    expect(parseRabbitMqEvent(event)).toHaveLength(count);
  });

  it('indexes records across queues and keeps their order', () => {
    const records = parseRabbitMqEvent({
      rmqMessagesByQueue: { 'a::/': [messageRecord('1')], 'b::v': [messageRecord('2')] },
    });
    expect(records.map((r) => [r.index, r.queue, r.vhost, r.messageId])).toEqual([
      [0, 'a', '/', '1'],
      [1, 'b', 'v', '2'],
    ]);
  });

  it('tolerates missing fields: no properties, no data, no redelivered flag', () => {
    const [bare, noData] = parseRabbitMqEvent({ rmqMessagesByQueue: { 'q::/': [{ data: 'e30=' }, {}] } });
    expect(bare).toMatchObject({ body: Buffer.from('{}'), headers: {}, redelivered: false, messageId: undefined });
    expect(noData.body.byteLength).toBe(0);
  });

  it('keeps a binary body byte for byte', () => {
    const binary = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);
    expect(parseRabbitMqEvent(rabbitEvent([rabbitRecord(binary)]))[0].body).toEqual(binary);
  });

  it('keeps a unicode body', () => {
    const text = '{"s":"Grüße ☃ 😀"}';
    expect(parseRabbitMqEvent(rabbitEvent([rabbitRecord(text)]))[0].body.toString('utf8')).toBe(text);
  });

  it('reads string properties given as byte arrays and ignores non-string ones', () => {
    const [record] = parseRabbitMqEvent(
      rabbitEvent([rabbitRecord('{}', { messageId: bytesOf('m-1'), correlationId: 42, type: '' })]),
    );
    expect(record).toMatchObject({ messageId: 'm-1', correlationId: undefined, type: undefined });
  });

  it('reads 10,000 records', () => {
    const records = Array.from({ length: 10_000 }, (_, i) => messageRecord(`m${i}`));
    const parsed = parseRabbitMqEvent(rabbitEvent(records));
    expect(parsed).toHaveLength(10_000);
    expect(parsed[9_999].messageId).toBe('m9999');
  });

  it('reads base64 wrapped with whitespace (line breaks, spaces, around the padding) as the bytes it encodes', () => {
    const body = Buffer.from('{"line":"wrapped"}é');
    const data = body.toString('base64');
    const wrapped = `${data.slice(0, 8)}\n${data.slice(8, 16)}\r\n ${data.slice(16, -1)} ${data.slice(-1)}\n`;
    const [parsed] = parseRabbitMqEvent({ rmqMessagesByQueue: { 'q::/': [{ data: wrapped }] } });
    expect(parsed.body.equals(body)).toBe(true);
  });

  it.each([
    ['a character outside base64 between whitespace', 'QUJD\n*REVG', /has data "QUJD\*REVG"; expected base64/],
    ['padding in the middle', 'QQ==QUJD', /has data "QQ==QUJD"; expected base64/],
    ['three padding characters', 'QQ = = =', /has data "QQ==="; expected base64/],
  ])('refuses data with %s, quoting it without whitespace', (_name, data, message) => {
    expect(() => parseRabbitMqEvent({ rmqMessagesByQueue: { 'q::/': [{ data }] } })).toThrow(message);
  });

  it.each([
    ['no rmqMessagesByQueue', {}, /rmqMessagesByQueue is undefined; expected an object of "queue::vhost"/],
    ['an array', { rmqMessagesByQueue: [] }, /rmqMessagesByQueue is \[\]/],
    ['null event', null, /rmqMessagesByQueue is undefined/],
    [
      'data that is not base64',
      { rmqMessagesByQueue: { 'q::/': [{ data: 'not base64!' }] } },
      /Record #0 of "q::\/" has data "notbase64!"; expected base64/,
    ],
  ])('refuses %s', (_name, event, message) => {
    expect(() => parseRabbitMqEvent(event as never)).toThrow(message);
  });
});

describe('decodeHeaderValue', () => {
  it.each([
    ['a byte array (long string)', bytesOf('value'), 'value'],
    ['signed bytes as Java renders them', { bytes: [-61, -68] }, 'ü'],
    ['unicode bytes', bytesOf('日本 😀'), '日本 😀'],
    ['non-UTF-8 bytes', { bytes: [0xff, 0x00] }, { base64: '/wA=' }],
    ['a number', 10, 10],
    ['a boolean', true, true],
    ['a string', 'plain', 'plain'],
    ['null', null, null],
    ['undefined', undefined, null],
    ['an array of byte arrays', [bytesOf('a'), 1], ['a', 1]],
    ['a nested table', { inner: { deep: bytesOf('x') }, n: 2 }, { inner: { deep: 'x' }, n: 2 }],
    ['an empty byte array', { bytes: [] }, ''],
    ['an object with bytes and more keys (a table, not bytes)', { bytes: [1], other: 2 }, { bytes: [1], other: 2 }],
    ['infinity', Infinity, 'Infinity'],
  ])('decodes %s', (_name, value, expected) => {
    expect(decodeHeaderValue(value)).toEqual(expected);
  });
});

describe('splitQueueKey', () => {
  it.each([
    ['events::integration', { queue: 'events', vhost: 'integration' }],
    ['test::/', { queue: 'test', vhost: '/' }],
    ['a::b::vhost', { queue: 'a::b', vhost: 'vhost' }],
    ['no-separator', { queue: 'no-separator', vhost: '/' }],
    ['q::', { queue: 'q', vhost: '/' }],
  ])('%s', (key, expected) => {
    expect(splitQueueKey(key)).toEqual(expected);
  });
});
