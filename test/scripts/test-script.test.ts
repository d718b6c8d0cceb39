import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * scripts/test.sh (npm test): the type check beside the Jest suite, failing when either fails, with tsc's errors
 * printed. Run here with stand-ins for tsc and jest that exit as told and record their arguments.
 */

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'test.sh');
let bin: string;

beforeEach(() => {
  bin = mkdtempSync(join(tmpdir(), 'mq-test-script-'));
  for (const tool of ['tsc', 'jest']) {
    const file = join(bin, tool);
    writeFileSync(
      file,
      `#!/bin/sh\necho "$@" > "${bin}/${tool}.args"\necho "${tool} says hello"\nexit "\${${tool.toUpperCase()}_RC:-0}"\n`,
    );
    chmodSync(file, 0o755);
  }
});
afterEach(() => rmSync(bin, { recursive: true, force: true }));

function run(env: Record<string, string>, args: string[] = []) {
  return spawnSync('bash', [SCRIPT, ...args], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, ...env },
    encoding: 'utf8',
  });
}

test('passes when both pass; jest gets three workers and the arguments', () => {
  const result = run({}, ['test/fault']);
  expect(result.status).toBe(0);
  expect(readFileSync(join(bin, 'jest.args'), 'utf8').trim()).toBe('--maxWorkers=3 test/fault');
  expect(readFileSync(join(bin, 'tsc.args'), 'utf8').trim()).toBe('--noEmit -p tsconfig.json');
});

test('fails when jest fails', () => {
  expect(run({ JEST_RC: '1' }).status).not.toBe(0);
});

test("fails when the type check fails, and prints tsc's output", () => {
  const result = run({ TSC_RC: '2' });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/the type check failed \(tsc --noEmit\):\ntsc says hello/);
});

test('JEST_WORKERS sets the worker count', () => {
  run({ JEST_WORKERS: '2' });
  expect(readFileSync(join(bin, 'jest.args'), 'utf8').trim()).toBe('--maxWorkers=2');
});
