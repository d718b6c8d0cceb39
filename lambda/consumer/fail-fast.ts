import { ChangeMessageVisibilityCommand, type ChangeMessageVisibilityCommandOutput } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/**
 * Shortens the wait of a record that can never succeed. A record that fails the message contract is reported in
 * `batchItemFailures` like any failure, but waiting a full visibility timeout before each of its `maxReceiveCount`
 * receives only delays its arrival in the DLQ (15 minutes with the dev stage's 180 s). Making it visible again at
 * once lets SQS count the receives within seconds; its redrive policy still moves it, so nothing is lost or skipped.
 */
export interface FailFast {
  /** Makes the record receivable again now. Rejects when SQS refused; the record then waits its visibility timeout. */
  retryNow(record: SQSRecord): Promise<void>;
}

/** The one SQS call fail-fast makes; an `SQSClient` fits. */
export interface SqsVisibilityClient {
  send(command: ChangeMessageVisibilityCommand): Promise<ChangeMessageVisibilityCommandOutput>;
}

/**
 * Fail-fast through `ChangeMessageVisibility` with `VisibilityTimeout: 0` on the record's receipt handle. `queueUrl`
 * is the queue the consumer's event source reads (`SOURCE_QUEUE_URL`); the function needs
 * `sqs:ChangeMessageVisibility` on it, which the SQS event source's grant already includes.
 */
export function createSqsFailFast(options: { readonly sqs: SqsVisibilityClient; readonly queueUrl: string }): FailFast {
  return {
    async retryNow(record) {
      await options.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    },
  };
}
