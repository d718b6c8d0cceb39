import { accountForRun, type PublishedMessage } from '../../verify/accounting';
import { formatReport } from '../../verify/report-format';

/** The dead-lettered row names the dead-letter places of the run's source, and only those. */
const published: PublishedMessage[] = [
  { id: 'good', poison: false, confirmed: true, publishedAt: 0 },
  { id: 'bad', poison: true, confirmed: true, publishedAt: 1 },
];
const report = accountForRun({
  published,
  receipts: [{ id: 'good', receivedAt: 5, effect: true }],
  deadLetters: [{ id: 'bad', queue: 'sqs' }],
  fifo: false,
  startedAt: 0,
  finishedAt: 10,
});

test('a RabbitMQ run names the SQS DLQ and the RabbitMQ DLQ', () => {
  expect(formatReport(report, { runId: 'r', target: 't', facts: {} })).toMatch(
    /dead-lettered\s+1 {3}SQS DLQ 1, RabbitMQ DLQ 0 \(expected 1 poison\)/,
  );
});

test('a Kafka run has no RabbitMQ DLQ to name', () => {
  const text = formatReport(report, { runId: 'r', target: 't', facts: { source: 'kafka' } });
  expect(text).toMatch(/dead-lettered\s+1 {3}SQS DLQ 1 \(expected 1 poison\)/);
  expect(text).not.toMatch(/RabbitMQ DLQ/);
});
