import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { buildSqsEvent } from './sqs-event';
import { asError, sleep, withTimeout } from './timing';

/**
 * Emulates Lambda's SQS event source mapping: `concurrency` pollers long-poll the queue, each gathers up to the
 * batch size (or until the batching window closes) and invokes the function. Successful records are deleted; with
 * `ReportBatchItemFailures` only the records the function names stay, without it a thrown invocation leaves the
 * whole batch. What is not deleted reappears after the queue's visibility timeout (or at once when the function
 * itself changed the record's visibility, as the consumer does for invalid records), and the queue's own redrive
 * policy moves it to the DLQ after `maxReceiveCount` receives — like Lambda, the emulator never changes the
 * visibility itself.
 */

export interface SqsEventSourceOptions {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  /** Mapping `BatchSize` (1–10,000). */
  readonly batchSize: number;
  /** Mapping `MaximumBatchingWindowInSeconds`, in milliseconds. */
  readonly batchingWindowMs: number;
  /** Concurrent invocations (`ScalingConfig.MaximumConcurrency`, or the local default). */
  readonly concurrency: number;
  /** `FunctionResponseTypes` contains `ReportBatchItemFailures`. */
  readonly reportBatchItemFailures: boolean;
  readonly handler: (event: SQSEvent) => Promise<SQSBatchResponse | void | undefined>;
  /** Function timeout: an invocation running longer fails its whole batch. @default - no timeout */
  readonly functionTimeoutMs?: number;
  /** Long-poll wait per receive; short so that stop() returns promptly. @default 1 */
  readonly waitTimeSeconds?: number;
  readonly onError?: (error: Error) => void;
}

export interface SqsEventSourceStats {
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly records: number;
  readonly failedRecords: number;
}

const SQS_MAX_RECEIVE = 10;
const SQS_MAX_DELETE = 10;

export class SqsEventSource {
  private running = false;
  private pollers: Promise<void>[] = [];
  private stats = { invocations: 0, failedInvocations: 0, records: 0, failedRecords: 0 };

  constructor(private readonly options: SqsEventSourceOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.pollers = Array.from({ length: Math.max(1, this.options.concurrency) }, () => this.poll());
  }

  get statistics(): SqsEventSourceStats {
    return { ...this.stats };
  }

  /** Stops polling and waits for the invocations in flight to finish and be settled. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.pollers);
    this.pollers = [];
  }

  private async poll(): Promise<void> {
    while (this.running) {
      try {
        const batch = await this.gatherBatch();
        if (batch.length > 0) await this.invoke(batch);
      } catch (error) {
        this.options.onError?.(asError(error));
        await sleep(200);
      }
    }
  }

  private async gatherBatch(): Promise<Message[]> {
    const batch: Message[] = [];
    // The batching window opens with the first record; an empty queue is long-polled without a deadline.
    let deadline = Infinity;
    while (this.running && batch.length < this.options.batchSize) {
      const remainingMs = deadline - Date.now();
      const waitSeconds = batch.length === 0 ? (this.options.waitTimeSeconds ?? 1) : Math.floor(remainingMs / 1000);
      const out = await this.options.client.send(
        new ReceiveMessageCommand({
          QueueUrl: this.options.queueUrl,
          MaxNumberOfMessages: Math.min(SQS_MAX_RECEIVE, this.options.batchSize - batch.length),
          WaitTimeSeconds: Math.max(0, waitSeconds),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const received = out.Messages ?? [];
      if (batch.length === 0 && received.length > 0) deadline = Date.now() + this.options.batchingWindowMs;
      batch.push(...received);
      if (batch.length === 0) continue;
      if (Date.now() >= deadline) break;
      if (received.length === 0) await sleep(Math.min(50, Math.max(0, deadline - Date.now())));
    }
    return batch;
  }

  private async invoke(batch: Message[]): Promise<void> {
    const event = buildSqsEvent(batch, this.options.queueArn, this.options.region);
    this.stats.invocations += 1;
    this.stats.records += batch.length;
    let failedIds: Set<string>;
    try {
      const response = await withTimeout(this.options.handler(event), this.options.functionTimeoutMs);
      failedIds = this.failedItems(response, batch);
    } catch (error) {
      this.options.onError?.(asError(error));
      failedIds = new Set(batch.map((m) => m.MessageId ?? ''));
    }
    if (failedIds.size > 0) this.stats.failedInvocations += 1;
    this.stats.failedRecords += failedIds.size;
    const done = batch.filter((m) => !failedIds.has(m.MessageId ?? ''));
    await this.deleteAll(done);
  }

  /** Lambda's rules: no response or an empty list means success; an unknown or empty identifier fails the batch. */
  private failedItems(response: SQSBatchResponse | void | undefined, batch: readonly Message[]): Set<string> {
    if (!this.options.reportBatchItemFailures || !response || !Array.isArray(response.batchItemFailures))
      return new Set();
    const ids = new Set(batch.map((m) => m.MessageId ?? ''));
    const failed = new Set<string>();
    for (const item of response.batchItemFailures) {
      if (!item.itemIdentifier || !ids.has(item.itemIdentifier)) return ids;
      failed.add(item.itemIdentifier);
    }
    return failed;
  }

  private async deleteAll(messages: readonly Message[]): Promise<void> {
    for (let i = 0; i < messages.length; i += SQS_MAX_DELETE) {
      const chunk = messages.slice(i, i + SQS_MAX_DELETE);
      const out = await this.options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.options.queueUrl,
          Entries: chunk.map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      if (out.Failed && out.Failed.length > 0) {
        // An undeleted record reappears and is processed again: a duplicate, never a loss.
        this.options.onError?.(new Error(`SQS refused to delete ${out.Failed.length} processed messages`));
      }
    }
  }
}
