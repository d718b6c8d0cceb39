/** Small, dependency-free statistics for the bench: medians of repetitions and latency percentiles. */

function requireValues(values: readonly number[], what: string): void {
  if (values.length === 0) throw new Error(`${what}: needs at least one value, received none`);
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) throw new Error(`${what}: every value must be a finite number, received ${bad}`);
}

/** Middle value (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  requireValues(values, 'median');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Percentile `p` (0–100) by linear interpolation between the closest ranks (numpy's default), so p50 equals the
 * median and p100 the maximum. `sorted` must be in ascending order.
 */
export function percentileOfSorted(sorted: readonly number[], p: number): number {
  requireValues(sorted, 'percentile');
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile: p must be between 0 and 100, received ${p}`);
  const rank = (p / 100) * (sorted.length - 1);
  const lower = Math.floor(rank);
  const upper = Math.ceil(rank);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (rank - lower);
}

/** Latency summary in the report's shape. */
export interface LatencyPercentiles {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** p50 / p95 / p99 of unsorted samples. */
export function latencyPercentiles(samples: readonly number[]): LatencyPercentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
  };
}

/** Items per second for `count` items in `elapsedMs`. */
export function perSecond(count: number, elapsedMs: number): number {
  if (!(elapsedMs > 0)) throw new Error(`perSecond: elapsedMs must be > 0, received ${elapsedMs}`);
  return (count * 1000) / elapsedMs;
}

/** Runs `measure` `times` times one after the other (never concurrently: they would compete) and returns each result. */
export async function repeat<T>(times: number, measure: (repetition: number) => Promise<T>): Promise<T[]> {
  if (!Number.isInteger(times) || times < 1)
    throw new Error(`repeat: times must be an integer >= 1, received ${times}`);
  const results: T[] = [];
  for (let i = 0; i < times; i++) results.push(await measure(i));
  return results;
}

/** Rounds for the report: enough digits to compare, not so many that they pretend precision. */
export function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading). */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
