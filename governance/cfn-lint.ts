import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * AWS's CloudFormation linter, pinned in governance/requirements.txt and installed from PyPI into a project-local
 * virtual environment (.cache/venv, git-ignored) the first time it is needed, or again when the pin changes.
 */

const ROOT = path.resolve(__dirname, '..');
export const VENV_DIR = path.join(ROOT, '.cache', 'venv');
export const REQUIREMENTS = path.join(__dirname, 'requirements.txt');
/** The committed cfn-lint configuration: ignored rules, each with its reason. */
export const CFN_LINT_CONFIG = path.join(ROOT, '.cfnlintrc.yaml');

/** One cfn-lint finding. */
export interface CfnLintFinding {
  /** `E3002`, `W3005`… */
  readonly rule: string;
  /** `Error`, `Warning` or `Informational`. */
  readonly level: string;
  readonly message: string;
  readonly file: string;
  /** `Resources/Broker/Properties/Foo`. */
  readonly path: string;
}

/** The cfn-lint version governance/requirements.txt pins. */
export function pinnedCfnLintVersion(): string {
  const pin = /^cfn-lint==(\S+)$/m.exec(readFileSync(REQUIREMENTS, 'utf8'))?.[1];
  if (!pin) throw new Error(`${REQUIREMENTS}: expected a line cfn-lint==<version>`);
  return pin;
}

/** Path of the cfn-lint executable at the pinned version, creating or updating the virtual environment first. */
export function ensureCfnLint(log: (line: string) => void): string {
  const bin = path.join(VENV_DIR, 'bin', 'cfn-lint');
  const pinned = pinnedCfnLintVersion();
  if (existsSync(bin) && installedVersion(bin) === pinned) return bin;
  log(`cfn-lint: installing ${pinned} from PyPI into ${path.relative(ROOT, VENV_DIR)} (once)`);
  if (!existsSync(path.join(VENV_DIR, 'bin', 'python'))) {
    run('python3', ['-m', 'venv', VENV_DIR], 'python3 -m venv (needs Python 3.9+ with the venv module)');
  }
  run(
    path.join(VENV_DIR, 'bin', 'pip'),
    ['install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS],
    'pip install',
  );
  const installed = installedVersion(bin);
  if (installed !== pinned) throw new Error(`cfn-lint: expected ${pinned} in ${VENV_DIR}, found ${installed}`);
  return bin;
}

/** Lints `templates` in one run with the committed config; every finding, whatever its level. */
export function runCfnLint(bin: string, templates: readonly string[]): CfnLintFinding[] {
  if (templates.length === 0) return [];
  const result = spawnSync(bin, ['--format', 'json', '--config-file', CFN_LINT_CONFIG, '--', ...templates], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) throw result.error;
  // Exit status is a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 is a failure to run.
  if (result.status === 1 || result.status === null) {
    throw new Error(`cfn-lint failed (status ${result.status}): ${result.stderr.trim()}`);
  }
  const raw = JSON.parse(result.stdout || '[]') as {
    Rule: { Id: string };
    Level: string;
    Message: string;
    Filename: string;
    Location: { Path?: (string | number)[] };
  }[];
  return raw.map((f) => ({
    rule: f.Rule.Id,
    level: f.Level,
    message: f.Message,
    file: f.Filename,
    path: (f.Location.Path ?? []).join('/'),
  }));
}

function installedVersion(bin: string): string | undefined {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  return /cfn-lint (\S+)/.exec(result.stdout ?? '')?.[1];
}

function run(command: string, args: string[], what: string): void {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (result.error || result.status !== 0) {
    throw new Error(`${what} failed: ${result.error?.message ?? result.stderr.trim()}`);
  }
}
