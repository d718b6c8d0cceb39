import { runStart } from './support/start-run';

/**
 * `npm start --config '{"queues":{"fifo":true}}'`: the stage synthesized with FIFO queues (no group field, so one
 * group: a single ordered stream), run in-process against the shared broker, and every message accounted for —
 * none lost, the poison dead-lettered, and no valid message taking effect after one published later.
 */
test('FIFO through --config: none lost, poison dead-lettered, outOfOrder 0 in the one group', async () => {
  const { code, stdout, stderr, report } = await runStart(
    ['--config', '{"queues":{"fifo":true}}', '--messages', '200', '--poison', '4'],
    'local-flow-fifo',
  );
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
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
  expect(stderr).toMatch(/SQS {7}FIFO queue/);
  expect(stdout).toMatch(/out of order\s+0[\s\S]*PASS/);
}, 240_000);
