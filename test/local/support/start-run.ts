import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../local/cli';
import type { VerificationReport } from '../../../verify/accounting';
import { AMQP_BASE, MANAGEMENT_URL } from './broker';

/** What one in-process `npm start` run returned: its exit code, its output and the `--json` report. */
export interface StartRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The `--json` document: the report's fields, then where it came from. */
  readonly report: VerificationReport & { readonly context: Readonly<Record<string, unknown>> };
}

/** Runs `npm start -- ARGS --isolated --json FILE` in process against the shared broker and reads the report. */
export async function runStart(args: readonly string[], label: string): Promise<StartRun> {
  const jsonFile = join(tmpdir(), `${label}-${process.pid}.json`);
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await main(
      [...args, '--isolated', '--json', jsonFile],
      { stdout: { write: (c) => out.push(c) > 0 }, stderr: { write: (c) => err.push(c) > 0, isTTY: false } },
      { LOCAL_AMQP_URL: AMQP_BASE, LOCAL_MANAGEMENT_URL: MANAGEMENT_URL },
    );
    const report = JSON.parse(readFileSync(jsonFile, 'utf8')) as StartRun['report'];
    return { code, stdout: out.join(''), stderr: err.join(''), report };
  } finally {
    rmSync(jsonFile, { force: true });
  }
}
