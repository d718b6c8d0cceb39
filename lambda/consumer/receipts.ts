import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SqsBatchClient } from '../shared/sqs-batch-client';
import { SQS_MAX_BATCH_ENTRIES } from '../shared/sqs-limits';

/** Proof that the consumer processed a delivery of a message (verification counts these). */
export interface Receipt {
  /** Message id. */
  readonly id: string;
  readonly runId?: string;
  /** When the consumer received it (ISO 8601). */
  readonly receivedAt: string;
  /** SQS `ApproximateReceiveCount`: 1 on first delivery. */
  readonly attempt: number;
  /**
   * True when this delivery ran `processMessage` (the business effect); false when idempotency absorbed it as a
   * duplicate. Counting `effect: true` receipts counts effects from outside the function.
   */
  readonly effect: boolean;
  /** FIFO queues: the delivery's `MessageGroupId`; verification checks the order of each group's effects. */
  readonly group?: string;
  /** FIFO queues: SQS's `SequenceNumber`, the message's place in its group. */
  readonly sequenceNumber?: string;
  /**
   * The effect this delivery performed or, for a duplicate, the one it was absorbed by: the same id on every
   * receipt of one effect, so counting distinct ids counts effects even when the effect's own receipt was lost.
   * Absent for messages whose idempotency record predates effect ids.
   */
  readonly effectId?: string;
}

/** Where receipts go. `record` resolves once the receipt is stored; it rejects if it could not be. */
export interface OutcomeSink {
  record(receipt: Receipt): Promise<void>;
}

interface Pending {
  readonly receipt: Receipt;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Receipts to an SQS queue. Receipts recorded in the same turn of the event loop (the records of a batch finish
 * together) are coalesced into SendMessageBatch calls of 10, and each caller learns its own receipt's fate.
 */
export function createSqsReceiptSink(options: {
  readonly sqs: SqsBatchClient;
  readonly queueUrl: string;
}): OutcomeSink {
  let queue: Pending[] = [];
  let scheduled = false;

  const sendChunk = async (chunk: readonly Pending[]) => {
    try {
      const out = await options.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: chunk.map((p, i) => ({ Id: `r${i}`, MessageBody: JSON.stringify(p.receipt) })),
        }),
      );
      const failed = new Map((out.Failed ?? []).map((f) => [f.Id, `${f.Code}: ${f.Message}`]));
      chunk.forEach((p, i) => {
        const failure = failed.get(`r${i}`);
        if (failure) p.reject(new Error(`Receipt for ${p.receipt.id} refused by SQS (${failure})`));
        else p.resolve();
      });
    } catch (error) {
      for (const p of chunk) p.reject(new Error(`Receipt for ${p.receipt.id} not sent: ${(error as Error).message}`));
    }
  };

  const flush = async () => {
    scheduled = false;
    const items = queue;
    queue = [];
    const chunks: Pending[][] = [];
    for (let i = 0; i < items.length; i += SQS_MAX_BATCH_ENTRIES)
      chunks.push(items.slice(i, i + SQS_MAX_BATCH_ENTRIES));
    await Promise.all(chunks.map(sendChunk));
  };

  return {
    record(receipt) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ receipt, resolve, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => void flush());
        }
      });
    },
  };
}
