import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  SendMessageBatchCommand,
  type MessageAttributeValue,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { elapsedMs, perSecond } from './stats';

/** SQS accepts at most 10 entries per `SendMessageBatch`. */
export const SQS_BATCH_LIMIT = 10;

/** A fresh queue for one repetition, deleted afterwards so the emulator's memory does not grow across repetitions. */
export async function withScratchQueue<T>(sqs: SQSClient, label: string, use: (url: string) => Promise<T>): Promise<T> {
  const { QueueUrl } = await sqs.send(
    new CreateQueueCommand({ QueueName: `bench-${label}-${randomUUID().slice(0, 8)}` }),
  );
  if (!QueueUrl) throw new Error(`SQS emulator returned no QueueUrl for the ${label} queue`);
  try {
    return await use(QueueUrl);
  } finally {
    await sqs.send(new DeleteQueueCommand({ QueueUrl }));
  }
}

/**
 * Runs `batches` jobs with at most `parallelism` at a time, in index order — the same bounded fan-out the bridge
 * applies to its `SendMessageBatch` calls.
 */
export async function runBounded(
  batches: number,
  parallelism: number,
  job: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(parallelism, batches) }, worker));
}

/**
 * Sends `messages` bodies of `size` bytes with plain `SendMessageBatch` calls of 10, `parallelism` in flight, and
 * returns accepted messages per second: the emulator's limit for this SDK client on this machine. With
 * `attributes`, every entry also carries them — to tell what carrying attributes costs from what the bridge's own
 * code costs.
 */
export async function measureRawSqs(
  sqs: SQSClient,
  messages: number,
  size: number,
  parallelism: number,
  attributes?: (index: number) => Record<string, MessageAttributeValue>,
): Promise<number> {
  const body = 'x'.repeat(size);
  const batches = Math.ceil(messages / SQS_BATCH_LIMIT);
  return withScratchQueue(sqs, 'raw', async (QueueUrl) => {
    const start = process.hrtime.bigint();
    await runBounded(batches, parallelism, async (b) => {
      const count = Math.min(SQS_BATCH_LIMIT, messages - b * SQS_BATCH_LIMIT);
      const Entries: SendMessageBatchRequestEntry[] = Array.from({ length: count }, (_, i) => ({
        Id: String(i),
        MessageBody: body,
        ...(attributes && { MessageAttributes: attributes(b * SQS_BATCH_LIMIT + i) }),
      }));
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries }));
      if (out.Failed?.length)
        throw new Error(`raw SQS: emulator refused ${out.Failed.length} entries (${out.Failed[0].Message})`);
    });
    return perSecond(messages, elapsedMs(start));
  });
}
