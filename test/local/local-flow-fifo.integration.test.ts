import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../local/cli';
import { AMQP_BASE, MANAGEMENT_URL } from './support/broker';

/**
 * `npm start --config '{"queues":{"fifo":true}}'`: the stage synthesized with FIFO queues (no group field, so one
 * group: a single ordered stream), run in-process against the shared broker, and every message accounted for —
 * none lost, the poison dead-lettered, and no valid message taking effect after one published later.
 */
test('FIFO through --config: none lost, poison dead-lettered, outOfOrder 0 in the one group', async () => {
  const jsonFile = join(tmpdir(), `local-flow-fifo-${process.pid}.json`);
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    ['--config', '{"queues":{"fifo":true}}', '--messages', '200', '--poison', '4', '--isolated', '--json', jsonFile],
    { stdout: { write: (c) => out.push(c) > 0 }, stderr: { write: (c) => err.push(c) > 0, isTTY: false } },
    { LOCAL_AMQP_URL: AMQP_BASE, LOCAL_MANAGEMENT_URL: MANAGEMENT_URL },
  );
  const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
  rmSync(jsonFile, { force: true });

  expect({ code, stderr: code === 0 ? '' : err.join('') }).toEqual({ code: 0, stderr: '' });
  expect(report).toMatchObject({
    sent: 200,
    delivered: 196,
    effects: 196,
    deadLettered: 4,
    lost: 0,
    outOfOrder: 0,
    messageGroups: 1,
    passed: true,
    context: { config: '{"queues":{"fifo":true}}', sqsVisibilityTimeoutSec: 180 },
  });
  expect(err.join('')).toMatch(/SQS {7}FIFO queue/);
  expect(out.join('')).toMatch(/out of order\s+0[\s\S]*PASS/);
}, 240_000);
