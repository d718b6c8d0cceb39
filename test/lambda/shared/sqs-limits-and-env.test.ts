import { integerEnv, optionalEnv, redactUserInfo, requiredEnv, urlEnv } from '../../../lambda/shared/env';
import { ConfigurationError, describeValue } from '../../../lambda/shared/errors';
import { escapeSqsUnsafe, isSqsSafeText, sqsMessageBytes } from '../../../lambda/shared/sqs-limits';

describe('isSqsSafeText', () => {
  it.each([
    ['ASCII', 'hello', true],
    ['tab, LF, CR', '\t\n\r', true],
    ['BMP letters and symbols', 'Grüße ☃ 日本', true],
    ['U+FFFD', '\ufffd', true],
    ['NUL', '\u0000', false],
    ['U+001F', '\u001f', false],
    ['U+FFFE', '\ufffe', false],
    ['U+FFFF', '\uffff', false],
    ['a lone high surrogate', '\ud83d', false],
    // Conservative: SQS documents astral planes as allowed, but lone halves are not, and the emulator refuses both.
    ['an emoji', '😀', false],
    ['empty', '', true],
  ])('%s → %p', (_name, text, safe) => {
    expect(isSqsSafeText(text)).toBe(safe);
  });
});

describe('escapeSqsUnsafe', () => {
  it('turns JSON with forbidden characters into equivalent safe JSON', () => {
    const value = { s: 'a\uffff😀\u0000b' };
    const escaped = escapeSqsUnsafe(JSON.stringify(value));
    expect(isSqsSafeText(escaped)).toBe(true);
    expect(JSON.parse(escaped)).toEqual(value);
  });
});

describe('sqsMessageBytes', () => {
  it('counts UTF-8 body bytes and every attribute name, type and value', () => {
    expect(sqsMessageBytes('é', { ab: { DataType: 'String', StringValue: 'xyz' } })).toBe(2 + 2 + 6 + 3);
  });
});

describe('environment readers', () => {
  it.each([
    [{}, /Environment variable X is not set; expected a non-empty value/],
    [{ X: '  ' }, /Environment variable X is " {2}"; expected a non-empty value/],
  ])('requiredEnv refuses %p', (env, message) => {
    expect(() => requiredEnv(env, 'X')).toThrow(message);
  });

  it('optionalEnv treats empty as absent', () => {
    expect(optionalEnv({ X: '' }, 'X')).toBeUndefined();
    expect(optionalEnv({ X: 'v' }, 'X')).toBe('v');
  });

  it.each([
    [undefined, 4],
    ['7', 7],
    ['1', 1],
  ])('integerEnv reads %p as %p', (raw, expected) => {
    expect(integerEnv({ N: raw }, 'N', 4, 1, 10)).toBe(expected);
  });

  it.each([['0'], ['11'], ['2.5'], ['ten'], ['1e1']])('integerEnv refuses %p naming the range', (raw) => {
    expect(() => integerEnv({ N: raw }, 'N', 4, 1, 10)).toThrow(
      /Environment variable N is ".*"; expected an integer from 1 to 10/,
    );
  });

  it('urlEnv refuses other schemes and never echoes credentials', () => {
    expect(() => urlEnv({ U: 'http://u:secret@h' }, 'U', ['amqps:'])).toThrow(
      /"http:\/\/h"; expected a URL starting with amqps:\/\//,
    );
    expect(() => urlEnv({ U: 'not a url u:secret@x' }, 'U', ['amqps:'])).toThrow(ConfigurationError);
    expect(redactUserInfo('amqp://guest:pw@host:5672')).toBe('amqp://***@host:5672');
    expect(urlEnv({ U: 'amqps://b-1.mq.example:5671' }, 'U', ['amqps:']).hostname).toBe('b-1.mq.example');
  });

  it('describeValue shortens long values', () => {
    expect(describeValue('x'.repeat(500), 10)).toBe('"xxxxxxxxx… (502 chars)');
  });
});
