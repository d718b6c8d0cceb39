import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'amqplib';
import { AMQP_BASE, waitFor } from './support/broker';

/**
 * `npm start -- --serve` as a real process: a plain amqplib client publishes one message into the exchange, its
 * receipt appears as a JSON line in the receipts file, and SIGTERM shuts the pipeline down cleanly.
 */
describe('npm start -- --serve', () => {
  const root = join(__dirname, '..', '..');
  const receiptsFile = join(tmpdir(), `serve-receipts-${process.pid}.jsonl`);
  let child: ChildProcess | undefined;
  let stderr = '';

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    rmSync(receiptsFile, { force: true });
  });

  test('a message published by any AMQP client gets a receipt line; SIGTERM stops cleanly', async () => {
    child = spawn(
      join(root, 'node_modules', '.bin', 'tsx'),
      ['local/cli.ts', '--serve', '--receipts', receiptsFile, '--isolated', '--amqp-url', AMQP_BASE],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));
    await waitFor(() => /ready: vhost=(\S+)/.test(stderr), 45_000, `the serve banner (stderr so far: ${stderr})`);
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
    channel.publish('events', 'event', Buffer.from(JSON.stringify(message)), {
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

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/Stopped cleanly: 1 receipts written, 0 dead-lettered\./);
  }, 60_000);
});
