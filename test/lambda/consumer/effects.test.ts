import '../support/quiet';
import type { SQSEvent } from 'aws-lambda';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { createConsumerHandler, type Receipt } from '../../../lambda/consumer/handler';
import { LocalPersistenceLayer } from '../../../lambda/consumer/local-persistence-layer';
import { encodeMessage } from '../../../lambda/shared/message';
import { countEffects } from '../../../verify/accounting';
import { sampleMessage } from '../support/events';
import { quietLogger } from '../support/quiet';
import { sqsRecordFor } from '../support/sqs-records';

/**
 * Issue 17, item 13: the report counts effects from the receipts, so every effect the consumer performs must be
 * countable there — also when the idempotency record or the receipt could not be written after the effect.
 */

/** An idempotency store that refuses the next `refusals` success writes (as a throttled DynamoDB would). */
class RefusingSuccessWrites extends LocalPersistenceLayer {
  constructor(private refusals: number) {
    super();
  }

  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    if (this.refusals > 0) {
      this.refusals--;
      throw new Error('ProvisionedThroughputExceededException: write refused');
    }
    return super._updateRecord(record);
  }
}

/** A Lambda context whose in-progress records expire after `ms` (Powertools uses the remaining time). */
const shortContext = (ms: number) => {
  const deadline = Date.now() + ms;
  return { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()) } as never;
};

const delivery = (id: string, receiveCount = 1): SQSEvent => ({
  Records: [sqsRecordFor({ MessageBody: encodeMessage(sampleMessage(id)) }, { receiveCount })],
});

/** The report's effect count from what the consumer wrote as receipts (as verify/accounting counts it). */
const receiptEffects = (receipts: readonly Receipt[]) =>
  countEffects(receipts.map((r) => ({ ...r, receivedAt: Date.parse(r.receivedAt) }))).count;

describe('consumer effects and the report', () => {
  it('idempotency write refused after processing: the record is not retried, and every effect has its receipt', async () => {
    const performed: string[] = [];
    const receipts: Receipt[] = [];
    const errors: string[] = [];
    const handler = createConsumerHandler({
      processMessage: async (message) => void performed.push(message.id),
      persistenceStore: new RefusingSuccessWrites(1),
      outcomes: { record: async (receipt) => void receipts.push(receipt) },
      logger: { ...quietLogger, error: (message: string) => void errors.push(message) },
    });

    // The effect happened; only its idempotency record is incomplete. Failing the record would make SQS bring it
    // back after the visibility timeout and run the effect again for certain.
    const first = await handler(delivery('m-1'), shortContext(50));
    expect(first.batchItemFailures).toEqual([]);
    expect(errors).toEqual([expect.stringMatching(/idempotency record could not be completed/)]);

    // Another copy of the message (an SQS or bridge duplicate) after the in-progress record expired: a second
    // effect, which its own receipt reports.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await handler(delivery('m-1'), shortContext(50));

    expect(performed).toEqual(['m-1', 'm-1']);
    expect(receipts.map((r) => r.effect)).toEqual([true, true]);
    expect(receiptEffects(receipts)).toBe(performed.length);
  });

  it('receipt send refused after processing: the redelivery is absorbed and its receipt names the effect', async () => {
    const performed: string[] = [];
    const receipts: Receipt[] = [];
    let refuse = true;
    const handler = createConsumerHandler({
      processMessage: async (message) => void performed.push(message.id),
      persistenceStore: new LocalPersistenceLayer(),
      outcomes: {
        record: async (receipt) => {
          if (refuse) {
            refuse = false;
            throw new Error(`Receipt for ${receipt.id} refused by SQS (InternalError)`);
          }
          receipts.push(receipt);
        },
      },
      logger: quietLogger,
    });

    const first = await handler(delivery('m-2'));
    expect(first.batchItemFailures).toHaveLength(1);
    const retry = await handler(delivery('m-2', 2));
    expect(retry.batchItemFailures).toEqual([]);

    expect(performed).toEqual(['m-2']);
    expect(receipts).toEqual([expect.objectContaining({ id: 'm-2', attempt: 2, effect: false })]);
    expect(receipts[0].effectId).toEqual(expect.any(String));
    expect(receiptEffects(receipts)).toBe(performed.length);
  });

  it('gives every effect its own id, and replays that id with each duplicate', async () => {
    const receipts: Receipt[] = [];
    const handler = createConsumerHandler({
      processMessage: async () => ({ done: true }),
      persistenceStore: new LocalPersistenceLayer(),
      outcomes: { record: async (receipt) => void receipts.push(receipt) },
      logger: quietLogger,
    });
    await handler(delivery('a'));
    await handler(delivery('a', 2));
    await handler(delivery('b'));
    const [a1, a2, b] = receipts;
    expect([a1.effect, a2.effect, b.effect]).toEqual([true, false, true]);
    expect(a2.effectId).toBe(a1.effectId);
    expect(b.effectId).not.toBe(a1.effectId);
    expect(receiptEffects(receipts)).toBe(2);
  });
});

describe('countEffects with effect ids', () => {
  it('counts distinct effect ids per message, whatever the effect flag of the receipt that carries them', () => {
    const at = 0;
    expect(
      countEffects([
        { id: 'a', receivedAt: at, effect: false, effectId: 'e1' },
        { id: 'a', receivedAt: at, effect: false, effectId: 'e1' },
        { id: 'b', receivedAt: at, effect: true, effectId: 'e2' },
        { id: 'b', receivedAt: at, effect: true, effectId: 'e3' },
        { id: 'c', receivedAt: at, effect: true },
      ]),
    ).toMatchObject({ count: 4, countedFrom: 'receipts (effect flag)' });
  });
});
