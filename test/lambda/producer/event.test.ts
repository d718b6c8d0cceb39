import { InvalidProducerEventError } from '../../../lambda/shared/errors';
import { randomUUID } from 'node:crypto';
import { decodeMessage, encodeMessage, type Message } from '../../../lambda/shared/message';
import { MAX_BODY_BYTES } from '../../../lambda/shared/sqs-limits';
import {
  buildMessages,
  MAX_MESSAGES_PER_INVOCATION,
  parseProducerEvent,
  prepareMessages,
} from '../../../lambda/producer/event';

const ids = () => {
  let n = 0;
  return () => `id-${n++}`;
};

describe('parseProducerEvent', () => {
  it.each([
    ['undefined', undefined, { count: 1, poison: 0, runId: 'id-0' }],
    ['an empty object', {}, { count: 1, poison: 0, runId: 'id-0' }],
    ['count and poison', { count: 10, poison: 2, runId: 'r-1' }, { count: 10, poison: 2, runId: 'r-1' }],
    ['count 0', { count: 0 }, { count: 0, poison: 0 }],
    ['a payload', { payload: { a: 1 } }, { count: 1, payload: { a: 1 } }],
    ['a size', { size: 1024 }, { count: 1, size: 1024 }],
    ['the largest size', { size: MAX_BODY_BYTES }, { size: MAX_BODY_BYTES }],
  ])('accepts %s', (_name, event, expected) => {
    expect(parseProducerEvent(event, ids())).toMatchObject(expected);
  });

  it.each([
    ['a string event', 'go', /event is "go"; expected an object/],
    ['an array event', [1], /event is \[1\]; expected an object/],
    ['negative count', { count: -1 }, /count is -1; expected an integer from 0 to 100000/],
    ['fractional count', { count: 1.5 }, /count is 1.5; expected an integer/],
    ['string count', { count: '5' }, /count is "5"; expected an integer/],
    ['too many', { count: MAX_MESSAGES_PER_INVOCATION + 1 }, /count is 100001/],
    [
      'too many with poison',
      { count: MAX_MESSAGES_PER_INVOCATION, poison: 1 },
      /count \+ poison is 100001; expected at most 100000/,
    ],
    ['negative poison', { poison: -2 }, /poison is -2/],
    ['bad runId', { runId: 'a b' }, /runId is "a b"; expected 1–128 characters from/],
    ['numeric runId', { runId: 5 }, /runId is 5/],
    [
      'oversized (over the 1 MiB SQS limit)',
      { size: 2_000_000 },
      /size is 2000000; expected an integer from 0 to 1040384 bytes \(the SQS limit of 1048576 bytes less 8192/,
    ],
    ['negative size', { size: -1 }, /size is -1/],
    ['size with payload', { size: 10, payload: {} }, /size is 10; expected no size when a payload is given/],
  ])('refuses %s with a clear error', (_name, event, message) => {
    expect(() => parseProducerEvent(event, ids())).toThrow(message);
    expect(() => parseProducerEvent(event, ids())).toThrow(InvalidProducerEventError);
  });
});

describe('buildMessages', () => {
  const now = new Date('2024-05-01T00:00:00.000Z');

  it('builds good messages that satisfy the contract, then poison ones that do not', () => {
    const messages = buildMessages({ count: 2, poison: 1, runId: 'r' }, ids(), now);
    expect(messages.map((m) => [m.id, m.poison])).toEqual([
      ['id-0', false],
      ['id-1', false],
      ['id-2', true],
    ]);
    expect(decodeMessage(messages[1].body)).toEqual({
      id: 'id-1',
      type: 'sample.event',
      payload: { sequence: 1 },
      createdAt: '2024-05-01T00:00:00.000Z',
      correlationId: 'id-1',
      runId: 'r',
    });
    expect(() => decodeMessage(messages[2].body)).toThrow(/schema-invalid: payload is missing/);
  });

  it.each([[0], [200], [10_000], [MAX_BODY_BYTES]])('pads generated payloads to size %p (or the minimum)', (size) => {
    const [message] = buildMessages({ count: 1, poison: 0, runId: 'r', size }, ids(), now);
    expect(message.body.byteLength).toBe(Math.max(size, 147));
  });

  it('uses the given payload, escaping characters SQS cannot carry', () => {
    const [message] = buildMessages({ count: 1, poison: 0, runId: 'r', payload: { s: '\uffff😀' } }, ids(), now);
    expect(message.body.toString()).toContain('\\uffff\\ud83d\\ude00');
    expect(decodeMessage(message.body).payload).toEqual({ s: '\uffff😀' });
  });

  it('refuses a given payload whose body exceeds what SQS can carry (oversized)', () => {
    expect(() =>
      buildMessages({ count: 1, poison: 0, runId: 'r', payload: 'x'.repeat(MAX_BODY_BYTES) }, ids(), now),
    ).toThrow(
      /payload \(encoded message size in bytes\) is 1040506; expected at most 1040384 bytes: the SQS limit of 1048576 bytes less 8192/,
    );
  });

  it('refuses a payload that is not JSON-serialisable', () => {
    expect(() =>
      buildMessages({ count: 1, poison: 0, runId: 'r', payload: { f: undefined, n: NaN } }, ids(), now),
    ).toThrow(InvalidProducerEventError);
  });
});

describe('prepareMessages (bodies built while publishing)', () => {
  const now = new Date('2024-05-01T00:00:00.000Z');
  const createdAt = now.toISOString();

  /** What the contract's own encoder writes for good message `sequence` (the pre-template way of building it). */
  function reference(id: string, sequence: number, runId: string, payload?: unknown, size?: number): Buffer {
    const message = { id, type: 'sample.event', createdAt, correlationId: id, runId };
    if (payload !== undefined) return Buffer.from(encodeMessage({ ...message, payload } as Message));
    if (size === undefined) return Buffer.from(encodeMessage({ ...message, payload: { sequence } }));
    const unpadded = Buffer.byteLength(encodeMessage({ ...message, payload: { sequence, padding: '' } }));
    const padding = 'x'.repeat(Math.max(0, size - unpadded));
    return Buffer.from(encodeMessage({ ...message, payload: { sequence, padding } }));
  }

  const idSets: [string, () => () => string][] = [
    ['UUIDs', () => () => randomUUID()],
    // Lengths and digit counts change along the way: every new shape is written as text, the rest copied.
    ['counters of growing length', ids],
    [
      'ids JSON or SQS must escape',
      () => {
        const exotic = ['quote"d', 'emoji-😀', 'tab\there', 'é-accent', '\uffff'];
        let n = 0;
        return () => `${exotic[n % exotic.length]}-${n++}`;
      },
    ],
  ];

  it.each(idSets)('writes exactly what encodeMessage writes, for %s, with and without size', (_name, makeIds) => {
    for (const size of [undefined, 0, 200, 512, 5_000]) {
      const prepared = prepareMessages({ count: 120, poison: 2, runId: 'run:1', size }, makeIds(), now);
      const messages = [...prepared];
      expect(messages.map((m) => m.id)).toEqual(prepared.ids);
      messages.slice(0, 120).forEach((m, sequence) => {
        expect(m.body.toString()).toBe(reference(m.id, sequence, 'run:1', undefined, size).toString());
        expect(m.poison).toBe(false);
      });
      for (const m of messages.slice(120)) {
        expect(m.poison).toBe(true);
        expect(() => decodeMessage(m.body)).toThrow(/schema-invalid: payload is missing/);
      }
    }
  });

  it.each(idSets)('writes a given payload exactly as encodeMessage does, for %s', (_name, makeIds) => {
    const payload = { s: '\uffff😀', n: [1, 2.5, null, true], nested: { k: 'v"' } };
    const messages = [...prepareMessages({ count: 30, poison: 0, runId: 'r', payload }, makeIds(), now)];
    for (const m of messages) expect(m.body.toString()).toBe(reference(m.id, 0, 'r', payload).toString());
  });

  it('builds nothing until asked: bodies are made one at a time by the iterator', () => {
    let generated = 0;
    const prepared = prepareMessages({ count: 3, poison: 0, runId: 'r' }, () => `id-${generated++}`, now);
    // Ids are generated (and checked) up front; bodies are not.
    expect(generated).toBe(3);
    const iterator = prepared[Symbol.iterator]();
    expect(iterator.next().value).toMatchObject({ id: 'id-0' });
  });

  it('checks the largest body of a given payload, whichever message has the longest id', () => {
    const payload = 'x'.repeat(MAX_BODY_BYTES - 130);
    const oneCharIds = () => () => 'i';
    // With 1-character ids every body is 1,040,370 bytes: under the limit.
    expect(() => prepareMessages({ count: 3, poison: 0, runId: 'r', payload }, oneCharIds(), now)).not.toThrow();
    const lengths = [1, 1, 40];
    let n = 0;
    // The third id is 39 characters longer, twice in its body: 1,040,448 bytes, refused before any body is built.
    expect(() =>
      prepareMessages({ count: 3, poison: 0, runId: 'r', payload }, () => 'i'.repeat(lengths[n++]), now),
    ).toThrow(/payload \(encoded message size in bytes\) is 1040448; expected at most 1040384/);
  });

  it('refuses ids the contract does not allow before building anything', () => {
    expect(() => prepareMessages({ count: 2, poison: 0, runId: 'r' }, () => '', now)).toThrow(
      /message id generator returned ""; expected a string of 1–128 characters/,
    );
  });
});
