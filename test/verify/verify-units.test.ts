import { explainAwsError } from '../../verify/aws-errors';
import { messageCounts, runShape } from '../../verify/cli-args';
import { parseReceipt, parseSqsDeadLetter } from '../../verify/queue-drain';
import { OUTPUT_KEYS } from '../../verify/stack-outputs';
import { messageSizeLimit } from '../../lambda/shared/message-size';
import { OUTPUTS } from '../../lib/stacks/integration-stack';

test('the output keys verify reads are the ones the stack exports', () => {
  for (const key of Object.values(OUTPUT_KEYS)) expect(Object.values(OUTPUTS)).toContain(key);
});

describe('parseReceipt', () => {
  test('reads ISO or epoch receivedAt and filters by run', () => {
    expect(parseReceipt('{"id":"a","runId":"r","receivedAt":"2024-01-01T00:00:00.000Z","attempt":2}', 'r')).toEqual({
      id: 'a',
      runId: 'r',
      receivedAt: Date.parse('2024-01-01T00:00:00.000Z'),
      attempt: 2,
    });
    expect(parseReceipt('{"id":"a","receivedAt":1,"effect":false}')).toMatchObject({ effect: false });
    expect(parseReceipt('{"id":"a","runId":"other","receivedAt":1}', 'r')).toBeUndefined();
    expect(parseReceipt('{"id":"a","receivedAt":5}')).toMatchObject({ id: 'a', receivedAt: 5 });
  });

  test.each(['not json', '[]', '{"receivedAt":1}', '{"id":"a","receivedAt":"yesterday"}', undefined])(
    'ignores %j',
    (body) => {
      expect(parseReceipt(body)).toBeUndefined();
    },
  );
});

describe('parseSqsDeadLetter', () => {
  const ids = new Set(['p1', 'p2']);
  test("takes the body's id, else the bridge's amqp.message-id attribute, only for this run's ids", () => {
    expect(parseSqsDeadLetter({ Body: '{"id":"p1","type":"poison"}' }, ids)).toEqual({ id: 'p1', queue: 'sqs' });
    expect(
      parseSqsDeadLetter(
        { Body: 'not json', MessageAttributes: { 'amqp.message-id': { DataType: 'String', StringValue: 'p2' } } },
        ids,
      ),
    ).toEqual({ id: 'p2', queue: 'sqs' });
    expect(parseSqsDeadLetter({ Body: '{"id":"someone-else"}' }, ids)).toBeUndefined();
  });
});

describe('messageCounts', () => {
  test.each([
    [undefined, undefined, { messages: 1000, poison: 10 }],
    ['2000', undefined, { messages: 2000, poison: 20 }],
    ['2000', '0', { messages: 2000, poison: 0 }],
    ['10', undefined, { messages: 10, poison: 0 }],
  ])('--messages %s --poison %s', (m, p, expected) => {
    expect(messageCounts(m, p, 1_000_000)).toEqual(expected);
  });
});

describe('runShape (the run options of npm start and npm run verify)', () => {
  test('splits the poison messages out of the total and leaves size and timeout to their defaults', () => {
    expect(runShape({ messages: '200', poison: '5' })).toEqual({
      messages: 195,
      poison: 5,
      size: undefined,
      timeoutSec: undefined,
    });
  });

  test('reads size and timeout within their bounds: --size up to the SQS body limit when the broker is unknown', () => {
    expect(runShape({ size: '1040384', timeout: '86400' })).toMatchObject({ size: 1_040_384, timeoutSec: 86_400 });
  });

  test("bounds --size by the stage's size limit, naming the broker's max_message_size and the SQS limit", () => {
    const prod = messageSizeLimit(524_288);
    expect(runShape({ size: '524288' }, prod)).toMatchObject({ size: 524_288 });
    expect(() => runShape({ size: '524289' }, prod)).toThrow(
      /--size is "524289"; expected a whole number from 1 to 524288 bytes \(the smaller of the broker's max_message_size \(524288\) and the SQS limit of 1048576 bytes less 8192 for the attributes the bridge adds \(1040384\)\)/,
    );
  });

  test.each([
    [{ size: '1040385' }, /--size is "1040385"; expected a whole number from 1 to 1040384 bytes \(the SQS limit/],
    [{ timeout: '0' }, /--timeout is "0"; expected a whole number from 1 to 86400/],
    [{ messages: '10', poison: '11' }, /--poison is "11"; expected a whole number from 0 to 10/],
  ])('refuses %j naming the option, the value and the range', (values, message) => {
    expect(() => runShape(values)).toThrow(message);
  });
});

describe('explainAwsError', () => {
  test.each([
    [
      Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      /No AWS credentials found/,
    ],
    [new Error('Region is missing'), /pass --region/],
    [Object.assign(new Error('expired'), { name: 'ExpiredTokenException' }), /have expired/],
    [Object.assign(new Error('bad'), { name: 'UnrecognizedClientException' }), /refused the credentials/],
    [Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }), /lambda:InvokeFunction/],
    [Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }), /Cannot reach the AWS endpoint/],
  ])('%s', (error, message) => {
    expect(explainAwsError(error)).toMatch(message);
  });

  test('anything else is left to the caller', () => {
    expect(explainAwsError(new Error('boom'))).toBeUndefined();
  });
});
