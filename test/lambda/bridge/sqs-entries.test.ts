import { parseRabbitMqEvent, type BridgeRecord } from '../../../lambda/bridge/rabbitmq-event';
import {
  chunkEntries,
  fifoSafeId,
  messageGroupId,
  planEntry,
  type PlannedEntry,
} from '../../../lambda/bridge/sqs-entries';
import type { ForwardFailure } from '../../../lambda/shared/errors';
import { encodeMessage } from '../../../lambda/shared/message';
import { messageSizeLimit } from '../../../lambda/shared/message-size';
import { isSqsSafeText, sqsMessageBytes } from '../../../lambda/shared/sqs-limits';
import { bytesOf, messageRecord, rabbitEvent, rabbitRecord, sampleMessage } from '../support/events';

const record = (input: ReturnType<typeof rabbitRecord>): BridgeRecord => parseRabbitMqEvent(rabbitEvent([input]))[0];
const standard = { fifo: false };

function planned(input: ReturnType<typeof rabbitRecord>, options = standard): PlannedEntry {
  const plan = planEntry(record(input), options);
  if (!('entry' in plan)) throw new Error(`expected an entry, got ${plan.message}`);
  return plan;
}

const attr = (p: PlannedEntry, name: string) => p.entry.MessageAttributes?.[name]?.StringValue;

