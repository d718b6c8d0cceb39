import { withLocalAdmin } from '../../../local/kafka/kafka-pipeline';
import { runStart } from '../support/start-run';

/**
 * `npm start -- --source kafka` in process against the project's local Kafka broker (scripts/ensure-kafka.sh, which
 * the command runs itself), isolated: its own topic and consumer group, removed afterwards. Issue 13's done-when:
 * 2,000 messages of which 20 poison, every one accounted for; the report names the source and the broker version.
 */
const BROKERS = ['127.0.0.1:9092'];

test('--source kafka, 2,000 messages with 20 poison: none lost, 1,980 delivered, 20 dead-lettered, topic removed', async () => {
  const { code, stdout, stderr, report } = await runStart(
    ['--source', 'kafka', '--messages', '2000', '--poison', '20'],
    'kafka-start',
  );
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  expect(report).toMatchObject({
    sent: 2000,
    confirmed: 2000,
    delivered: 1980,
    effects: 1980,
    deadLettered: 20,
    lost: 0,
    problems: [],
    passed: true,
    context: { source: 'kafka', stage: 'dev', partitions: 3, effectsCountedFrom: 'receipts (effect flag)' },
  });
  expect(report.context.broker).toMatch(/^Apache Kafka \d+\.\d+\.\d+ \(KRaft/);
  expect(report.context.topic).toMatch(/^events-[0-9a-f]{8}$/);
  // A Kafka run has no RabbitMQ dead-letter queue to report.
  expect(stdout).toMatch(/dead-lettered\s+20\s+SQS DLQ 20/);
  expect(stdout).not.toMatch(/RabbitMQ DLQ/);
  expect(stdout).toMatch(/source kafka[\s\S]*PASS/);
  // Other tests make isolated topics on this broker at the same time: only this run's own must be gone.
  expect(await withLocalAdmin(BROKERS, (admin) => admin.listTopics())).not.toContain(report.context.topic);
}, 240_000);
