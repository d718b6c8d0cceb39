import '../support/quiet';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { isFifoEvent } from '../../../lambda/consumer/batch-order';
import {
  createConsumerHandler,
  type ConsumerDependencies,
  type FailFast,
  type Receipt,
} from '../../../lambda/consumer/handler';
import { LocalPersistenceLayer } from '../../../lambda/consumer/local-persistence-layer';
import { encodeMessage } from '../../../lambda/shared/message';
import { sampleMessage } from '../support/events';
import { sqsRecordFor } from '../support/sqs-records';

/**
 * A FIFO queue hands the consumer each group's records in order, several per batch. If one fails, the records of
 * its group behind it must not run (SQS hands the group back from the failed one), or they take effect before it.
 */

const FIFO_ARN = 'arn:aws:sqs:us-east-1:000000000000:target.fifo';
let sequence = 1000;

/** A record of message `id` in `group` from a FIFO queue (no group: a record SQS would never send a FIFO batch). */
function fifoRecord(id: string, group: string | undefined, body = encodeMessage(sampleMessage(id))): SQSRecord {
  const record = sqsRecordFor({ MessageBody: body }, { messageId: id });
  return {
    ...record,
    eventSourceARN: FIFO_ARN,
    attributes: {
      ...record.attributes,
      ...(group ? { MessageGroupId: group } : {}),
      SequenceNumber: String(++sequence),
      MessageDeduplicationId: id,
    },
  };
}
const poison = (id: string, group: string) => fifoRecord(id, group, `{"id":"${id}","type":"poison"}`);
const batch = (records: SQSRecord[]): SQSEvent => ({ Records: records });
const failures = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((f) => f.itemIdentifier);

/** A consumer whose processing fails for the ids in `failing`, logging every start and end. */
function consumer(failing: ReadonlySet<string> = new Set(), overrides: Partial<ConsumerDependencies> = {}) {
  const log: string[] = [];
  const receipts: Receipt[] = [];
  const handler = createConsumerHandler({
    processMessage: async (message) => {
      log.push(`start ${message.id}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
      log.push(`end ${message.id}`);
      if (failing.has(message.id)) throw new Error(`downstream refused ${message.id}`);
      return null;
    },
    persistenceStore: new LocalPersistenceLayer(),
    outcomes: { record: async (receipt) => void receipts.push(receipt) },
    ...overrides,
  });
  return { handler, log, receipts, effects: () => log.filter((l) => l.startsWith('end')).map((l) => l.slice(4)) };
}

describe('consumer on a FIFO queue', () => {
  it('runs nothing of a group after its failed record, and reports the rest of that group failed', async () => {
    const { handler, log } = consumer(new Set(['g1-1']));
    const response = await handler(
      batch([fifoRecord('g1-1', 'g1'), fifoRecord('g2-1', 'g2'), fifoRecord('g1-2', 'g1'), fifoRecord('g1-3', 'g1')]),
    );
    expect(failures(response)).toEqual(['g1-1', 'g1-2', 'g1-3']);
    expect(log.filter((l) => l.startsWith('start'))).toEqual(['start g1-1', 'start g2-1']);
  });

  it('keeps going with the other groups after a failure (skipGroupOnError)', async () => {
    const { handler, effects } = consumer(new Set(['a-2']));
    const response = await handler(
      batch([fifoRecord('a-1', 'a'), fifoRecord('a-2', 'a'), fifoRecord('b-1', 'b'), fifoRecord('a-3', 'a')]),
    );
    expect(failures(response)).toEqual(['a-2', 'a-3']);
    expect(effects()).toEqual(['a-1', 'a-2', 'b-1']);
  });

  it('runs the records one at a time, in the order of the batch', async () => {
    const { handler, log } = consumer();
    await handler(batch([fifoRecord('x-1', 'x'), fifoRecord('y-1', 'y'), fifoRecord('x-2', 'x')]));
    expect(log).toEqual(['start x-1', 'end x-1', 'start y-1', 'end y-1', 'start x-2', 'end x-2']);
  });

  it('stops the whole batch at a failure when a record has no group id to tell the groups apart', async () => {
    const { handler, effects } = consumer(new Set(['a-1']));
    const response = await handler(batch([fifoRecord('a-1', 'a'), fifoRecord('n-1', undefined)]));
    expect(failures(response)).toEqual(['a-1', 'n-1']);
    expect(effects()).toEqual(['a-1']);
  });

  it('puts the group and the SQS sequence number on each receipt', async () => {
    const { handler, receipts } = consumer();
    const record = fifoRecord('r-1', 'orders-7');
    await handler(batch([record]));
    expect(receipts).toEqual([
      expect.objectContaining({ id: 'r-1', group: 'orders-7', sequenceNumber: record.attributes.SequenceNumber }),
    ]);
  });

  it('releases an invalid record and the records of its group held behind it, last first; nothing else', async () => {
    const released: string[] = [];
    const failFast: FailFast = { retryNow: async (record) => void released.push(record.messageId) };
    const { handler } = consumer(new Set(['b-1']), { failFast });
    const response = await handler(
      batch([
        fifoRecord('a-1', 'a'),
        poison('p-1', 'a'),
        fifoRecord('b-1', 'b'),
        fifoRecord('a-2', 'a'),
        fifoRecord('b-2', 'b'),
      ]),
    );
    expect(failures(response)).toEqual(['p-1', 'b-1', 'a-2', 'b-2']);
    // b-1 failed transiently: it and b-2 keep their visibility timeout as backoff.
    expect(released).toEqual(['a-2', 'p-1']);
  });
});

describe('consumer on a standard queue', () => {
  it('still runs the records of a batch in parallel and fails only the failed one', async () => {
    const { handler, log } = consumer(new Set(['s-1']));
    const records = ['s-1', 's-2', 's-3'].map((id) =>
      sqsRecordFor({ MessageBody: encodeMessage(sampleMessage(id)) }, { messageId: id }),
    );
    const response = await handler(batch(records));
    expect(failures(response)).toEqual(['s-1']);
    expect(log.slice(0, 3)).toEqual(['start s-1', 'start s-2', 'start s-3']);
  });
});

describe('isFifoEvent', () => {
  it.each([
    ['a FIFO source ARN', [fifoRecord('a', 'g')], true],
    ['a standard source ARN', [sqsRecordFor({ MessageBody: '{}' })], false],
    ['an empty batch', [], false],
  ])('%s', (_name, records, expected) => {
    expect(isFifoEvent(batch(records as SQSRecord[]))).toBe(expected);
  });
});
