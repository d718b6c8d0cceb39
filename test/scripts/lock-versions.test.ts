import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One AWS SDK in the lock file: every `@aws-sdk/*` package at one version, and every client the project uses at the
 * version it pins. A second copy (pulled in by a dependency's own range, as the MSK IAM signer's
 * `@aws-sdk/credential-provider-node` was) is a second SDK in the bundles, tested against nothing; `overrides` in
 * package.json keep it at one. The one client at another version is the signer's `@aws-sdk/client-sts` (only the
 * Kafka producer's IAM token uses it): its release matching ours, 3.1048.0, requires `@aws-sdk/region-config-resolver`
 * without declaring it, so the Kafka producer fails to load with it (tried; docs/decisions.md, "Node 24 toolchain").
 */
const SIGNERS_CLIENT = '@aws-sdk/client-sts';
const ROOT = join(__dirname, '..', '..');
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

const versions = new Map<string, Set<string>>();
for (const [path, entry] of Object.entries(lock.packages)) {
  const name = path.split('node_modules/').at(-1) ?? '';
  if (!name.startsWith('@aws-sdk/') || !entry.version) continue;
  versions.set(name, (versions.get(name) ?? new Set()).add(entry.version));
}

test('every @aws-sdk package is in the lock file once', () => {
  const duplicated = [...versions].filter(([, v]) => v.size > 1).map(([name, v]) => `${name}: ${[...v].join(', ')}`);
  expect(duplicated).toEqual([]);
});

test('every @aws-sdk client is at the pinned client version', () => {
  const pinned = manifest.dependencies['@aws-sdk/client-sqs'];
  expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
  const clients = [...versions].filter(([name]) => name.startsWith('@aws-sdk/client-') && name !== SIGNERS_CLIENT);
  expect(clients.length).toBeGreaterThan(5);
  expect(clients.filter(([, v]) => !v.has(pinned)).map(([name, v]) => `${name}: ${[...v].join(', ')}`)).toEqual([]);
});

test("the MSK IAM signer's client-sts is the signer's own dependency, not one the project uses", () => {
  expect(manifest.dependencies[SIGNERS_CLIENT]).toBeUndefined();
  expect(versions.get(SIGNERS_CLIENT)?.size).toBe(1);
});

test('fauxqs is 2.x', () => {
  expect(lock.packages['node_modules/fauxqs']?.version).toMatch(/^2\./);
});
