import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** The real SDK credential chain with nothing configured: the command must say what to do, not print a stack. */
test('npm run verify without credentials exits 2 with a clear message', () => {
  const root = join(__dirname, '..', '..');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  ]) {
    delete env[key];
  }
  Object.assign(env, {
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    // No instance metadata service here; disabling it keeps the test independent of the network.
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  const started = Date.now();
  const run = spawnSync(
    join(root, 'node_modules', '.bin', 'tsx'),
    ['verify/cli.ts', '--stack', 'MqCloudIntegration-dev', '--region', 'eu-west-1'],
    {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/No AWS credentials found/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(Date.now() - started).toBeLessThan(20_000);
});
