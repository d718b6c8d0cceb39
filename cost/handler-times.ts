import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The per-message handler figures `npm run bench -- --only handlers --handler-times FILE` measures and the cost
 * estimate prices Lambda duration, log ingestion and custom metrics with. The committed default is
 * bench/handler-times.json, written by the bench, never by hand.
 */

/** Log output of one function at one log level: bytes and events written per invocation and per record. */
export interface LogVolume {
  readonly perInvocationBytes: number;
  readonly perRecordBytes: number;
  readonly perInvocationEvents: number;
  readonly perRecordEvents: number;
}

/** One function's handler, measured at two batch sizes: time per invocation = `perInvocationMs + perRecordMs × records`. */
export interface FunctionHandlerTimes {
  readonly perInvocationMs: number;
  readonly perRecordMs: number;
  /** The batch sizes the line was fitted through. */
  readonly measuredBatchSizes: readonly number[];
  /** Log volume by `POWERTOOLS_LOG_LEVEL`. */
  readonly logs: Readonly<Record<string, LogVolume>>;
  /** Distinct custom metrics (name × dimension set) the handler publishes through embedded metric format. */
  readonly customMetrics: number;
}

export interface HandlerTimesFile {
  readonly measuredAt: string;
  readonly command: string;
  readonly machine: Readonly<Record<string, unknown>>;
  /** What the figures include and leave out. */
  readonly note: string;
  /** By function construct id (`Bridge`, `Consumer`). */
  readonly functions: Readonly<Record<string, FunctionHandlerTimes>>;
}

/** Where `npm run cost` reads handler figures from unless `--handler-times` says otherwise. */
export const DEFAULT_HANDLER_TIMES_FILE = join(__dirname, '..', 'bench', 'handler-times.json');

/** Reads a handler-times file written by the bench; throws naming the file and what is wrong with it. */
export function loadHandlerTimes(path: string = DEFAULT_HANDLER_TIMES_FILE): HandlerTimesFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(
      `cannot read handler times from ${path}: ${(error as Error).message} ` +
        '(write it with: npm run bench -- --only handlers --handler-times FILE)',
    );
  }
  const functions = (parsed as { functions?: unknown }).functions;
  if (typeof functions !== 'object' || functions === null || Object.keys(functions).length === 0) {
    throw new Error(`${path} has no "functions" with measured handler times`);
  }
  return parsed as HandlerTimesFile;
}

/**
 * The figures for function `name`, or for `fallback` (the measured function in the same place of the pipeline)
 * when `name` was not measured; `measuredAs` says which one was used.
 */
export function handlerTimesFor(
  file: HandlerTimesFile,
  name: string,
  fallback: string,
): { readonly times: FunctionHandlerTimes; readonly measuredAs: string } {
  const own = file.functions[name];
  if (own) return { times: own, measuredAs: name };
  const other = file.functions[fallback];
  if (other) return { times: other, measuredAs: fallback };
  throw new Error(
    `no measured handler time for ${name} (nor ${fallback}) in the handler-times file; measured: ` +
      `${Object.keys(file.functions).join(', ')}`,
  );
}

/** The log volume at `level`, or at the nearest more verbose level measured. */
export function logVolumeAt(times: FunctionHandlerTimes, level: string): LogVolume {
  const order = ['ERROR', 'WARN', 'INFO', 'DEBUG'];
  for (let i = Math.max(0, order.indexOf(level)); i < order.length; i++) {
    const volume = times.logs[order[i]];
    if (volume) return volume;
  }
  throw new Error(`no log volume measured at ${level} or a more verbose level`);
}
