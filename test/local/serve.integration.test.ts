import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { AMQP_BASE, waitFor } from './support/broker';

/**
 * `npm start -- --serve` as a real process started through npm, as a person starts it: a plain amqplib client
 * publishes one message into the exchange, its receipt appears as a JSON line in the receipts file; a message with
 * no AMQP message id is reported by its body's id; and SIGTERM sent to npm's own process stops the whole process
 * tree cleanly (before, npm's shell died and left the pipeline running, orphaned and silent).
 */

/** Every descendant of `pid` (children first found through `ps`). */
function descendants(pid: number): number[] {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
  const pairs = out
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of pairs) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
describe('npm start -- --serve', () => {
  const root = join(__dirname, '..', '..');
  const receiptsFile = join(tmpdir(), `serve-receipts-${process.pid}.jsonl`);
  let child: ChildProcess | undefined;
  let stderr = '';

  afterAll(() => {
    // After a failure: SIGKILL does not reach npm's children, so kill the whole tree, deepest first.
    if (child?.pid !== undefined && child.exitCode === null) {
      for (const pid of descendants(child.pid).reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      child.kill('SIGKILL');
    }
    rmSync(receiptsFile, { force: true });
  });

  test('a message published by any AMQP client gets a receipt line; SIGTERM stops cleanly', async () => {
    child = spawn(
      'npm',
      ['start', '--silent', '--', '--serve', '--receipts', receiptsFile, '--isolated', '--amqp-url', AMQP_BASE],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    await waitFor(() => /ready: vhost=(\S+)/.test(stderr), 120_000, `the serve banner (stderr so far: ${stderr})`);
    const vhost = /ready: vhost=(\S+)/.exec(stderr)![1];

    const connection = await connect(`${AMQP_BASE}/${encodeURIComponent(vhost)}`);
    const channel = await connection.createConfirmChannel();
    const id = `serve-test-${process.pid}`;
    const message = {
      id,
      type: 'sample.event',
      payload: { hello: 'world' },
      createdAt: new Date().toISOString(),
      correlationId: id,
    };
    // As the banner's examples do: into the consistent-hash exchange, the routing key (ordering key) the id.
    channel.publish('events.by-key', id, Buffer.from(JSON.stringify(message)), {
      messageId: id,
      contentType: 'application/json',
      persistent: true,
    });
    await channel.waitForConfirms();
    await connection.close();

    await waitFor(
      () => existsSync(receiptsFile) && readFileSync(receiptsFile, 'utf8').includes(id),
      15_000,
      'the receipt line',
    );
    const lines = readFileSync(receiptsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ id, attempt: 1, receivedAt: expect.any(String) })]);

    const poison = await connect(`${AMQP_BASE}/${encodeURIComponent(vhost)}`);
    const poisonChannel = await poison.createConfirmChannel();
    const poisonId = `serve-poison-${process.pid}`;
    // No messageId property, as Debian's amqp-publish sends it: the DLQ line names the body's id.
    poisonChannel.publish('events.by-key', poisonId, Buffer.from(JSON.stringify({ id: poisonId, type: '' })), {
      contentType: 'application/json',
      persistent: true,
    });
    await poisonChannel.waitForConfirms();
    await poison.close();
    await waitFor(() => stderr.includes(`dead-lettered to the SQS DLQ: ${poisonId} (`), 20_000, 'the DLQ line');

    const tree = descendants(child.pid!);
    expect(tree.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/Stopped cleanly: 1 receipts written, 1 dead-lettered\./);
    await waitFor(() => tree.every((pid) => !alive(pid)), 10_000, `every process of the tree to exit (${tree})`);
  }, 180_000);
});
