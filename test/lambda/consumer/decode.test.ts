import { decodeSqsRecord, originalBody } from '../../../lambda/consumer/decode';
import { InvalidMessageError } from '../../../lambda/shared/errors';
import { encodeMessage } from '../../../lambda/shared/message';
import { sampleMessage } from '../support/events';
import { sqsRecordFor } from '../support/sqs-records';

const s = (value: string) => ({ DataType: 'String', StringValue: value });

describe('originalBody', () => {
  it.each([
    ['plain text', { MessageBody: 'abc' }, Buffer.from('abc')],
    [
      'base64',
      { MessageBody: '/wA=', MessageAttributes: { 'bridge.body-encoding': s('base64') } },
      Buffer.from([0xff, 0]),
    ],
    [
      'empty placeholder',
      { MessageBody: '(empty body)', MessageAttributes: { 'bridge.body-encoding': s('empty') } },
      Buffer.alloc(0),
    ],
  ])('restores %s', (_name, entry, expected) => {
    expect(originalBody(sqsRecordFor(entry))).toEqual(expected);
  });

  it('refuses an unknown body encoding', () => {
    expect(() =>
      originalBody(sqsRecordFor({ MessageBody: 'x', MessageAttributes: { 'bridge.body-encoding': s('rot13') } })),
    ).toThrow(/bridge.body-encoding is "rot13"; expected absent, "base64" or "empty"/);
  });
});

describe('decodeSqsRecord', () => {
  it('decodes a message and its AMQP headers', () => {
    const message = sampleMessage('m-1');
    const record = sqsRecordFor({
      MessageBody: encodeMessage(message),
      MessageAttributes: { 'amqp.headers': s('{"tenant":"acme"}') },
    });
    expect(decodeSqsRecord(record)).toEqual({ message, headers: { tenant: 'acme' } });
  });

  it('decodes a valid message the bridge had to wrap (emoji), transparently', () => {
    const message = sampleMessage('m-2', { payload: { s: '😀' } });
    const raw = Buffer.from(JSON.stringify(message));
    const record = sqsRecordFor({
      MessageBody: raw.toString('base64'),
      MessageAttributes: { 'bridge.body-encoding': s('base64') },
    });
    expect(decodeSqsRecord(record).message).toEqual(message);
  });

  it.each([['not json'], ['[1]'], ['{"a":']])('tolerates unreadable headers %p', (headers) => {
    const record = sqsRecordFor({
      MessageBody: encodeMessage(sampleMessage('m')),
      MessageAttributes: { 'amqp.headers': s(headers) },
    });
    expect(decodeSqsRecord(record).headers).toEqual({});
  });

  it('honours the content encoding attribute', () => {
    const record = sqsRecordFor({
      MessageBody: encodeMessage(sampleMessage('m')),
      MessageAttributes: { 'amqp.content-encoding': s('deflate') },
    });
    expect(() => decodeSqsRecord(record)).toThrow(InvalidMessageError);
    expect(() => decodeSqsRecord(record)).toThrow(/content encoding "deflate" is not supported/);
  });
});
