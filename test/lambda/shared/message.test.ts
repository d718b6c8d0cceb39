import { InvalidMessageError } from '../../../lambda/shared/errors';
import {
  decodeMessage,
  decodeMessageText,
  encodeMessage,
  parseMessage,
  utf8TextOf,
  type Message,
} from '../../../lambda/shared/message';
import { isSqsSafeText } from '../../../lambda/shared/sqs-limits';

const valid: Message = {
  id: 'm-1',
  type: 'sample.event',
  payload: { sequence: 1 },
  createdAt: '2024-05-01T12:00:00.000Z',
  correlationId: 'c-1',
  runId: 'run-1',
};

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('parseMessage', () => {
  it.each([
    ['a full message', valid],
    ['no runId', { ...valid, runId: undefined }],
    ['a null payload', { ...valid, payload: null }],
    ['an array payload', { ...valid, payload: [1, 'two'] }],
    ['an offset date', { ...valid, createdAt: '2024-05-01T14:00:00+02:00' }],
    ['unicode everywhere', { ...valid, id: 'ид-☃', payload: { text: 'Grüße 😀' } }],
  ])('accepts %s', (_name, input) => {
    expect(parseMessage(input)).toMatchObject({ id: input.id });
  });

  it.each([
    ['missing id', { ...valid, id: undefined }, /id is missing; expected a string of 1–128 characters/],
    ['empty id', { ...valid, id: '' }, /id is ""; expected a string of 1–128 characters/],
    ['numeric id', { ...valid, id: 7 }, /id is 7; expected a string/],
    ['long id', { ...valid, id: 'x'.repeat(129) }, /id is "x+… \(131 chars\); expected a string of 1–128/],
    ['missing payload', { ...valid, payload: undefined }, /payload is missing; expected any JSON value/],
    ['bad date', { ...valid, createdAt: 'yesterday' }, /createdAt is "yesterday"; expected an ISO 8601 date-time/],
    ['missing correlationId', { ...valid, correlationId: undefined }, /correlationId is missing/],
    ['empty runId', { ...valid, runId: '' }, /runId is ""; expected absent, or a string/],
    ['an array', [valid], /message is \[.*expected a JSON object with id, type/],
    ['null', null, /message is null; expected a JSON object/],
  ])('refuses %s, naming the field, the value and what is allowed', (_name, input, message) => {
    expect(() => parseMessage(input)).toThrow(message);
    expect(() => parseMessage(input)).toThrow(InvalidMessageError);
  });

  it('names every bad field at once', () => {
    expect(() => parseMessage({ id: 'x' })).toThrow(
      /type is missing.*payload is missing.*createdAt is missing.*correlationId is missing/,
    );
  });
});

describe('encodeMessage', () => {
  it('round-trips through decodeMessage', () => {
    expect(decodeMessage(bytes(encodeMessage(valid)))).toEqual(valid);
  });

  it.each([
    ['U+FFFF', '\uffff'],
    ['U+FFFE', '\ufffe'],
    ['a lone surrogate', '\ud800'],
    ['an emoji (surrogate pair)', '😀'],
    ['a control character', '\u0001'],
  ])('escapes %s so SQS can carry the text, and the value survives', (_name, char) => {
    const message = { ...valid, payload: { text: `a${char}b` } };
    const text = encodeMessage(message);
    expect(isSqsSafeText(text)).toBe(true);
    expect(JSON.parse(text).payload.text).toBe(`a${char}b`);
  });

  it('refuses an invalid message', () => {
    expect(() => encodeMessage({ ...valid, createdAt: 'now' })).toThrow(/createdAt is "now"/);
  });
});

describe('decodeMessage', () => {
  it.each([
    ['empty body', Buffer.alloc(0), undefined, 'empty-body', /the body is empty/],
    [
      'gzip content encoding',
      bytes(encodeMessage(valid)),
      'gzip',
      'unsupported-content-encoding',
      /content encoding "gzip" is not supported/,
    ],
    ['binary body', Buffer.from([0xff, 0xfe, 0x00, 0x81]), undefined, 'not-utf8', /4-byte body is not valid UTF-8/],
    ['latin-1 text', Buffer.from('{"a":"Grüße"}', 'latin1'), undefined, 'not-utf8', /not valid UTF-8/],
    ['not JSON', bytes('hello'), undefined, 'not-json', /the body "hello" is not JSON/],
    ['truncated JSON', bytes('{"id":'), undefined, 'not-json', /is not JSON/],
    [
      'JSON but not the contract',
      bytes('{"id":"1","type":"poison"}'),
      undefined,
      'schema-invalid',
      /payload is missing/,
    ],
    ['a JSON string', bytes('"text"'), undefined, 'schema-invalid', /message is "text"/],
  ])('refuses %s with reason %s', (_name, body, encoding, reason, detail) => {
    let error: unknown;
    try {
      decodeMessage(body, encoding);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect((error as InvalidMessageError).reason).toBe(reason);
    expect((error as InvalidMessageError).message).toMatch(detail);
  });

  it.each([[undefined], [null], [''], ['identity'], ['UTF-8'], ['utf8']])(
    'reads content encoding %p as plain UTF-8',
    (encoding) => {
      expect(decodeMessage(bytes(encodeMessage(valid)), encoding).id).toBe('m-1');
    },
  );

  it('tolerates a UTF-8 byte order mark', () => {
    expect(decodeMessage(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(encodeMessage(valid))])).id).toBe('m-1');
  });

  it('shortens a huge non-JSON body in the error', () => {
    expect(() => decodeMessage(bytes('z'.repeat(100_000)))).toThrow(/… \(100002 chars\)/);
  });
});

describe('utf8TextOf and decodeMessageText (decoding once for the bridge)', () => {
  const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  const reference = (body: Uint8Array): string | undefined => {
    try {
      return strict.decode(body);
    } catch {
      return undefined;
    }
  };
  const outcome = (decode: () => Message): string => {
    try {
      return `ok ${JSON.stringify(decode())}`;
    } catch (error) {
      return `${(error as InvalidMessageError).reason}: ${(error as Error).message}`;
    }
  };

  const bodies: [string, Buffer][] = [
    ['a message', bytes(encodeMessage(valid))],
    [
      'a message after a byte order mark',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes(encodeMessage(valid))]),
    ],
    ['two byte order marks', Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x7b, 0x7d])],
    ['an encoded surrogate (invalid)', Buffer.from([0x7b, 0xed, 0xa0, 0x80, 0x7d])],
    ['an overlong encoding (invalid)', Buffer.from([0xc0, 0xaf])],
    ['a truncated sequence', Buffer.from([0x22, 0xe2, 0x82])],
    ['binary', Buffer.from([0xff, 0xfe, 0x00, 0x81])],
    ['astral characters', bytes('{"a":"😀"}')],
    ['empty', Buffer.alloc(0)],
    ['a slice of a larger buffer', Buffer.from(`xx${encodeMessage(valid)}yy`).subarray(2, -2)],
  ];

  it.each(bodies)('reads %s exactly as a fatal TextDecoder with ignoreBOM does', (_name, body) => {
    expect(utf8TextOf(body)).toBe(reference(body));
  });

  it.each(bodies)('decodes %s with the same result or error as decodeMessage', (_name, body) => {
    for (const encoding of [undefined, 'gzip']) {
      expect(outcome(() => decodeMessageText(body.byteLength, utf8TextOf(body), encoding))).toBe(
        outcome(() => decodeMessage(body, encoding)),
      );
    }
  });
});
