import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Batch, type Consumer } from 'kafkajs';
import type { KafkaEventInput } from '../../lambda/kafka-bridge/kafka-event';
import { asError, sleep, withTimeout } from '../timing';
import {
  buildKafkaEvent,
  invocationOutcome,
  LOCAL_KAFKA_CLUSTER_ARN,
  type FetchedRecord,
  type OnFailureRecord,
} from './kafka-invoke';

/**
 * Emulates Lambda's Amazon MSK event source mapping with the deployed settings: a consumer group that reads each
 * partition in order (one poller per partition), batches of at most `batchSize` records of one partition, the batching
 * window as the fetch's longest wait, and offsets committed only after a batch is done (so a crash or a broker restart
 * redelivers it). A partial batch response is done up to its lowest failed record; a failed batch (or the rest of a
 * partial one) is split in two (bisect on error, not counted as a retry) until one record remains, which is retried
 * at most `maximumRetryAttempts` times and then goes to the on-failure destination while the partition moves on.
 */

export interface KafkaEventSourceOptions {
  /** Bootstrap brokers `host:port`. */
  readonly brokers: readonly string[];
  readonly topic: string;
  /** Consumer group (the mapping's own, as Lambda names it after the mapping). */
  readonly groupId: string;
  /** Mapping `BatchSize`. */
  readonly batchSize: number;
  /** Mapping `MaximumBatchingWindowInSeconds`, in milliseconds. */
  readonly batchingWindowMs: number;
  /** `TRIM_HORIZON` reads the topic from its start, `LATEST` only what arrives after the group first joins. */
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Mapping `MaximumRetryAttempts`; -1 = until it succeeds (10 when an on-failure destination is set). */
  readonly maximumRetryAttempts: number;
  readonly bisectBatchOnFunctionError: boolean;
  readonly reportBatchItemFailures: boolean;
  /** The function. A rejection or a timeout fails the batch. */
  readonly handler: (event: KafkaEventInput) => Promise<unknown>;
  /** Function timeout. @default - none */
  readonly functionTimeoutMs?: number;
  /** The on-failure destination; absent: a batch past its retries is skipped (as Lambda does without one). */
  readonly onFailure?: (record: OnFailureRecord, records: readonly FetchedRecord[]) => Promise<void>;
  /** Pause before a retry. @default 50 */
  readonly retryDelayMs?: number;
  /** @default LOCAL_KAFKA_CLUSTER_ARN */
  readonly eventSourceArn?: string;
  /** Called for failed invocations (the emulator never throws them). */
  readonly onError?: (error: Error, context: 'invoke' | 'consumer') => void;
}

export interface KafkaEventSourceStats {
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly records: number;
  readonly bisections: number;
  readonly retries: number;
  readonly sentToOnFailure: number;
  readonly committedBatches: number;
}

/** Retries Lambda applies when retries are unlimited and an on-failure destination is set (AWS Lambda guide). */
export const RETRIES_WITH_DESTINATION = 10;

interface Attempt {
  readonly records: readonly FetchedRecord[];
  readonly retries: number;
}

export class KafkaEventSource {
  private consumer?: Consumer;
  private readonly stats = {
    invocations: 0,
    failedInvocations: 0,
    records: 0,
    bisections: 0,
    retries: 0,
    sentToOnFailure: 0,
    committedBatches: 0,
  };

  constructor(private readonly options: KafkaEventSourceOptions) {}

  get statistics(): KafkaEventSourceStats {
    return { ...this.stats };
  }

  /** Retries per batch after the first attempt; Infinity for "until it succeeds". */
  get retryLimit(): number {
    const { maximumRetryAttempts, onFailure } = this.options;
    if (maximumRetryAttempts >= 0) return maximumRetryAttempts;
    return onFailure ? RETRIES_WITH_DESTINATION : Infinity;
  }

