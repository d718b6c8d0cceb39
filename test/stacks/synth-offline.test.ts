import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CDK_JSON_CONTEXT } from './stack-fixture';

/**
 * `bin/app.ts` synthesizes with no AWS credentials and no context lookups: run it the way the CDK CLI does (context
 * and output directory in the environment) with every credential source removed. Bundling is skipped here; the
 * `cdk synth` of every stage in .ci/run bundles for real.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_DEFAULT_PROFILE',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'CDK_DEFAULT_ACCOUNT',
  'CDK_DEFAULT_REGION',
];

function synth(context: Record<string, unknown>) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'mq-synth-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of CREDENTIAL_VARIABLES) delete env[name];
  const result = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'bin/app.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context }),
    },
    encoding: 'utf8',
    // The synth runs every validation plugin, AWS Control Tower's 474 cfn-guard rules included (seconds on an idle
    // machine, minutes on a loaded one).
    timeout: 300_000,
  });
  return { result, outdir };
}

describe('prod synthesized by bin/app.ts without credentials', () => {
  let manifest: {
    missing?: unknown[];
    artifacts: Record<string, { type: string; environment?: string; properties?: Record<string, unknown> }>;
  };
  let template: {
    Resources: Record<string, { Type: string; Properties?: { Tags?: { Key: string; Value: string }[] } }>;
  };
  let outdir: string;

  beforeAll(() => {
    const run = synth({ stage: 'prod' });
    outdir = run.outdir;
    expect(run.result.stderr).not.toMatch(/Error/);
    expect(run.result.status).toBe(0);
    manifest = JSON.parse(readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    template = JSON.parse(readFileSync(path.join(outdir, 'MqCloudIntegration-prod.template.json'), 'utf8'));
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('no context lookup was needed', () => {
    expect(manifest.missing).toBeUndefined();
  });

  test('one environment-agnostic stack, with termination protection', () => {
    const stacks = Object.entries(manifest.artifacts).filter(([, a]) => a.type === 'aws:cloudformation:stack');
    expect(stacks.map(([id]) => id)).toEqual(['MqCloudIntegration-prod']);
    expect(stacks[0][1].environment).toBe('aws://unknown-account/unknown-region');
    expect(stacks[0][1].properties).toMatchObject({ terminationProtection: true });
  });

  test('every taggable resource carries the stage tags', () => {
    const queue = Object.values(template.Resources).find((r) => r.Type === 'AWS::SQS::Queue');
    expect(queue?.Properties?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'project', Value: 'mq-cloud-integration' },
        { Key: 'stage', Value: 'prod' },
      ]),
    );
  });
});

test('an unknown stage fails the synth with the stages that exist', () => {
  const { result, outdir } = synth({ stage: 'qa' });
  rmSync(outdir, { recursive: true, force: true });
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/stage: got "qa"; allowed: dev, prod/);
});

/** One synth with a refused override, shared by the two tests that read it (each synth loads the whole CDK app). */
let refused: ReturnType<typeof synth>['result'] | undefined;
function refusedConfigSynth(): ReturnType<typeof synth>['result'] {
  if (!refused) {
    const { result, outdir } = synth({ stage: 'dev', config: '{"broker":{"engineVersion":"4.2"}}' });
    rmSync(outdir, { recursive: true, force: true });
    refused = result;
  }
  return refused;
}

test('overrides from -c config are applied and validated', () => {
  const result = refusedConfigSynth();
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(
    /broker\.instanceType: got "mq\.t3\.micro"; mq\.t3\.micro runs only RabbitMQ 3\.13, not 4\.2/,
  );
});

test('a refused config prints only its refusals and exits 1: no source excerpt, stack trace or object dump', () => {
  const result = refusedConfigSynth();
  expect(result.status).toBe(1);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^Invalid .*\(\d+ problems?\):$/);
  for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}- [\w.[\]]+: got .+; .+/);
  expect(result.stderr).not.toMatch(/\n\s+at |\^|\{\n/);
});

test('context config that is not JSON is one refusal naming the field', () => {
  const { result, outdir } = synth({ stage: 'dev', config: '{broker' });
  rmSync(outdir, { recursive: true, force: true });
  expect(result.status).toBe(1);
  expect(result.stderr).toMatch(
    /^Invalid context \(1 problem\):\n {2}- config: got "\{broker"; allowed: a JSON object/,
  );
  expect(result.stderr).not.toMatch(/\n\s+at /);
});
