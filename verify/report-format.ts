import type { VerificationReport } from './accounting';

/** Where a report came from, printed above the figures and written beside them in the JSON file. */
export interface ReportContext {
  readonly runId: string;
  /** `local` (npm start) or the deployed stack's name. */
  readonly target: string;
  /** Free-form facts worth keeping with the figures (stage, time scale, broker state, settings…). */
  readonly facts: Readonly<Record<string, string | number | boolean>>;
  /** Delivered messages per RabbitMQ shard queue, when the run can tell (the local runtime). @default - not reported */
  readonly perShard?: readonly ShardDelivery[];
}

/** How many of the delivered messages came through one shard queue. */
export interface ShardDelivery {
  readonly queue: string;
  readonly delivered: number;
}

/** The human-readable report (stdout). */
export function formatReport(report: VerificationReport, context: ReportContext): string {
  const facts = Object.entries(context.facts)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const row = (label: string, value: string | number, note = '') =>
    `  ${label.padEnd(14)}${String(value).padStart(10)}${note ? `   ${note}` : ''}`;
  const lines = [
    `Verification report — run ${context.runId} against ${context.target}`,
    ...(facts ? [`  (${facts})`] : []),
    row('sent', report.sent, 'messages the producer published'),
    row('confirmed', report.confirmed, 'publisher confirms received'),
    row('delivered', report.delivered, 'unique messages with a consumer receipt'),
    row('duplicates', report.duplicates, 'extra receipts (at-least-once redeliveries)'),
    row('effects', report.effects, `business effects performed (expected ${report.expected.good})`),
    row(
      'dead-lettered',
      report.deadLettered,
      // Each source's own dead-letter places: a Kafka run has no RabbitMQ DLQ to name.
      `SQS DLQ ${report.deadLetteredByQueue.sqs}` +
        (context.facts.source === 'kafka' ? '' : `, RabbitMQ DLQ ${report.deadLetteredByQueue.rabbitmq}`) +
        (report.deadLetteredByQueue['kafka-on-failure'] === undefined
          ? ''
          : `, Kafka on-failure ${report.deadLetteredByQueue['kafka-on-failure']}`) +
        ` (expected ${report.expected.poison} poison)`,
    ),
    row('lost', report.lost, 'confirmed but neither delivered nor dead-lettered'),
    ...(context.perShard ?? []).map((shard, i) =>
      row(`  shard ${i}`, shard.delivered, `delivered through shard queue ${shard.queue}`),
    ),
    ...(report.outOfOrder === null
      ? []
      : [
          row(
            'out of order',
            report.outOfOrder,
            `effects after a later-published message of their group (FIFO, ${report.messageGroups} group${report.messageGroups === 1 ? '' : 's'})`,
          ),
        ]),
    row('throughput', `${report.throughputPerSec}/s`, 'first publish to last receipt'),
    row('latency p50', `${report.latencyMs.p50} ms`, `p95 ${report.latencyMs.p95} ms, p99 ${report.latencyMs.p99} ms`),
    row('duration', `${report.durationSec} s`),
    report.passed
      ? `PASS: every confirmed message was delivered once in effect${report.outOfOrder === null ? '' : ', in order within its group,'} or dead-lettered as expected`
      : `FAIL:\n${report.problems.map((p) => `  - ${p}`).join('\n')}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The `--json` document: the report's fields first, then where it came from. */
export function reportJson(report: VerificationReport, context: ReportContext): string {
  const perShard = context.perShard ? { perShard: context.perShard } : {};
  return `${JSON.stringify({ ...report, ...perShard, runId: context.runId, target: context.target, context: context.facts }, null, 2)}\n`;
}
