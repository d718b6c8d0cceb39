import type { MachineInfo } from './machine';
import type { LatencyPercentiles } from './stats';

/** Size and cold start of one function's bundle. */
export interface FunctionFigures {
  /** Minified bundle size, KiB. */
  readonly bundleKB: number;
  /** Median ms from a fresh `node` process's start until `require(bundle)` returned. */
  readonly coldInitMs: number;
  /** `coldInitMs` ÷ the empty handler's. */
  readonly coldInitRatio: number;
  /** Median cold init of a process requiring only the bundle's external imports (the runtime's AWS SDK, built-ins). */
  readonly sdkInitMs: number;
}

/** Every figure `npm run bench` measures; each is the median of `settings.repetitions` runs. */
export interface BenchReport {
  readonly machine: MachineInfo & { readonly brokerVersion: string };
  readonly settings: {
    readonly messages: number;
    readonly sizeBytes: number;
    readonly repetitions: number;
    readonly rawAmqpInFlight: number;
    readonly sendParallelism: number;
    readonly bridgeEventRecords: number;
    readonly smoke: boolean;
  };
  readonly rawAmqpConfirmedPublishPerSec: number;
  readonly rawSqsBatchSendPerSec: number;
  readonly producerPerSec: number;
  readonly producerRatio: number;
  readonly bridgePerSec: number;
  readonly bridgeRatio: number;
  readonly pipelinePerSec: number;
  readonly pipelineRatio: number;
  readonly latencyMs: LatencyPercentiles & { readonly ratePerSec: number; readonly messages: number };
  readonly functions: {
    readonly producer: FunctionFigures;
    readonly bridge: FunctionFigures;
    readonly consumer: FunctionFigures;
    /** The baseline: an empty handler bundled the same way. */
    readonly empty: Pick<FunctionFigures, 'bundleKB' | 'coldInitMs'>;
  };
  /** Seconds to synthesize the app for `dev` (bundling skipped), from process start to `app.synth()` returning. */
  readonly synthSec: number;
  /** The same for a one-queue CDK app. */
  readonly minimalSynthSec: number;
  readonly synthRatio: number;
  readonly durationSec: number;
  /** Every repetition of every figure, for the curious and for judging the spread. */
  readonly runs: Readonly<Record<string, readonly number[]>>;
  readonly targets: readonly TargetResult[];
}

export interface TargetResult {
  /** JSON path of the figure, e.g. `functions.bridge.coldInitRatio`. */
  readonly figure: string;
  readonly comparison: '>=' | '<=';
  readonly target: number;
  /** Absent when the figure was not measured (a `--only` run). */
  readonly value?: number;
  readonly met: boolean;
}

/** The targets of issue 8; ratios, so they hold on a noisy machine. */
export const TARGETS: readonly { figure: string; comparison: '>=' | '<='; target: number }[] = [
  { figure: 'producerRatio', comparison: '>=', target: 0.8 },
  { figure: 'bridgeRatio', comparison: '>=', target: 0.8 },
  { figure: 'pipelineRatio', comparison: '>=', target: 0.7 },
  { figure: 'functions.producer.coldInitRatio', comparison: '<=', target: 3 },
  { figure: 'functions.bridge.coldInitRatio', comparison: '<=', target: 3 },
  { figure: 'functions.consumer.coldInitRatio', comparison: '<=', target: 3 },
  { figure: 'latencyMs.p99', comparison: '<=', target: 1000 },
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
