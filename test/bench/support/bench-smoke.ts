import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { TARGETS } from '../../../bench/report';

/**
 * Runs `npm run bench -- --smoke` for some sections with tiny counts so the bench cannot rot: every field of those
 * sections is written as a number, every target is evaluated, and the targets of those sections have values. Not
 * timed: the figures of a 200-message run mean nothing; docs/performance.md holds the real ones. The sections are
 * split over two test files so the two halves run side by side (the whole smoke run was the suite's longest file).
 */

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../../..');

/** Written by every run, whatever the sections. */
const COMMON_FIELDS = [
  'machine.cores',
  'machine.totalMemoryMB',
  'machine.freeMemoryMB',
  'machine.loadAverage1m',
  'settings.messages',
  'settings.sizeBytes',
  'settings.repetitions',
  'settings.sendParallelism',
  'durationSec',
];

export interface SmokeHalf {
  readonly sections: readonly string[];
  /** Numeric fields these sections write. */
  readonly fields: readonly string[];
  /** Targets these sections give a value. */
  readonly targets: readonly string[];
  /** Figures whose repetitions these sections keep under `runs`. */
  readonly runs: readonly string[];
}

function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

export function describeBenchSmoke(half: SmokeHalf): void {
  describe(`npm run bench -- --smoke --only ${half.sections.join(',')} (200 messages, 1 repetition)`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'mq-bench-smoke-'));
    const jsonFile = join(dir, 'bench.json');
    let report: Record<string, unknown>;
    let stdout: string;
    const fields = [...COMMON_FIELDS, ...half.fields];

    beforeAll(async () => {
      ({ stdout } = await execFileAsync(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'bench/cli.ts'),
          '--smoke',
          '--messages',
          '200',
          '--only',
          half.sections.join(','),
          '--json',
          jsonFile,
        ],
        { cwd: ROOT, timeout: 260_000, maxBuffer: 16 * 1024 * 1024 },
      ));
      report = JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>;
    }, 270_000);

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    test.each(fields)('writes %s as a finite number', (field) => {
      const value = at(report, field);
      expect(typeof value).toBe('number');
      expect(Number.isFinite(value)).toBe(true);
    });

    test('throughputs and sizes are positive', () => {
      for (const field of fields.filter((f) => /PerSec$|bundleKB$|coldInitMs$|Sec$/.test(f))) {
        expect([field, at(report, field)]).toEqual([field, expect.any(Number)]);
        expect(at(report, field) as number).toBeGreaterThan(0);
      }
    });

    test('records the machine and marks the run as a smoke run', () => {
      expect(at(report, 'machine.nodeVersion')).toBe(process.version);
      expect(at(report, 'settings.smoke')).toBe(true);
      expect(at(report, 'settings.messages')).toBe(200);
      expect(at(report, 'settings.sections')).toEqual(half.sections);
    });

    test("evaluates every target, with a value for these sections' targets, and prints the verdict", () => {
      const targets = report.targets as { figure: string; met: boolean; value?: number }[];
      expect(targets.map((t) => t.figure)).toEqual(TARGETS.map((t) => t.figure));
      expect(targets.filter((t) => typeof t.value === 'number').map((t) => t.figure)).toEqual(half.targets);
      expect(stdout).toMatch(/all targets met|targets MISSED/);
    });

    test('keeps every repetition beside the medians', () => {
      const runs = report.runs as Record<string, number[]>;
      for (const key of half.runs) expect([key, runs[key]?.length]).toEqual([key, 1]);
    });
  });
}