describe('planEntry', () => {
  it('forwards a valid message untouched with its ids, content type and headers as attributes', () => {
    const message = sampleMessage('m-1');
    const p = planned(
      rabbitRecord(encodeMessage(message), {
        messageId: 'm-1',
        correlationId: 'corr-m-1',
        type: 'sample.event',
        headers: { tenant: bytesOf('acme'), retries: 2 },
      }),
    );
    expect(p.entry.MessageBody).toBe(encodeMessage(message));
    expect(p.entry.MessageAttributes).toEqual({
      'amqp.message-id': { DataType: 'String', StringValue: 'm-1' },
      'amqp.correlation-id': { DataType: 'String', StringValue: 'corr-m-1' },
      'amqp.content-type': { DataType: 'String', StringValue: 'application/json' },
      'amqp.type': { DataType: 'String', StringValue: 'sample.event' },
      'amqp.headers': { DataType: 'String', StringValue: '{"tenant":"acme","retries":2}' },
    });
    expect(p.entry.MessageDeduplicationId).toBeUndefined();
    expect(p.bytes).toBeGreaterThan(p.entry.MessageBody!.length);
  });

  it('omits absent properties (missing properties)', () => {
    const p = planned({ data: Buffer.from(encodeMessage(sampleMessage('x'))).toString('base64') });
    expect(Object.keys(p.entry.MessageAttributes ?? {})).toEqual([]);
  });

  it.each([
    ['BMP unicode', '{"s":"Grüße ☃ 日本"}', undefined],
    ['a byte order mark', '\ufeff{"a":1}', undefined],
    ['an emoji (outside the conservative set)', '{"s":"😀"}', 'base64'],
    ['U+FFFF', '{"s":"\uffff"}', 'base64'],
    ['a NUL character', 'a\u0000b', 'base64'],
  ])('text with %s travels with body encoding %p and survives', (_name, text, encoding) => {
    const p = planned(rabbitRecord(text));
    expect(attr(p, 'bridge.body-encoding')).toBe(encoding);
    expect(isSqsSafeText(p.entry.MessageBody!)).toBe(true);
    const restored =
      encoding === 'base64' ? Buffer.from(p.entry.MessageBody!, 'base64').toString('utf8') : p.entry.MessageBody;
    expect(restored).toBe(text);
  });

  it('wraps a binary body in base64 and says why it is not a message', () => {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    const p = planned(rabbitRecord(binary, { messageId: 'bin-1' }));
    expect(Buffer.from(p.entry.MessageBody!, 'base64')).toEqual(binary);
    expect(attr(p, 'bridge.body-encoding')).toBe('base64');
    expect(attr(p, 'bridge.invalid-reason')).toMatch(/^not-utf8: the 6-byte body is not valid UTF-8/);
  });

  it('forwards an empty body as a placeholder', () => {
    const p = planned(rabbitRecord(Buffer.alloc(0), { messageId: 'e-1' }));
    expect(p.entry.MessageBody).toBe('(empty body)');
    expect(attr(p, 'bridge.body-encoding')).toBe('empty');
    expect(attr(p, 'bridge.invalid-reason')).toMatch(/^empty-body/);
  });

  it.each([
    ['not JSON', 'hello', /^not-json: the body "hello" is not JSON/],
    ['schema-invalid', '{"id":"p","type":"poison"}', /^schema-invalid: payload is missing/],
  ])('forwards %s untouched, with the reason as an attribute', (_name, text, reason) => {
    const p = planned(rabbitRecord(text));
    expect(p.entry.MessageBody).toBe(text);
    expect(attr(p, 'bridge.invalid-reason')).toMatch(reason);
  });

  it('carries an unsupported content encoding and flags it', () => {
    const p = planned(rabbitRecord(encodeMessage(sampleMessage('z')), { contentEncoding: 'gzip' }));
    expect(attr(p, 'amqp.content-encoding')).toBe('gzip');
    expect(attr(p, 'bridge.invalid-reason')).toMatch(/^unsupported-content-encoding: content encoding "gzip"/);
  });

  it('escapes header and property values SQS cannot carry', () => {
    const p = planned(rabbitRecord('{}', { messageId: 'id\uffff', headers: { h: bytesOf('v\uffff😀') } }));
    expect(attr(p, 'amqp.message-id')).toBe('id\\uffff');
    expect(JSON.parse(attr(p, 'amqp.headers')!)).toEqual({ h: 'v\uffff😀' });
  });

  it('refuses a record SQS cannot carry (oversized), naming it, instead of dropping it', () => {
    const plan = planEntry(
      record(rabbitRecord('x'.repeat(1_048_577), { messageId: 'big-1' })),
      standard,
    ) as ForwardFailure;
    expect(plan).toEqual({
      id: 'big-1',
      code: 'Oversized',
      message: expect.stringMatching(
        /^body of 1048577 bytes; the flow takes at most 1040384 bytes: the SQS limit of 1048576 bytes less 8192 for the attributes the bridge adds \(1040384\); left on the broker/,
      ),
    });
  });

  it("refuses a body over the flow's size limit, naming the broker's max_message_size and the SQS limit", () => {
    const sizeLimit = messageSizeLimit(524_288);
    const atLimit = planEntry(record(rabbitRecord('x'.repeat(524_288))), { ...standard, sizeLimit });
    expect('entry' in atLimit).toBe(true);
    const over = planEntry(record(rabbitRecord('x'.repeat(524_289), { messageId: 'big-2' })), {
      ...standard,
      sizeLimit,
    });
    expect(over).toEqual({
      id: 'big-2',
      code: 'Oversized',
      message: expect.stringMatching(
        /^body of 524289 bytes; the flow takes at most 524288 bytes: the smaller of the broker's max_message_size \(524288\) and the SQS limit of 1048576 bytes/,
      ),
    });
  });

  it.each([
    ['a valid message', rabbitRecord(encodeMessage(sampleMessage('m-1')), { messageId: 'm-1', correlationId: 'c' })],
    ['a byte order mark and headers', rabbitRecord('\ufeff{"a":1}', { headers: { 'x-é': 'ü', n: 1 } })],
    ['a binary body', rabbitRecord(Buffer.from([0xff, 0x00, 0x81]), { type: 't', contentEncoding: 'identity' })],
    ['an empty body', rabbitRecord('')],
    ['values SQS cannot carry', rabbitRecord('{"s":"😀"}', { messageId: 'id-\uffff', correlationId: 'é😀' })],
  ])('counts %s exactly as sqsMessageBytes counts body and attributes', (_name, input) => {
    const p = planned(input);
    expect(p.bytes).toBe(sqsMessageBytes(p.entry.MessageBody as string, p.entry.MessageAttributes));
  });

  it('counts base64 growth and attributes against the SQS limit', () => {
    const justFits = planEntry(record(rabbitRecord('x'.repeat(1_040_384))), standard);
    expect('entry' in justFits).toBe(true);
    const wrappedTooBig = planEntry(record(rabbitRecord(Buffer.alloc(800_000, 0xff))), standard);
    expect(wrappedTooBig).toMatchObject({
      code: 'Oversized',
      message: expect.stringMatching(/^10\d{5} bytes as an SQS message exceeds the SQS limit of 1048576 bytes/),
    });
  });

  describe('FIFO', () => {
    const fifo = { fifo: true } as never;
    it('uses the message id as deduplication id and the configured field as group id', () => {
      const p = planned(messageRecord('m-7', { payload: { customer: 'c-42' } }), {
        fifo: true,
        messageGroupIdField: 'payload.customer',
      } as never);
      expect(p.entry.MessageDeduplicationId).toBe('m-7');
      expect(p.entry.MessageGroupId).toBe('c-42');
    });

    it('uses the body id of a valid message as deduplication id, not its AMQP message-id', () => {
      const a = planned(rabbitRecord(encodeMessage(sampleMessage('body-1')), { messageId: 'amqp-1' }), fifo);
      const b = planned(rabbitRecord(encodeMessage(sampleMessage('body-2')), { messageId: 'amqp-1' }), fifo);
      expect([a.entry.MessageDeduplicationId, b.entry.MessageDeduplicationId]).toEqual(['body-1', 'body-2']);
    });

    it('hashes a body id SQS cannot carry as a deduplication id', () => {
      const p = planned(rabbitRecord(encodeMessage(sampleMessage('id with spaces é'))), fifo);
      expect(p.entry.MessageDeduplicationId).toBe(fifoSafeId('id with spaces é'));
      expect(p.entry.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    });

    it("derives an invalid message's deduplication id from its message-id and bytes: stable, and distinct per message", () => {
      const poison = (body: string, messageId: string | null) =>
        planned(rabbitRecord(body, { messageId }), fifo).entry.MessageDeduplicationId;
      const id = poison('{"id":"p-1","type":"poison"}', 'amqp-1');
      expect(id).toMatch(/^[0-9a-f]{64}$/);
      expect(poison('{"id":"p-1","type":"poison"}', 'amqp-1')).toBe(id);
      expect(poison('{"id":"p-2","type":"poison"}', 'amqp-1')).not.toBe(id);
      expect(poison('{"id":"p-1","type":"poison"}', 'amqp-2')).not.toBe(id);
      expect(poison('{"id":"p-1","type":"poison"}', null)).not.toBe(id);
    });

    it('derives a stable deduplication id from the body when there is no message id', () => {
      const a = planned(rabbitRecord('same body'), { fifo: true } as never);
      const b = planned(rabbitRecord('same body'), { fifo: true } as never);
      expect(a.entry.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
      expect(a.entry.MessageDeduplicationId).toBe(b.entry.MessageDeduplicationId);
      expect(a.entry.MessageGroupId).toBe('ungrouped');
    });
  });
});

describe('messageGroupId and fifoSafeId', () => {
  it.each([
    ['{"type":"a"}', 'type', 'a'],
    ['{"p":{"n":7}}', 'p.n', '7'],
    ['{"p":{"n":true}}', 'p.n', 'true'],
    ['{"p":{}}', 'p.n', 'ungrouped'],
    ['{"p":{"n":{"deep":1}}}', 'p.n', 'ungrouped'],
    ['{"type":""}', 'type', 'ungrouped'],
    ['not json', 'type', 'ungrouped'],
    ['{"type":"a"}', undefined, 'ungrouped'],
  ])('group of %s at %p is %p', (text, path, expected) => {
    expect(messageGroupId(text, path)).toBe(expected);
  });

  it.each([
    ['plain-id_1', 'plain-id_1'],
    ['with space', expect.stringMatching(/^[0-9a-f]{64}$/)],
    ['ü', expect.stringMatching(/^[0-9a-f]{64}$/)],
    ['x'.repeat(129), expect.stringMatching(/^[0-9a-f]{64}$/)],
  ])('fifoSafeId(%p)', (value, expected) => {
    expect(fifoSafeId(value)).toEqual(expected);
  });
});

describe('chunkEntries', () => {
  const entries = (sizes: number[]): PlannedEntry[] =>
    sizes.map((bytes, i) => ({ record: { index: i } as BridgeRecord, entry: { MessageBody: 'x' }, bytes }));

  it.each([
    ['an empty batch', [], []],
    ['one entry', [10], [1]],
    ['ten entries', Array(10).fill(10), [10]],
    ['eleven entries', Array(11).fill(10), [10, 1]],
    ['entries over the byte budget', [600_000, 600_000, 10], [1, 2]],
    ['one entry at the limit', [1_048_576, 1], [1, 1]],
  ])('splits %s by count and bytes', (_name, sizes, expected) => {
    expect(chunkEntries(entries(sizes as number[])).map((c) => c.length)).toEqual(expected);
  });

  it('splits 10,000 entries into 1,000 requests', () => {
    expect(chunkEntries(entries(Array(10_000).fill(200)))).toHaveLength(1_000);
  });
});
