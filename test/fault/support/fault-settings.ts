import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { StageConfigOverrides } from '../../../lib/config/stages';
import { synthesizeStage } from '../../../local/synth';
import type { CfnTemplate } from '../../../local/cfn-template';
import { readLocalSettings, type LocalSettings } from '../../../local/template-reader';

/**
 * The local runtime's settings for the fault tests, read from the `dev` stage's synthesized template exactly as
 * `npm start` reads them. Synthesis takes seconds on a busy two-core machine and every fault test file needs the
 * same template, so it is cached in the temp directory under a hash of everything synthesis reads (the CDK code,
 * the synth entry and the locked dependency versions) and of the config overrides: a change to any of them
 * synthesizes afresh.
 */

const ROOT = join(__dirname, '..', '..', '..');
const SYNTH_INPUTS = ['lib', 'local/synth.ts', 'package-lock.json', 'cdk.json'];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

function synthInputsHash(): string {
  const hash = createHash('sha256');
  for (const file of SYNTH_INPUTS.flatMap((p) => filesUnder(join(ROOT, p)))) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

const CACHE_PREFIX = 'mqci-fault-template-dev-';

function devTemplate(config: StageConfigOverrides): CfnTemplate {
  const sourceHash = synthInputsHash();
  const configHash = createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 8);
  const name = `${CACHE_PREFIX}${sourceHash}-${configHash}.json`;
  const cached = join(tmpdir(), name);
  if (existsSync(cached)) return JSON.parse(readFileSync(cached, 'utf8')) as CfnTemplate;
  const { template } = synthesizeStage('dev', config);
  // Templates of earlier sources can never be read again (those of other configs of this source can).
  for (const old of readdirSync(tmpdir()).filter(
    (f) => f.startsWith(CACHE_PREFIX) && f.endsWith('.json') && !f.startsWith(`${CACHE_PREFIX}${sourceHash}-`),
  )) {
    rmSync(join(tmpdir(), old), { force: true });
  }
  // Write-then-rename: a fault test file running in another worker never reads half a template.
  const partial = `${cached}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(template));
  renameSync(partial, cached);
  return template;
}

/** What a fault test may change for speed; everything else is the template's. */
export interface FaultSettingsOverrides {
  /** The producer's `CONFIRM_TIMEOUT_MS`. @default - the template's */
  readonly confirmTimeoutMs?: number;
  /** Overrides of the dev stage's config, as `npm start --config` applies them (e.g. FIFO queues). @default {} */
  readonly stageConfig?: StageConfigOverrides;
}

export function faultSettings(overrides: FaultSettingsOverrides = {}): LocalSettings {
  const settings = readLocalSettings(devTemplate(overrides.stageConfig ?? {}));
  if (overrides.confirmTimeoutMs === undefined) return settings;
  const producer = settings.functions.producer;
  return {
    ...settings,
    functions: {
      ...settings.functions,
      producer: {
        ...producer,
        environment: { ...producer.environment, CONFIRM_TIMEOUT_MS: String(overrides.confirmTimeoutMs) },
      },
    },
  };
}
