import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { main } from '../../local/cli';

/**
 * `npm start -- --size` is checked against the stage's size limit (min of the broker's max_message_size and SQS's
 * limit less the bridge's attributes) before anything starts: no broker probe, no synth, no topology.
 */

const io = (err: string[]) => ({ stdout: { write: () => true }, stderr: { write: (c: string) => err.push(c) > 0 } });

describe('npm start --size', () => {
  test('over the dev limit: exit 2 naming both limits, without touching the broker (in-process)', async () => {
    const err: string[] = [];
    // An address nothing listens on: reaching the probe would fail differently.
    const code = await main(['--size', '1045000', '--messages', '2', '--amqp-url', 'amqp://127.0.0.1:1'], io(err));
    expect(code).toBe(2);
    expect(err.join('')).toMatch(
      /--size is "1045000"; expected a whole number from 1 to 1040384 bytes \(the smaller of the broker's max_message_size \(134217728\) and the SQS limit of 1048576 bytes less 8192 for the attributes the bridge adds \(1040384\)\)/,
    );
    expect(err.join('')).not.toMatch(/Synthesizing|No RabbitMQ broker/);
  });

  test("--stage prod takes the prod broker's 512 KiB", async () => {
    const err: string[] = [];
    const code = await main(['--stage', 'prod', '--size', '524289', '--amqp-url', 'amqp://127.0.0.1:1'], io(err));
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/--size is "524289"; expected a whole number from 1 to 524288 bytes/);
  });

  test('an unknown stage is refused before anything starts', async () => {
    const err: string[] = [];
    expect(await main(['--stage', 'qa', '--size', '10'], io(err))).toBe(2);
    expect(err.join('')).toMatch(/stage: got "qa"; allowed: dev, prod/);
  });

  test('the real command: `npm start -- --size 1045000 --messages 2` exits 2 within 5 seconds', () => {
    const root = join(__dirname, '..', '..');
    // bash's `time` reports the wall clock and the CPU time of the whole process tree (npm, with-node, tsx).
    const run = spawnSync(
      'bash',
      ['-c', "TIMEFORMAT='%R %U %S'; time npm start --silent -- --size 1045000 --messages 2"],
      { cwd: root, encoding: 'utf8', timeout: 30_000 },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--size is "1045000"; expected a whole number from 1 to 1040384 bytes/);
    expect(run.stderr).not.toMatch(/\n\s+at |Synthesizing/);
    const [wall, user, sys] = run.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    // The command itself needs about a second of CPU. Its wall clock is bounded at 5 s on a machine that is not
    // oversubscribed; when other work queues for the cores (load above their number), only the CPU bound is its own.
    expect(user + sys).toBeLessThan(5);
    if (loadavg()[0] < availableParallelism()) expect(wall).toBeLessThan(5);
    else expect(wall).toBeLessThan(15);
  });
});
