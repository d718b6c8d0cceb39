import { createBridgeHandler } from '../lambda/bridge/handler';
import type { InjectedLatency } from '../local/pipeline';
import { sleep } from '../local/timing';
import { startSqsEmulatorOnThread } from '../local/sqs-emulator';
import { quietLogger, quietMetrics } from './quiet';
import { withScratchQueue } from './raw-sqs';
import { buildBridgeEvents, SEND_PARALLELISM } from './sqs-section';
import { elapsedMs, median, round } from './stats';

/**
 * Capacity of one shard, computed from measured times: the real bridge forwards one RabbitMQ batch of each size to
 * the SQS emulator with the modelled SQS latency on every call, and one shard's rate is the batch size divided by
 * that time plus the modelled invoke overhead (a RabbitMQ mapping runs one invocation at a time, back to back).
 */

/** Batch sizes of the capacity table (the RabbitMQ mapping's range is 1–10,000; 100 is the default). */
export const CAPACITY_BATCH_SIZES = [100, 1_000, 10_000] as const;
/** Target rates the table answers "how many shards" for, messages per second. */
export const CAPACITY_TARGET_RATES = [1_000, 5_000, 10_000, 50_000] as const;

export interface ShardCapacity {
  readonly batchSize: number;
  /** The bridge's `SEND_PARALLELISM` (concurrent SendMessageBatch calls). */
  readonly sendParallelism: number;
  /** Median measured bridge time for one batch, SQS latency included. */
  readonly bridgeMs: number;
  /** batchSize ÷ (bridgeMs + invoke overhead): what one shard forwards per second. */
  readonly perShardPerSec: number;
  /** Shards needed per target rate: ceil(rate ÷ perShardPerSec). */
  readonly shardsFor: Readonly<Record<string, number>>;
}

export async function measureShardCapacity(
  latency: InjectedLatency,
  size: number,
  repetitions: number,
  /** One unmeasured run per batch size first (JIT, sockets); a smoke run, whose figures mean nothing, skips it. */
  warmUp = true,
  /** @default CAPACITY_BATCH_SIZES; a smoke run passes smaller ones (the same code, without 10,000-message batches) */
  batchSizes: readonly number[] = CAPACITY_BATCH_SIZES,
): Promise<ShardCapacity[]> {
  const emulator = await startSqsEmulatorOnThread();
  emulator.client.middlewareStack.add(
    (next) => async (args) => {
      await sleep(latency.sqsCallMs);
      return next(args);
    },
    { step: 'initialize', name: 'benchSqsLatency' },
  );
  try {
    const out: ShardCapacity[] = [];
    for (const batchSize of batchSizes) {
      const [event] = buildBridgeEvents(batchSize, size, batchSize);
      const times: number[] = [];
      // One unmeasured run first (JIT, sockets) unless told not to, then the repetitions.
      for (let i = warmUp ? 0 : 1; i <= repetitions; i++) {
        const ms = await withScratchQueue(emulator.client, `capacity-${batchSize}`, async (queueUrl) => {
          const bridge = createBridgeHandler({
            sqs: emulator.client,
            config: { queueUrl, parallelism: SEND_PARALLELISM },
            logger: quietLogger,
            metrics: quietMetrics,
          });
          const start = process.hrtime.bigint();
          await bridge(event);
          return elapsedMs(start);
        });
        if (i > 0) times.push(ms);
      }
      const bridgeMs = median(times);
      const perShardPerSec = (batchSize * 1000) / (bridgeMs + latency.lambdaInvokeMs);
      out.push({
        batchSize,
        sendParallelism: SEND_PARALLELISM,
        bridgeMs: round(bridgeMs, 1),
        perShardPerSec: Math.round(perShardPerSec),
        shardsFor: Object.fromEntries(CAPACITY_TARGET_RATES.map((r) => [String(r), Math.ceil(r / perShardPerSec)])),
      });
    }
    return out;
  } finally {
    await emulator.stop();
  }
}
