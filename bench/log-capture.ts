/**
 * What a handler writes to its log stream, counted: the bench runs it with the real Powertools logger and metrics
 * while stdout and stderr (what Lambda forwards to CloudWatch Logs) are captured, and measures the bytes, the log
 * events (lines) and the distinct embedded-metric-format metrics among them.
 */

export interface CapturedOutput {
  readonly bytes: number;
  readonly events: number;
  /** Distinct `namespace / metric / dimension set` in the EMF lines. */
  readonly metrics: ReadonlySet<string>;
}

type Write = (chunk: unknown, ...rest: unknown[]) => boolean;

/** Runs `work` with stdout and stderr captured (not shown), and counts what was written. */
export async function captureOutput(work: () => Promise<void>): Promise<CapturedOutput> {
  let text = '';
  const streams = [process.stdout, process.stderr] as unknown as { write: Write }[];
  const originals = streams.map((s) => s.write);
  const capture: Write = (chunk, ...rest) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    callback?.();
    return true;
  };
  for (const stream of streams) stream.write = capture;
  try {
    await work();
  } finally {
    streams.forEach((stream, i) => (stream.write = originals[i]));
  }
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return {
    // Each line with its newline, as it reaches the log stream.
    bytes: lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0),
    events: lines.length,
    metrics: emfMetrics(lines),
  };
}

/** `namespace / name / dimensions` of every metric declared in the EMF lines among `lines`. */
export function emfMetrics(lines: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const directives = (parsed as { _aws?: { CloudWatchMetrics?: unknown } })._aws?.CloudWatchMetrics;
    if (!Array.isArray(directives)) continue;
    for (const directive of directives as {
      Namespace?: string;
      Dimensions?: string[][];
      Metrics?: { Name?: string }[];
    }[]) {
      for (const dimensions of directive.Dimensions ?? [[]]) {
        for (const metric of directive.Metrics ?? []) {
          found.add(`${directive.Namespace} / ${metric.Name} / ${dimensions.join(',')}`);
        }
      }
    }
  }
  return found;
}
