import type { ConfirmChannel } from 'amqplib';
import type { AmqpConnectionSource } from '../lambda/producer/amqp-connection';
import type { LoggerLike, MetricsLike } from '../lambda/shared/observability';

/**
 * The adapters the real handlers get when they run locally: a logger that keeps the terminal readable (the
 * progress bar owns stderr unless `--verbose`), metrics that go nowhere (there is no CloudWatch), and a producer
 * connection that notes when each message was published, so latency is measured from the publish itself.
 */

export interface LocalLogOptions {
  /** Component name shown in each line, e.g. `bridge`. */
  readonly component: string;
  /** Write every line (debug excepted); otherwise only count warnings and errors. */
  readonly verbose: boolean;
  readonly write: (line: string) => void;
}

/** Warnings and errors seen per component, for the end-of-run summary. */
export const logCounts: Record<string, { warn: number; error: number }> = {};

export function createLocalLogger(options: LocalLogOptions): LoggerLike {
  const counts = (logCounts[options.component] ??= { warn: 0, error: 0 });
  const line = (level: string, message: string, attributes?: Record<string, unknown>) => {
    if (!options.verbose) return;
    const extra = attributes && Object.keys(attributes).length > 0 ? ` ${JSON.stringify(attributes)}` : '';
    options.write(`${new Date().toISOString()} ${level.padEnd(5)} [${options.component}] ${message}${extra}\n`);
  };
  return {
    debug: () => undefined,
    info: (m, a) => line('INFO', m, a),
    warn: (m, a) => {
      counts.warn += 1;
      line('WARN', m, a);
    },
    error: (m, a) => {
      counts.error += 1;
      line('ERROR', m, a);
    },
  };
}

/** Metrics are a CloudWatch concern; locally the report carries the figures. */
export const discardMetrics: MetricsLike = {
  addMetric: () => undefined,
  publishStoredMetrics: () => undefined,
};

/**
 * Wraps the producer's connection source so every `publish` records `Date.now()` under its `messageId`.
 * The handler still talks to amqplib directly; only the timestamp is taken on the way.
 */
export function timedConnectionSource(
  source: AmqpConnectionSource,
  publishedAt: Map<string, number>,
): AmqpConnectionSource {
  const wrapped = new WeakMap<ConfirmChannel, ConfirmChannel>();
  const wrap = (channel: ConfirmChannel): ConfirmChannel => {
    const existing = wrapped.get(channel);
    if (existing) return existing;
    const proxy = new Proxy(channel, {
      get(target, property) {
        if (property === 'publish') {
          return (...args: Parameters<ConfirmChannel['publish']>) => {
            const messageId = args[3]?.messageId;
            if (typeof messageId === 'string') publishedAt.set(messageId, Date.now());
            return target.publish(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    wrapped.set(channel, proxy);
    return proxy;
  };
  return {
    confirmChannel: async () => wrap(await source.confirmChannel()),
    hasCachedChannel: () => source.hasCachedChannel(),
    blockedReason: () => source.blockedReason(),
    onBlocked: (listener) => source.onBlocked(listener),
    discard: (reason) => source.discard(reason),
    close: () => source.close(),
  };
}
