import { randomBytes, randomUUID } from 'node:crypto';
import type { StageConfigOverrides } from '../lib/config/stages';
import { brokerFrom } from '../local/cli';
import { startLocalPipeline, type InjectedLatency, type LocalPipeline } from '../local/pipeline';
import { synthesizeStage } from '../local/synth';
import { readLocalSettings } from '../local/template-reader';
import { sleep } from '../local/timing';
import type { BenchOptions } from './options';
import type { SectionResult } from './report';
import { measureShardCapacity } from './shard-capacity';
import { shardRunRates, type ShardRunRates } from './shard-rates';
import { median, round } from './stats';

/**
 * Shard scaling: the whole local pipeline (dev stage, `--config` overrides applied) with 1, 2 and 4 shards, each
 * Lambda invocation and each SQS call delayed by {@link MODELLED_LATENCY} so that, as in AWS, a shard's time goes
 * to waiting on calls rather than to this machine's CPU, and the SQS emulator on a thread of its own, as SQS is a
 * service apart. One RabbitMQ mapping runs one invocation at a time, so the rate should grow with the shard count:
 * `shardScalingEfficiency` = perSec(4) ÷ (4 × perSec(1)), target ≥ 0.85, on the sustained rate of each run (see
 * ./shard-rates.ts); the burst's drain rate is reported beside it.
 */

/** Modelled AWS latencies (sources in docs/performance.md "Shard scaling"). */
export const MODELLED_LATENCY: InjectedLatency = { lambdaInvokeMs: 50, sqsCallMs: 25 };
/** Shard counts measured. */
export const SCALING_SHARDS = [1, 2, 4] as const;
/** Batch sizes a smoke run measures the capacity table with. */
const SMOKE_CAPACITY_BATCH_SIZES = [10, 100] as const;

/**
 * RabbitMQ batch size of the scaling runs: small, so a shard's rate (batch ÷ invoke + one SendMessageBatch) stays
 * far below what this machine's one Node.js process can carry for four shards; the capacity table covers 100–10,000.
 */
export const SCALING_BATCH_SIZE = 10;
/**
 * SQS pollers of the scaling runs: enough that the consumer side is not the limit (Lambda scales SQS pollers to
 * 1,000), few enough that they receive full batches rather than one message each on this one process.
 */
export const SCALING_SQS_CONCURRENCY = 10;
/** Messages per shard per run: each run lasts a few seconds whatever the shard count. */
const MESSAGES_PER_SHARD = 400;

export type ShardScalingFigures = SectionResult<
  'shardScaling' | 'shardScalingEfficiency' | 'shardScalingDrainEfficiency' | 'shardCapacity'
>;

/** The overrides of one scaling run (what `npm start -- --config` would take), on top of the bench's `--config`. */
export function scalingOverrides(shards: number, base: StageConfigOverrides = {}): StageConfigOverrides {
  return {
    ...base,
    eventSources: {
      ...base.eventSources,
      rabbitMq: { ...base.eventSources?.rabbitMq, shards, batchSize: SCALING_BATCH_SIZE },
      sqs: { ...base.eventSources?.sqs, maxConcurrency: SCALING_SQS_CONCURRENCY },
    },
  };
}

/** Publishes `messages` and waits until each has had its effect; the run's sustained and drain rates. */
async function measureOnce(pipeline: LocalPipeline, messages: number, timeoutMs: number): Promise<ShardRunRates> {
  const runId = randomUUID();
  const start = Date.now();
  const result = await pipeline.producer({ count: messages, runId });
  if (result.ids.length !== messages) {
    throw new Error(`shard scaling: ${result.ids.length} of ${messages} published messages confirmed`);
  }
  const pending = new Set(result.ids);
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0 && Date.now() < deadline) {
    for (const id of pending) if (pipeline.effects.has(id)) pending.delete(id);
    if (pending.size > 0) await sleep(20);
  }
  if (pending.size > 0) throw new Error(`shard scaling: ${pending.size} of ${messages} messages had no effect in time`);
  return shardRunRates({
    startedAt: start,
    ids: result.ids,
    firstEffectAt: pipeline.firstEffectAt,
    shardOf: pipeline.shardOf,
  });
}

export async function runShardScalingSection(
  options: BenchOptions,
  progress: (message: string) => void,
): Promise<ShardScalingFigures> {
  const runs: Record<string, number[]> = {};
  const shardScaling: { shards: number; perSec: number; drainPerSec: number }[] = [];
  for (const shards of SCALING_SHARDS) {
    const overrides = scalingOverrides(shards, options.overrides);
    const settings = readLocalSettings(synthesizeStage('dev', overrides).template);
    const suffix = randomBytes(4).toString('hex');
    const pipeline = await startLocalPipeline({
      settings,
      broker: brokerFrom(options.amqpUrl, options.managementUrl),
      isolation: { vhost: `bench-shards-${suffix}`, userSuffix: suffix },
      injectedLatency: MODELLED_LATENCY,
      sqsOnOwnThread: true,
      write: () => undefined,
    });
    try {
      const messages = options.smoke ? 20 * shards : MESSAGES_PER_SHARD * shards;
      const timeoutMs = 120_000;
      // Warm-up (connections, JIT, first queues), skipped by a smoke run, whose figures mean nothing.
      if (!options.smoke) await measureOnce(pipeline, Math.min(messages, 200), timeoutMs);
      const rates: ShardRunRates[] = [];
      for (let i = 0; i < options.repetitions; i++) {
        const r = await measureOnce(pipeline, messages, timeoutMs);
        rates.push(r);
        progress(
          `shards ${shards} ${i + 1}/${options.repetitions}: ${Math.round(r.perSec)}/s sustained, ` +
            `${Math.round(r.drainPerSec)}/s first publish to last effect`,
        );
      }
      runs[`shardScaling.${shards}`] = rates.map((r) => Math.round(r.perSec));
      runs[`shardScaling.${shards}.drain`] = rates.map((r) => Math.round(r.drainPerSec));
      shardScaling.push({
        shards,
        perSec: Math.round(median(rates.map((r) => r.perSec))),
        drainPerSec: Math.round(median(rates.map((r) => r.drainPerSec))),
      });
    } finally {
      await pipeline.stop({ removeTopology: true });
    }
  }
  /** The rate of 4 shards ÷ 4 × the rate of 1 (NaN if either is missing). */
  const efficiency = (rate: 'perSec' | 'drainPerSec') => {
    const at = (n: number) => shardScaling.find((s) => s.shards === n)?.[rate] ?? NaN;
    return round(at(4) / (4 * at(1)));
  };
  // A smoke run's figures mean nothing: it runs the table's code on batches of 10 and 100, not 100 to 10,000 (the
  // 10,000-message batch alone took 8 of the smoke run's 50 s).
  const shardCapacity = options.smoke
    ? await measureShardCapacity(MODELLED_LATENCY, options.size, 1, false, SMOKE_CAPACITY_BATCH_SIZES)
    : await measureShardCapacity(MODELLED_LATENCY, options.size, 3);
  progress(
    `shard capacity: ${shardCapacity.map((c) => `batch ${c.batchSize} → ${c.perShardPerSec}/s per shard`).join(', ')}`,
  );
  return {
    shardScaling,
    shardScalingEfficiency: efficiency('perSec'),
    shardScalingDrainEfficiency: efficiency('drainPerSec'),
    shardCapacity,
    runs,
  };
}
