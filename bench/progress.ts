/** Progress lines on stderr (stdout stays free for the summary), each stamped with the time since the bench began. */
const started = process.hrtime.bigint();

export function progress(message: string): void {
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(`[bench +${seconds.toFixed(1)}s] ${message}\n`);
}

/** Seconds since the bench began. */
export function benchElapsedSec(): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
