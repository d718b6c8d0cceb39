import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * scripts/with-node.sh: a machine whose node is 22 or newer runs the command unchanged; an older one runs it on the
 * pinned Node 24 from the npm registry (unpacked in .cache/node, which every npm script has already brought).
 */
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'with-node.sh');

function withFakeNode(major: number, command: string[]) {
  const bin = mkdtempSync(join(tmpdir(), 'with-node-'));
  try {
    writeFileSync(
      join(bin, 'node'),
      `#!/bin/sh\nif [ "$1" = "-p" ]; then echo ${major}; else echo "v${major}.0.0-fake"; fi\n`,
    );
    chmodSync(join(bin, 'node'), 0o755);
    return spawnSync('bash', [SCRIPT, ...command], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      encoding: 'utf8',
    });
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

test('node 22 or newer: the command runs on it, unchanged', () => {
  expect(withFakeNode(22, ['node', '-v']).stdout.trim()).toBe('v22.0.0-fake');
  expect(withFakeNode(24, ['node', '-v']).stdout.trim()).toBe('v24.0.0-fake');
});

test('an older node: the command runs on the pinned Node 24', () => {
  const result = withFakeNode(20, ['node', '-v']);
  expect(result.status).toBe(0);
  expect(result.stdout.trim()).toBe('v24.22.3');
});

test('the tests themselves run on Node 22 or newer', () => {
  expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(22);
});
