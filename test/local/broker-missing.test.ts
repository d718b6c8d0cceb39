import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { main } from '../../local/cli';
import { AMQP_BASE, MANAGEMENT_URL } from './support/broker';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('npm start without a broker', () => {
  test('exits 2 within 10 s saying how to start one (in-process)', async () => {
    const port = await closedPort();
    const err: string[] = [];
    const started = Date.now();
    const code = await main(['--amqp-url', `amqp://guest:guest@127.0.0.1:${port}`], {
      stdout: { write: () => true },
      stderr: { write: (c) => err.push(c) > 0 },
    });
    expect(code).toBe(2);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(err.join('')).toMatch(new RegExp(`No RabbitMQ broker answers on amqp://127\\.0\\.0\\.1:${port}`));
    expect(err.join('')).toMatch(
      /bash scripts\/ensure-broker\.sh\n[\s\S]*bash scripts\/ensure-broker\.sh --print-docker/,
    );
  });

  test('the real command prints no stack trace and exits non-zero within 10 s', async () => {
    const port = await closedPort();
    const root = join(__dirname, '..', '..');
    const started = Date.now();
    const run = spawnSync(
      join(root, 'node_modules', '.bin', 'tsx'),
      ['local/cli.ts', '--amqp-url', `amqp://127.0.0.1:${port}`],
      {
        cwd: root,
        encoding: 'utf8',
        timeout: 25_000,
      },
    );
    expect(run.status).toBe(2);
    // The 10 s promise is measured in process above; a spawned tsx on a CI machine busy with two test workers spends
    // seconds just loading, so the real command gets twice that here.
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.stderr).toMatch(/No RabbitMQ broker answers/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('a bad option value is named with what is allowed', async () => {
    const err: string[] = [];
    const code = await main(['--time-scale', '0'], {
      stdout: { write: () => true },
      stderr: { write: (c) => err.push(c) > 0 },
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/--time-scale is "0"; expected a number greater than 0 and at most 1/);
  });
});

describe('npm start --config', () => {
  test('refuses text that is not a JSON object before anything starts, as cdk synth -c config does', async () => {
    const err: string[] = [];
    const code = await main(['--config', '{"queues":'], {
      stdout: { write: () => true },
      stderr: { write: (c) => err.push(c) > 0 },
    });
    expect(code).toBe(2);
    expect(err.join('')).toMatch(
      /npm start: Invalid option \(1 problem\):\n {2}- --config: got "\{\\"queues\\":"; allowed: a JSON object such as/,
    );
  });

  test('refuses an invalid value with the field, the value and what is allowed (the stage config validation)', async () => {
    const err: string[] = [];
    const code = await main(
      ['--config', '{"queues":{"maxReceiveCount":0}}'],
      { stdout: { write: () => true }, stderr: { write: (c) => err.push(c) > 0 } },
      { LOCAL_AMQP_URL: AMQP_BASE, LOCAL_MANAGEMENT_URL: MANAGEMENT_URL },
    );
    expect(code).toBe(2);
    expect(err.join('')).toMatch(/queues\.maxReceiveCount: got 0; allowed: an integer from 1 to 1,000/);
  });
});
