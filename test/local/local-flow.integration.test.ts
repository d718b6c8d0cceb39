import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../local/cli';
import { AMQP_BASE, MANAGEMENT_URL } from './support/broker';

/**
 * `npm start` in-process against the shared local broker, in its own throwaway vhost and users: 2,000 messages of
 * which 20 poison, every one accounted for from receipts and DLQ contents. Template-true timing (no --time-scale,
 * 180 s visibility): the consumer makes each invalid record visible again at once, so the poison's five receives
 * take seconds, as they would in AWS. Effects come from the receipts' `effect` flag, as `npm run verify` counts them.
 */
test('2,000 messages with 20 poison: none lost, the poison dead-lettered, 1,980 delivered with one effect each', async () => {
  const jsonFile = join(tmpdir(), `local-flow-${process.pid}.json`);
  const out: string[] = [];
  const err: string[] = [];
  const started = Date.now();
  const code = await main(
    ['--messages', '2000', '--poison', '20', '--isolated', '--json', jsonFile],
    { stdout: { write: (c) => out.push(c) > 0 }, stderr: { write: (c) => err.push(c) > 0, isTTY: false } },
    { LOCAL_AMQP_URL: AMQP_BASE, LOCAL_MANAGEMENT_URL: MANAGEMENT_URL },
  );
  const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
  rmSync(jsonFile, { force: true });

  expect({ code, stderr: code === 0 ? '' : err.join('') }).toEqual({ code: 0, stderr: '' });
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
  expect(out.join('')).toMatch(/lost\s+0[\s\S]*PASS/);
  expect(Date.now() - started).toBeLessThan(60_000);
}, 90_000);