  /** Joins the group and starts polling; resolves once the consumer runs. */
  async start(): Promise<void> {
    const kafka = new Kafka({
      clientId: `local-msk-event-source-${this.options.groupId}`,
      brokers: [...this.options.brokers],
      logLevel: logLevel.NOTHING,
      // Keeps reconnecting through a broker restart, as the managed poller does.
      retry: { retries: 100, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    const consumer = kafka.consumer({
      groupId: this.options.groupId,
      maxWaitTimeInMs: Math.max(10, this.options.batchingWindowMs),
      sessionTimeout: 10_000,
      rebalanceTimeout: 10_000,
      heartbeatInterval: 1_000,
      retry: { retries: 100, initialRetryTime: 200, maxRetryTime: 2_000 },
    });
    consumer.on(consumer.events.CRASH, (event) => this.options.onError?.(asError(event.payload.error), 'consumer'));
    await consumer.connect();
    await consumer.subscribe({
      topic: this.options.topic,
      fromBeginning: this.options.startingPosition === 'TRIM_HORIZON',
    });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // One poller per partition: partitions run side by side, each strictly in order.
      partitionsConsumedConcurrently: 64,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        for (let from = 0; from < batch.messages.length; from += this.options.batchSize) {
          if (!isRunning() || isStale()) return;
          const records = recordsOf(batch, from, this.options.batchSize);
          await this.processBatch(records, heartbeat);
          const last = records[records.length - 1].message.offset;
          // Moves the fetch position past the batch (kafkajs re-fetches unresolved records)…
          resolveOffset(last);
          // …and commits it only now: everything up to `last` was forwarded or handed to the on-failure destination.
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
          ]);
          this.stats.committedBatches += 1;
          await heartbeat();
        }
      },
    });
    this.consumer = consumer;
  }

  /** Stops polling after the batch in flight and leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect().catch(() => undefined);
  }

  /**
   * One partition batch through invocations, bisections and retries, in offset order; resolves once every record was
   * forwarded or handed to the on-failure destination (the point where the poller may commit past it).
   */
  async processBatch(
    records: readonly FetchedRecord[],
    heartbeat: () => Promise<void> = async () => undefined,
  ): Promise<void> {
    const pending: Attempt[] = [{ records, retries: 0 }];
    while (pending.length > 0) {
      const attempt = pending.shift() as Attempt;
      const outcome = await this.invoke(attempt.records);
      await heartbeat().catch(() => undefined);
      if (outcome.kind === 'success') continue;
      this.stats.failedInvocations += 1;
      // A partial batch response is done up to its lowest failed record; what remains is retried like a failed batch.
      const remaining = outcome.kind === 'partial' ? attempt.records.slice(outcome.firstFailed) : attempt.records;
      if (this.options.bisectBatchOnFunctionError && remaining.length > 1) {
        // Bisecting does not count as a retry: the halves start with the same count.
        const half = Math.ceil(remaining.length / 2);
        pending.unshift(
          { records: remaining.slice(0, half), retries: attempt.retries },
          { records: remaining.slice(half), retries: attempt.retries },
        );
        this.stats.bisections += 1;
        continue;
      }
      if (attempt.retries < this.retryLimit) {
        this.stats.retries += 1;
        pending.unshift({ records: remaining, retries: attempt.retries + 1 });
        await sleep(this.options.retryDelayMs ?? 50);
        continue;
      }
      await this.giveUp(remaining, attempt.retries + 1, outcome.reason);
    }
  }

  private async invoke(records: readonly FetchedRecord[]) {
    this.stats.invocations += 1;
    this.stats.records += records.length;
    const event = buildKafkaEvent(records, this.options.brokers.join(','), this.options.eventSourceArn);
    try {
      const run = this.options.handler(event);
      const timeout = this.options.functionTimeoutMs;
      const result = timeout === undefined ? await run : await withTimeout(run, timeout);
      return invocationOutcome(records, result, this.options.reportBatchItemFailures);
    } catch (error) {
      this.options.onError?.(asError(error), 'invoke');
      return { kind: 'error' as const, reason: asError(error).message };
    }
  }

  private async giveUp(records: readonly FetchedRecord[], invokeCount: number, reason: string): Promise<void> {
    if (!this.options.onFailure) return;
    const first = records[0];
    const record: OnFailureRecord = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: 'arn:aws:lambda:local:000000000000:function:kafka-bridge',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: invokeCount,
      },
      responseContext: { statusCode: 200, functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      KafkaBatchInfo: {
        batchSize: records.length,
        eventSourceArn: this.options.eventSourceArn ?? LOCAL_KAFKA_CLUSTER_ARN,
        bootstrapServers: this.options.brokers.join(','),
        topic: first.topic,
        partition: first.partition,
        firstOffset: first.message.offset,
        lastOffset: records[records.length - 1].message.offset,
        reason,
      },
    };
    // Until the destination has it, the partition does not move on: a lost failure record would be a lost message.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.onFailure(record, records);
        this.stats.sentToOnFailure += records.length;
        return;
      } catch (error) {
        this.options.onError?.(asError(error), 'invoke');
        await sleep(Math.min(2_000, 100 * attempt));
      }
    }
  }
}

function recordsOf(batch: Batch, from: number, size: number): FetchedRecord[] {
  return batch.messages
    .slice(from, from + size)
    .map((message) => ({ topic: batch.topic, partition: batch.partition, message }));
}
