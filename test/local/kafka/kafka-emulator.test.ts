import type { KafkaMessage } from 'kafkajs';
import { parseKafkaEvent, type KafkaEventInput } from '../../../lambda/kafka-bridge/kafka-event';
import {
  KafkaEventSource,
  RETRIES_WITH_DESTINATION,
  type KafkaEventSourceOptions,
} from '../../../local/kafka/kafka-event-source';
import {
  buildKafkaEvent,
  invocationOutcome,
  type FetchedRecord,
  type OnFailureRecord,
} from '../../../local/kafka/kafka-invoke';

/** The MSK event-source emulator's semantics, without a broker: batches are handed to `processBatch` directly. */

const record = (offset: number, id = `m${offset}`): FetchedRecord => ({
  topic: 'events',
  partition: 1,
  message: {
    key: Buffer.from(id),
    value: Buffer.from(`{"id":"${id}"}`),
    offset: String(offset),
    timestamp: '1700000000000',
    attributes: 0,
    headers: { 'message-id': Buffer.from(id) },
  } as KafkaMessage,
});

function source(handler: (event: KafkaEventInput) => Promise<unknown>, options: Partial<KafkaEventSourceOptions> = {}) {
  const failures: { record: OnFailureRecord; offsets: string[] }[] = [];
  const seen: string[][] = [];
  const es = new KafkaEventSource({
    brokers: ['127.0.0.1:1'],
    topic: 'events',
    groupId: 'g',
    batchSize: 100,
    batchingWindowMs: 0,
    startingPosition: 'TRIM_HORIZON',
    maximumRetryAttempts: 2,
    bisectBatchOnFunctionError: true,
    reportBatchItemFailures: true,
    retryDelayMs: 0,
    handler: async (event) => {
      seen.push(parseKafkaEvent(event).map((r) => r.kafka.offset));
      return handler(event);
    },
    onFailure: async (r, records) => void failures.push({ record: r, offsets: records.map((x) => x.message.offset) }),
    ...options,
  });
  return { es, failures, seen };
}

const failOffsets = (bad: string[]) => async (event: KafkaEventInput) => {
  const failed = parseKafkaEvent(event).filter((r) => bad.includes(r.kafka.offset));
  return { batchItemFailures: failed.map((r) => ({ itemIdentifier: `events-1-${r.kafka.offset}` })) };
};

describe('KafkaEventSource.processBatch', () => {
  it('invokes once for a batch that succeeds', async () => {
    const { es, seen, failures } = source(async () => ({ batchItemFailures: [] }));
    await es.processBatch([0, 1, 2].map((o) => record(o)));
    expect(seen).toEqual([['0', '1', '2']]);
    expect(failures).toEqual([]);
  });

  it('partial response: resumes at the lowest failed record, bisects the rest, and gives up on that record alone', async () => {
    const { es, failures, seen } = source(failOffsets(['2']));
    await es.processBatch([0, 1, 2, 3, 4].map((o) => record(o)));
    expect(failures.map((f) => f.offsets)).toEqual([['2']]);
    // 1 + 2 (retries) invocations with record 2 alone; records 3 and 4 went through after the split.
    expect(seen.filter((s) => s.length === 1 && s[0] === '2')).toHaveLength(3);
    expect(seen.flat().filter((o) => o === '4').length).toBeGreaterThanOrEqual(1);
    expect(failures[0].record).toMatchObject({
      requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 },
      KafkaBatchInfo: { topic: 'events', partition: 1, firstOffset: '2', lastOffset: '2', batchSize: 1 },
    });
  });

  it('function error without bisect: retries the whole batch, then hands it all to the destination', async () => {
    const { es, failures, seen } = source(async () => Promise.reject(new Error('boom')), {
      bisectBatchOnFunctionError: false,
    });
    await es.processBatch([0, 1].map((o) => record(o)));
    expect(seen).toHaveLength(3);
    expect(failures.map((f) => [f.offsets, f.record.KafkaBatchInfo.reason])).toEqual([[['0', '1'], 'boom']]);
  });

  it('unlimited retries with a destination become 10, as Lambda applies them', () => {
    expect(source(async () => undefined, { maximumRetryAttempts: -1 }).es.retryLimit).toBe(RETRIES_WITH_DESTINATION);
    expect(source(async () => undefined, { maximumRetryAttempts: -1, onFailure: undefined }).es.retryLimit).toBe(
      Infinity,
    );
  });

  it('a function that times out fails its batch', async () => {
    const { es, failures } = source(() => new Promise(() => undefined), {
      functionTimeoutMs: 20,
      maximumRetryAttempts: 0,
    });
    await es.processBatch([record(0)]);
    expect(failures[0].record.KafkaBatchInfo.reason).toMatch(/timed out after 20 ms/);
  });
});

describe('invocationOutcome', () => {
  const batch = [0, 1, 2].map((o) => record(o));
  it.each([
    [undefined, true, { kind: 'success' }],
    [{ batchItemFailures: [] }, true, { kind: 'success' }],
    [
      { batchItemFailures: [{ itemIdentifier: 'events-1-2' }, { itemIdentifier: 'events-1-1' }] },
      true,
      { kind: 'partial', firstFailed: 1 },
    ],
    [{ batchItemFailures: [{ itemIdentifier: 'events-1-9' }] }, true, { kind: 'error' }],
    [{ batchItemFailures: 'x' }, true, { kind: 'error' }],
    [{ batchItemFailures: [{ itemIdentifier: 'events-1-2' }] }, false, { kind: 'success' }],
  ])('%j with ReportBatchItemFailures=%s', (result, report, expected) => {
    expect(invocationOutcome(batch, result, report)).toMatchObject(expected);
  });
});

test('buildKafkaEvent writes what parseKafkaEvent reads (the shape AWS publishes)', () => {
  const event = buildKafkaEvent([record(5, 'x')], '127.0.0.1:9092');
  expect(event).toMatchObject({ eventSource: 'aws:kafka', bootstrapServers: '127.0.0.1:9092' });
  expect(Object.keys(event.records!)).toEqual(['events-1']);
  const [parsed] = parseKafkaEvent(event);
  expect(parsed).toMatchObject({
    messageId: 'x',
    kafka: { topic: 'events', partition: 1, offset: '5', key: Buffer.from('x') },
  });
});
