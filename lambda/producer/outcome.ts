import { MetricUnit, type MetricsLike } from '../shared/observability';

/**
 * What both producers (RabbitMQ and Kafka) do with an invocation's outcome: split the sent ids into good and poison,
 * emit the two metrics, and log one summary line — an error naming every failure code when anything was not sent.
 */

/** The part of a producer's result the summary reads. */
export interface ProducerOutcome {
  readonly runId: string;
  readonly published: number;
  readonly confirmed: number;
  readonly durationMs: number;
  readonly failed: readonly { readonly code: string }[];
}

/** The two log calls the summary makes (method syntax: Powertools' Logger and `LoggerLike` both fit). */
interface SummaryLog {
  error(message: string, attributes: Record<string, unknown>): void;
  info(message: string, attributes: Record<string, unknown>): void;
}

/** Sent messages' ids, good and poison apart, in send order. */
export function idsByKind(sent: Iterable<{ readonly id: string; readonly poison: boolean }>): {
  ids: string[];
  poisonIds: string[];
} {
  const ids: string[] = [];
  const poisonIds: string[] = [];
  for (const m of sent) (m.poison ? poisonIds : ids).push(m.id);
  return { ids, poisonIds };
}

/** Metrics and the summary log line; `messages` words it for the source (confirmed or acknowledged). */
export function reportProducerOutcome(
  result: ProducerOutcome,
  deps: { readonly metrics: MetricsLike; readonly log: SummaryLog },
  messages: { readonly someFailed: string; readonly allSent: string },
): void {
  const { failed } = result;
  deps.metrics.addMetric('MessagesConfirmed', MetricUnit.Count, result.confirmed);
  deps.metrics.addMetric('MessagesFailed', MetricUnit.Count, failed.length);
  deps.metrics.publishStoredMetrics();
  const summary = {
    runId: result.runId,
    published: result.published,
    confirmed: result.confirmed,
    durationMs: result.durationMs,
  };
  if (failed.length > 0) {
    const byCode: Record<string, number> = {};
    for (const f of failed) byCode[f.code] = (byCode[f.code] ?? 0) + 1;
    deps.log.error(messages.someFailed, { ...summary, failed: failed.length, byCode, firstFailure: failed[0] });
  } else {
    deps.log.info(messages.allSent, summary);
  }
}
