import type { FunctionHandlerTimes } from '../cost/handler-times';
import type { MachineInfo } from './machine';
import type { ShardCapacity } from './shard-capacity';
import type { LatencyPercentiles } from './stats';

/** Size and cold start of one function's bundle. */
export interface FunctionFigures {
  /** Minified bundle size, KiB. */
  readonly bundleKB: number;
  /** Median ms from a fresh `node` process's start until `require(bundle)` returned. */
  readonly coldInitMs: number;
  /** `coldInitMs` ÷ the empty handler's. */
  readonly coldInitRatio: number;
  /** Median cold init of a bundle built the same way that only creates the function's AWS SDK clients. */
  readonly sdkInitMs: number;
}

/** The measured figures; each is the median of the run's repetitions. A `--only` run has some of them. */
export interface BenchFigures {
  readonly rawAmqpConfirmedPublishPerSec: number;
  readonly producerPerSec: number;
  readonly producerRatio: number;
  /** The producer's publisher alone on pre-built messages (explains `producerRatio`; no target). */
  readonly producerPublishOnlyPerSec: number;
  readonly rawSqsBatchSendPerSec: number;
  /** Raw sends carrying the bridge's three attributes (explains `bridgeRatio`; no target). */
  readonly rawSqsWithAttributesPerSec: number;
  readonly bridgePerSec: number;
  readonly bridgeRatio: number;
  /** A plain kafkajs producer, `acks=all`, idempotent, chunks of 500, one `send` at a time (bench/raw-kafka.ts). */
  readonly rawKafkaProducePerSec: number;
  readonly kafkaProducerPerSec: number;
  readonly kafkaProducerRatio: number;
  /** The same plain producer sending records shaped like ours: key and three headers (explains; no target). */
  readonly rawKafkaWithHeadersPerSec: number;
  /** The Kafka producer's publisher alone on pre-built messages (explains `kafkaProducerRatio`; no target). */
  readonly kafkaProducerPublishOnlyPerSec: number;
  /** Raw `SendMessageBatch` in the kafka section (its own baseline, measured beside the Kafka bridge). */
  readonly kafkaRawSqsBatchSendPerSec: number;
  /** Raw sends carrying the Kafka bridge's four attributes (explains `kafkaBridgeRatio`; no target). */
  readonly kafkaRawSqsWithAttributesPerSec: number;
  readonly kafkaBridgePerSec: number;
  readonly kafkaBridgeRatio: number;
  /**
   * Each Kafka ratio against a baseline carrying the contract's shape: our producer ÷ `rawKafkaWithHeadersPerSec`,
   * our bridge ÷ `kafkaRawSqsWithAttributesPerSec` — what our code adds beyond the shape (no target; see
   * docs/performance.md, "Where issue 13's two targets stand").
   */
  readonly kafkaProducerSameRecordsRatio: number;
  readonly kafkaBridgeSameAttributesRatio: number;
  readonly pipelinePerSec: number;
  /** SQS API calls per message while the pipeline runs (explains `pipelineRatio`; no target). */
  readonly pipelineSqsCallsPerMessage: number;
  /** Absent when the raw figures were not measured in the same run. */
  readonly pipelineRatio?: number;
  readonly latencyMs: LatencyPercentiles & { readonly ratePerSec: number; readonly messages: number };
  readonly functions: {
    readonly producer: FunctionFigures;
    readonly bridge: FunctionFigures;
    readonly consumer: FunctionFigures;
    /** The baseline: an empty handler bundled the same way. */
    readonly empty: Pick<FunctionFigures, 'bundleKB' | 'coldInitMs'>;
  };
  /** Seconds to synthesize the app for `dev` (bundling skipped), from process start to the assembly written. */
  readonly synthSec: number;
  /**
   * End-to-end rates of the local pipeline with 1, 2 and 4 shards, AWS latencies modelled
   * (bench/shard-scaling-section.ts): `perSec` while every shard has a backlog, `drainPerSec` for the whole burst.
   */
  readonly shardScaling: readonly { readonly shards: number; readonly perSec: number; readonly drainPerSec: number }[];
  /** perSec(4) ÷ (4 × perSec(1)). */
  readonly shardScalingEfficiency: number;
  /** drainPerSec(4) ÷ (4 × drainPerSec(1)) (explains how uneven a burst's shards end; no target). */
  readonly shardScalingDrainEfficiency: number;
  /** One shard's rate per RabbitMQ batch size, from measured bridge times, and shards needed per target rate. */
  readonly shardCapacity: readonly ShardCapacity[];
  /** The same for a one-queue CDK app. */
  readonly minimalSynthSec: number;
  readonly synthRatio: number;
  /** Handler time, log volume and custom metrics per function an event source invokes (priced by `npm run cost`). */
  readonly handlers: Readonly<Record<string, FunctionHandlerTimes>>;
}

