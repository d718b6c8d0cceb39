import { randomUUID } from 'node:crypto';
import type { ProducerEvent } from '../lambda/producer/event';
import { accountForRun, countEffects, type PublishedMessage, type VerificationReport } from '../verify/accounting';
import type { ShardDelivery } from '../verify/report-format';
import { drainOnce, parseReceipt, parseSqsDeadLetter } from '../verify/queue-drain';
import { ArrivalTally, producerInvocations, publishedMessages } from '../verify/run-ledger';
import type { DeadLetter } from '../verify/accounting';
import type { ProducerAnswer } from '../verify/run-ledger';
import type { LocalPipeline } from './pipeline';
import { sleep } from './timing';

/**
 * One verification run on the local pipeline: drives the real producer, then drains receipts, the SQS DLQ and
 * the RabbitMQ DLQ until every confirmed message is accounted for or the budget runs out, and builds the report
 * with the same accounting `npm run verify` uses.
 */

/** A producer failure of any source: the message id, why, and whether it was poison. */
export interface ProducerFailure {
  readonly id: string;
  readonly poison: boolean;
  readonly code: string;
  readonly reason: string;
}

/**
 * What a verification run needs of a local pipeline, whatever the source: the real producer (RabbitMQ's or Kafka's,
 * the same event and answer), when each message was handed over, the shared SQS side, and the source's own dead
 * letters (RabbitMQ's DLQ, Kafka's on-failure destination).
 */
export interface VerifiablePipeline extends Pick<LocalPipeline, 'settings' | 'sqs' | 'queues' | 'publishedAt'> {
  producer(event: ProducerEvent): Promise<ProducerAnswer & { readonly failed: readonly ProducerFailure[] }>;
  readonly deadLetters: { drain(ids: ReadonlySet<string>): Promise<DeadLetter[]> };
  /** The RabbitMQ shard queue each forwarded message id came from; absent for sources without shards (Kafka). */
  readonly shardOf?: ReadonlyMap<string, string>;
}

export interface LocalRunOptions {
  /** Valid messages. */
  readonly messages: number;
  /** Poison (schema-invalid) messages on top. */
  readonly poison: number;
  /** Generated body size in bytes. @default - minimal */
  readonly size?: number;
  /** How long to wait for every message after publishing. */
  readonly drainTimeoutMs: number;
  /** Pause between drain passes. @default 200 */
  readonly pollIntervalMs?: number;
  readonly runId?: string;
  readonly onProgress?: (accounted: number, total: number, detail: string) => void;
}

export interface LocalRunResult {
  readonly runId: string;
  readonly report: VerificationReport;
  /** Messages the producer could not get confirmed, with why (never counted as sent). */
  readonly producerFailures: readonly ProducerFailure[];
  /** True when the drain stopped at the budget with messages unaccounted for. */
  readonly timedOut: boolean;
  /** How `effects` was counted (the receipts' `effect` flag, as in `npm run verify`). */
  readonly effectsCountedFrom: string;
  /** Delivered (receipted) messages per RabbitMQ shard queue, in shard order; empty for a source without shards. */
  readonly perShard: readonly ShardDelivery[];
}

/** Unique receipted ids per shard queue: the queue the bridge forwarded each of them from. */
export function deliveredPerShard(
  queues: readonly string[],
  deliveredIds: Iterable<string>,
  shardOf: ReadonlyMap<string, string>,
): ShardDelivery[] {
  const counts = new Map(queues.map((q) => [q, 0]));
  for (const id of new Set(deliveredIds)) {
    const queue = shardOf.get(id);
    if (queue !== undefined) counts.set(queue, (counts.get(queue) ?? 0) + 1);
  }
  return queues.map((queue) => ({ queue, delivered: counts.get(queue) ?? 0 }));
}

/** Messages per producer invocation: a bounded batch, as a real invocation would be. */
export const LOCAL_MESSAGES_PER_INVOCATION = 10_000;

/** Default drain budget: a poison message's full redrive path (maxReceiveCount + 1 visibility timeouts) plus slack. */
export function defaultDrainBudgetMs(
  pipeline: Pick<VerifiablePipeline, 'settings' | 'queues'>,
  messages: number,
): number {
  const maxReceiveCount = pipeline.settings.sourceQueue.redrive?.maxReceiveCount ?? 1;
  const visibilitySec = pipeline.queues.source.visibilityTimeoutSec;
  return ((maxReceiveCount + 1) * visibilitySec + 60) * 1000 + messages * 10;
}

export async function runLocalVerification(
  pipeline: VerifiablePipeline,
  options: LocalRunOptions,
): Promise<LocalRunResult> {
  const runId = options.runId ?? randomUUID();
  const startedAt = Date.now();
  const published: PublishedMessage[] = [];
  const failures: ProducerFailure[] = [];
  const total = options.messages + options.poison;
  const invocations = producerInvocations(options.messages, options.poison, LOCAL_MESSAGES_PER_INVOCATION);
  for (const { count, poison } of invocations) {
    const result = await pipeline.producer({
      count,
      poison,
      runId,
      ...(options.size !== undefined ? { size: options.size } : {}),
    });
    published.push(...publishedMessages(result, (id) => pipeline.publishedAt.get(id) ?? startedAt));
    failures.push(...result.failed);
    options.onProgress?.(0, total, `published ${published.length}`);
  }

  const tally = new ArrivalTally(published);
  const deadline = Date.now() + options.drainTimeoutMs;
  const { sqs, queues } = pipeline;
  while (!tally.complete && Date.now() < deadline) {
    const newReceipts = await drainOnce({
      client: sqs.client,
      queueUrl: queues.receipts.url,
      parse: (m) => parseReceipt(m.Body, runId),
    });
    const newDead = [
      ...(await drainOnce({
        client: sqs.client,
        queueUrl: queues.deadLetter.url,
        parse: (m) => parseSqsDeadLetter(m, tally.ids),
      })),
      ...(await pipeline.deadLetters.drain(tally.ids)),
    ];
    tally.add(newReceipts, newDead);
    options.onProgress?.(tally.accountedCount, total, tally.progress);
    if (!tally.complete) await sleep(options.pollIntervalMs ?? 200);
  }

  // Effects from the receipts' flag, exactly as `npm run verify` counts them in AWS: one way for both.
  const { receipts, deadLetters } = tally;
  const fifo = pipeline.settings.sourceQueue.fifo;
  const report = accountForRun({ published, receipts, deadLetters, fifo, startedAt, finishedAt: Date.now() });
  return {
    runId,
    report,
    producerFailures: failures,
    timedOut: !tally.complete,
    effectsCountedFrom: countEffects(receipts).countedFrom,
    perShard: pipeline.shardOf
      ? deliveredPerShard(
          pipeline.settings.rabbitMqMappings.map((m) => m.queue),
          receipts.map((r) => r.id),
          pipeline.shardOf,
        )
      : [],
  };
}
