import { runStart } from './support/start-run';

/**
 * `npm start` in-process against the shared local broker, in its own throwaway vhost and users: 2,000 messages of
 * which 20 poison, every one accounted for from receipts and DLQ contents. Template-true timing (no --time-scale,
 * 180 s visibility): the consumer makes each invalid record visible again at once, so the poison's five receives
 * take seconds, as they would in AWS. Effects come from the receipts' `effect` flag, as `npm run verify` counts them.
 */
test('2,000 messages with 20 poison: none lost, the poison dead-lettered, 1,980 delivered with one effect each', async () => {
  const started = Date.now();
  const { code, stdout, stderr, report } = await runStart(['--messages', '2000', '--poison', '20'], 'local-flow');
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
    context: {
      stage: 'dev',
      timeScale: 1,
      sqsVisibilityTimeoutSec: 180,
      invalidRecordsFailFast: true,
      effectsCountedFrom: 'receipts (effect flag)',
    },
  });
  expect(report.deadLetteredByQueue.sqs + report.deadLetteredByQueue.rabbitmq).toBe(20);
  expect(report.latencyMs.p99).toBeGreaterThanOrEqual(report.latencyMs.p50);
  expect(report.throughputPerSec).toBeGreaterThan(0);
  expect(stdout).toMatch(/lost\s+0[\s\S]*PASS/);
  expect(Date.now() - started).toBeLessThan(60_000);
}, 240_000);
