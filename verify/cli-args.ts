import { describeSizeLimit, messageSizeLimit, type MessageSizeLimit } from '../lambda/shared/message-size';

/**
 * Option parsing shared by `npm start` and `npm run verify`: every refusal names the option, the value received
 * and what is allowed, and is reported as a usage error (exit code 2), never as a stack trace.
 */

/** A command-line option has a value that is not allowed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes of both commands. */
export const EXIT = {
  /** Every confirmed message accounted for, exactly the poison dead-lettered. */
  passed: 0,
  /** The run completed and the report shows a problem. */
  failed: 1,
  /** The run could not start: bad option, no broker, no credentials, missing stack output. */
  cannotRun: 2,
} as const;

/** An integer option in `[min, max]`, or `fallback` when absent. */
export function integerOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
    throw new UsageError(`--${name} is ${JSON.stringify(raw)}; expected a whole number from ${min} to ${max}`);
  }
  return value;
}

/** A positive decimal option in `(0, max]`, or `fallback` when absent. */
export function decimalOption(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new UsageError(`--${name} is ${JSON.stringify(raw)}; expected a number greater than 0 and at most ${max}`);
  }
  return value;
}

/** `--messages` and `--poison`: poison messages are part of the total and default to 1% of it. */
export function messageCounts(
  rawMessages: string | undefined,
  rawPoison: string | undefined,
  max: number,
): { messages: number; poison: number } {
  const messages = integerOption('messages', rawMessages, 1_000, 1, max);
  const poison = integerOption('poison', rawPoison, Math.round(messages / 100), 0, messages);
  return { messages, poison };
}

/** The options both commands take to shape a run, as `parseArgs` declares them. */
export const RUN_OPTIONS = {
  messages: { type: 'string' },
  poison: { type: 'string' },
  size: { type: 'string' },
  timeout: { type: 'string' },
} as const;

/** A run's shape from `RUN_OPTIONS`: the valid and poison counts, the body size and the drain budget. */
export interface RunShape {
  /** Valid messages (the total less the poison ones). */
  readonly messages: number;
  readonly poison: number;
  /** Body size in bytes. @default - the producer's minimal body */
  readonly size?: number;
  /** Drain budget in seconds. @default - from the source queue's redrive */
  readonly timeoutSec?: number;
}

/**
 * The run's shape; `--size` is checked against the flow's size limit (the stage's, when the command knows it), so a
 * body the producer would refuse stops the command before anything starts.
 */
export function runShape(
  values: {
    readonly messages?: string;
    readonly poison?: string;
    readonly size?: string;
    readonly timeout?: string;
  },
  sizeLimit: MessageSizeLimit = messageSizeLimit(),
): RunShape {
  const { messages, poison } = messageCounts(values.messages, values.poison, 1_000_000);
  return {
    messages: messages - poison,
    poison,
    size: values.size === undefined ? undefined : sizeOption(values.size, sizeLimit),
    timeoutSec: values.timeout === undefined ? undefined : integerOption('timeout', values.timeout, 0, 1, 86_400),
  };
}

/** `--size`: a whole number of bytes up to the flow's limit; the refusal names both limits it derives from. */
export function sizeOption(raw: string, sizeLimit: MessageSizeLimit): number {
  try {
    return integerOption('size', raw, 0, 1, sizeLimit.maxBodyBytes);
  } catch (error) {
    throw new UsageError(`${(error as Error).message} bytes (${describeSizeLimit(sizeLimit)})`);
  }
}

/** The message sources both commands can drive. */
export const SOURCES = ['rabbitmq', 'kafka'] as const;
export type SourceName = (typeof SOURCES)[number];

/** `--source`: one of {@link SOURCES}; RabbitMQ when absent. */
export function sourceOption(raw: string | undefined): SourceName {
  if (raw === undefined) return 'rabbitmq';
  if (!(SOURCES as readonly string[]).includes(raw)) {
    throw new UsageError(`--source is ${JSON.stringify(raw)}; expected ${SOURCES.join(' or ')}`);
  }
  return raw as SourceName;
}
