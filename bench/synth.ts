import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './bundle';
import type { SectionResult } from './report';
import { median, round } from './stats';

const execFileAsync = promisify(execFile);

/** What the synth child can build: the project's app for `dev`, or a one-queue app as the baseline. */
export type SynthSubject = 'app' | 'minimal';

/** The context `cdk synth` would pass: cdk.json's, the stage, and no asset bundling (bundles are their own figure). */
function synthContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return { ...cdkJson.context, stage: 'dev', 'aws:cdk:bundling-stacks': [] };
}

/**
 * Synthesizes `subject` in a fresh `node --import tsx` process (TypeScript loaded the way `cdk synth` loads
 * bin/app.ts, with the CLI's `CDK_OUTDIR` / `CDK_CONTEXT_JSON`) and returns seconds from that process's start until
 * the synthesized assembly was written.
 */
export async function synthOnce(subject: SynthSubject): Promise<number> {
  const outdir = mkdtempSync(join(tmpdir(), `mq-bench-synth-${subject}-`));
  try {
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', join(PROJECT_ROOT, 'bench/synth-child.ts'), subject],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(synthContext()) },
        timeout: 180_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: Error & { stderr?: string }) => {
      // A failed synth prints pages (cdk-nag findings); the tail names the cause.
      const tail = (error.stderr ?? error.message).trim().split('\n').slice(-6).join('\n');
      throw new Error(`synth of ${subject} failed:\n${tail}`);
    });
    const lastLine = stdout.trim().split('\n').pop() ?? '';
    const { sinceProcessStartMs } = JSON.parse(lastLine) as { sinceProcessStartMs: number };
    if (!readdirSync(outdir).some((f) => f.endsWith('.template.json'))) {
      throw new Error(`synth of ${subject} wrote no template to ${outdir}`);
    }
    return sinceProcessStartMs / 1000;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Synthesizes the app and the minimal app alternately, `repetitions` times each. */
export async function runSynthSection(
  repetitions: number,
  progress: (message: string) => void,
): Promise<SectionResult<'synthSec' | 'minimalSynthSec' | 'synthRatio'>> {
  const app: number[] = [];
  const minimal: number[] = [];
  for (let i = 0; i < repetitions; i++) {
    minimal.push(await synthOnce('minimal'));
    app.push(await synthOnce('app'));
    progress(`synth ${i + 1}/${repetitions}: app ${app[i].toFixed(2)} s, minimal ${minimal[i].toFixed(2)} s`);
  }
  const synthSec = median(app);
  const minimalSynthSec = median(minimal);
  return {
    synthSec: round(synthSec),
    minimalSynthSec: round(minimalSynthSec),
    synthRatio: round(synthSec / minimalSynthSec),
    runs: { synthSec: app.map((v) => round(v)), minimalSynthSec: minimal.map((v) => round(v)) },
  };
}
