import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * On a machine where RabbitMQ is neither running nor installable (not root, or no apt-get), the quick start stops
 * within seconds with one line saying exactly what to run — the docker command where Docker exists.
 */
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'ensure-broker.sh');

function runAsNonRoot(withDocker: boolean) {
  const bin = mkdtempSync(join(tmpdir(), 'ensure-broker-'));
  try {
    writeFileSync(join(bin, 'id'), '#!/bin/sh\necho 1000\n');
    chmodSync(join(bin, 'id'), 0o755);
    if (withDocker) {
      writeFileSync(join(bin, 'docker'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(bin, 'docker'), 0o755);
    }
    const started = Date.now();
    // /usr/sbin and /sbin (where Debian puts rabbitmq-server) left out: the broker is "not installed".
    const result = spawnSync('bash', [SCRIPT], {
      env: { PATH: `${bin}:/usr/bin:/bin`, LOCAL_AMQP_PORT: '1', LOCAL_MANAGEMENT_PORT: '2' },
      encoding: 'utf8',
      timeout: 10_000,
    });
    return { ...result, elapsedMs: Date.now() - started };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

test('no broker and no way to install one: one line with the apt-get command, exit 2, within 10 s', () => {
  const result = runAsNonRoot(false);
  expect(result.status).toBe(2);
  expect(result.elapsedMs).toBeLessThan(10_000);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(
      /no local RabbitMQ.*run: {2}sudo apt-get install -y rabbitmq-server && sudo bash scripts\/ensure-broker\.sh$/,
    ),
  ]);
});

test('with Docker: the one line is the official image at the dev engine version with its management and consistent-hash plugins', () => {
  const result = runAsNonRoot(true);
  expect(result.status).toBe(2);
  expect(result.stderr.trim().split('\n')).toEqual([
    expect.stringMatching(
      /run: {2}docker run -d --name mq-cloud-integration-rabbitmq -p 1:5672 -p 2:15672 rabbitmq:3\.13-management sh -c 'rabbitmq-plugins enable --offline rabbitmq_consistent_hash_exchange && exec docker-entrypoint\.sh rabbitmq-server'$/,
    ),
  ]);
});

test('--print-docker prints the docker command alone', () => {
  const result = spawnSync('bash', [SCRIPT, '--print-docker'], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  expect(result.stdout).toMatch(
    /^docker run -d .* rabbitmq:3\.13-management sh -c '.*rabbitmq_consistent_hash_exchange.*'\n$/,
  );
});

test('an unknown option is refused naming what is allowed', () => {
  const result = spawnSync('bash', [SCRIPT, '--loud'], { encoding: 'utf8' });
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/unknown option --loud \(allowed: --quiet, --print-docker\)/);
});