/** What `--json FILE` writes. */
export interface BenchReport extends Partial<BenchFigures> {
  readonly machine: MachineInfo & {
    readonly brokerVersion: string;
    /** The local Kafka broker's pinned version (scripts/ensure-kafka.sh), when the kafka section ran. */
    readonly kafkaVersion: string;
  };
  readonly settings: {
    readonly messages: number;
    readonly sizeBytes: number;
    readonly repetitions: number;
    readonly rawAmqpInFlight: number;
    readonly sendParallelism: number;
    readonly bridgeEventRecords: number;
    /** Records per MSK event given to the Kafka bridge (the dev stage's batch size). */
    readonly kafkaBridgeEventRecords: number;
    /** Partitions of the kafka section's topic (the dev stage's). */
    readonly kafkaPartitions: number;
    /** `SendMessageBatch` calls the kafka section's raw SQS side keeps in flight (partitions × sendParallelism). */
    readonly kafkaRawSqsParallelism: number;
    /** A `--smoke` run: tiny and unrepeated, its figures are no measurement. */
    readonly smoke: boolean;
    readonly sections: readonly string[];
  };
  readonly durationSec: number;
  /** Every repetition of every figure, to judge the spread. */
  readonly runs: Readonly<Record<string, readonly number[]>>;
  readonly targets: readonly TargetResult[];
}

/** What a section returns: some figures and their repetitions. */
export type SectionResult<K extends keyof BenchFigures> = Partial<BenchFigures> &
  Pick<BenchFigures, K> & {
    readonly runs: Record<string, number[]>;
  };

export interface TargetResult {
  /** JSON path of the figure, e.g. `functions.bridge.coldInitRatio`. */
  readonly figure: string;
  readonly comparison: '>=' | '<=';
  readonly target: number;
  /** Absent when the figure was not measured (a `--only` run). */
  readonly value?: number;
  readonly met: boolean;
}

/** The targets of issue 8 (and issue 13 for Kafka); ratios, so they hold on a noisy machine. */
export const TARGETS: readonly { figure: string; comparison: '>=' | '<='; target: number }[] = [
  { figure: 'producerRatio', comparison: '>=', target: 0.8 },
  { figure: 'bridgeRatio', comparison: '>=', target: 0.8 },
  { figure: 'kafkaProducerRatio', comparison: '>=', target: 0.8 },
  { figure: 'kafkaBridgeRatio', comparison: '>=', target: 0.8 },
  { figure: 'pipelineRatio', comparison: '>=', target: 0.7 },
  { figure: 'functions.producer.coldInitRatio', comparison: '<=', target: 3 },
  { figure: 'functions.bridge.coldInitRatio', comparison: '<=', target: 3 },
  { figure: 'functions.consumer.coldInitRatio', comparison: '<=', target: 3 },
  { figure: 'latencyMs.p99', comparison: '<=', target: 1000 },
  { figure: 'shardScalingEfficiency', comparison: '>=', target: 0.85 },
];

function at(report: unknown, path: string): number | undefined {
  let value: unknown = report;
  for (const key of path.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Compares the measured figures with {@link TARGETS}; a figure that was not measured counts as missed. */
export function evaluateTargets(figures: unknown): TargetResult[] {
  return TARGETS.map(({ figure, comparison, target }) => {
    const value = at(figures, figure);
    const met = value !== undefined && (comparison === '>=' ? value >= target : value <= target);
    return value === undefined ? { figure, comparison, target, met } : { figure, comparison, target, value, met };
  });
}

/** One line per target, misses spelled out so they cannot be overlooked in a terminal. */
export function formatTargets(results: readonly TargetResult[]): string {
  const lines = results.map((r) => {
    const value = r.value === undefined ? 'not measured' : String(r.value);
    return `${r.met ? '  met ' : 'MISSED'}  ${r.figure} = ${value} (target ${r.comparison} ${r.target})`;
  });
  const missed = results.filter((r) => !r.met).length;
  lines.push(
    missed === 0 ? 'all targets met' : `${missed} of ${results.length} targets MISSED (see docs/performance.md)`,
  );
  return lines.join('\n');
}
