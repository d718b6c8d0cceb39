import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bundleFunctions, devRuntime, FUNCTIONS, PROJECT_ROOT, type BundleName, type FunctionName } from './bundle';
import type { FunctionFigures, SectionResult } from './report';
import { median, round } from './stats';

const execFileAsync = promisify(execFile);

/**
 * The probe a fresh `node` runs: requires one bundle and prints how long the require took and how long the process
 * has existed by then (Node's bootstrap + the bundle's module init, i.e. what a cold start costs before the handler
 * can run).
 */
const PROBE_SOURCE = `'use strict';
const { performance } = require('node:perf_hooks');
const start = process.hrtime.bigint();
const mod = require(process.argv[2]);
const requireMs = Number(process.hrtime.bigint() - start) / 1e6;
const sinceProcessStartMs = performance.now();
process.stdout.write('\\n' + JSON.stringify({ requireMs, sinceProcessStartMs, handler: typeof mod.handler }) + '\\n');
`;

/**
 * Environment a deployed function gets (docs/module-boundaries.md), with dummy values: module init may read it, and
 * nothing may be contacted during init.
 */
const FUNCTION_ENVIRONMENT: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  POWERTOOLS_SERVICE_NAME: 'bench',
  POWERTOOLS_METRICS_NAMESPACE: 'bench',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  BROKER_AMQPS_ENDPOINT: 'amqps://127.0.0.1:5671',
  BROKER_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bench',
  VHOST: 'integration',
  EXCHANGE: 'events.by-key',
  TARGET_QUEUE_URL: 'http://127.0.0.1:1/000000000000/bench',
  RECEIPTS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/bench-receipts',
  IDEMPOTENCY_TABLE_NAME: 'bench-idempotency',
  // Lambda runs Node 22+, where the SDK prints no "unsupported Node" warning; the bench may run on Node 20.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** One cold init: a fresh `node` requires `module`; returns ms from process start until the require returned. */
export async function coldInitOnce(probe: string, module: string): Promise<number> {
  // --enable-source-maps: the project sets it in every function's NODE_OPTIONS, and it makes Node read the map at load.
  const { stdout } = await execFileAsync(process.execPath, ['--enable-source-maps', probe, module], {
    // Only what Lambda would set: no NODE_OPTIONS or NODE_EXTRA_CA_CERTS of this shell (the latter alone costs ~35 ms).
    // NODE_PATH stands in for the Lambda runtime's own node_modules, where an external AWS SDK would live.
    env: { PATH: process.env.PATH ?? '', NODE_PATH: join(PROJECT_ROOT, 'node_modules'), ...FUNCTION_ENVIRONMENT },
    timeout: 30_000,
  });
  // The last line: module init may log (structured logs go to stdout in Lambda too).
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { sinceProcessStartMs: number; handler: string };
  if (result.handler !== 'function') throw new Error(`cold init: ${module} does not export a handler function`);
  return result.sinceProcessStartMs;
}

/** Cold starts per bundle: cheap (tens of ms) but noisy on a shared machine, so well above the minimum three. */
export const MIN_COLD_STARTS = 10;

/**
 * Bundles every function, then measures `rounds` cold inits of each bundle, of the empty baseline and of each
 * function's SDK-only module, round-robin so that a noisy moment hits all of them alike.
 */
export async function runColdStartSection(
  rounds: number,
  progress: (message: string) => void,
): Promise<SectionResult<'functions'>> {
  const bundles = await bundleFunctions(devRuntime());
  try {
    const probe = join(bundles.dir, 'probe.cjs');
    writeFileSync(probe, PROBE_SOURCE);
    const targets: [string, string][] = [
      ...(['empty', ...FUNCTIONS] as BundleName[]).map((n): [string, string] => [n, bundles.files[n]]),
      ...FUNCTIONS.map((n): [string, string] => [`${n}.sdkOnly`, bundles.sdkOnlyFiles[n]]),
    ];
    const samples: Record<string, number[]> = Object.fromEntries(targets.map(([key]) => [key, []]));
    for (let i = 0; i < rounds; i++) {
      for (const [key, file] of targets) samples[key].push(await coldInitOnce(probe, file));
    }
    const emptyMs = median(samples.empty);
    const figures = (name: FunctionName): FunctionFigures => ({
      bundleKB: round(bundles.sizeKB[name], 1),
      coldInitMs: round(median(samples[name]), 1),
      coldInitRatio: round(median(samples[name]) / emptyMs),
      sdkInitMs: round(median(samples[`${name}.sdkOnly`]), 1),
    });
    const functions = {
      producer: figures('producer'),
      bridge: figures('bridge'),
      consumer: figures('consumer'),
      empty: { bundleKB: round(bundles.sizeKB.empty, 1), coldInitMs: round(emptyMs, 1) },
    };
    for (const name of FUNCTIONS) {
      const f = functions[name];
      progress(
        `${name}: ${f.bundleKB} KiB, cold init ${f.coldInitMs} ms = ${f.coldInitRatio} × empty (${round(emptyMs, 1)} ms); ` +
          `its AWS SDK clients alone (${bundles.sdkClients[name].join(', ')}) ${f.sdkInitMs} ms`,
      );
    }
    const runs = Object.fromEntries(
      targets.map(([key]) => [`coldInitMs.${key}`, samples[key].map((v) => round(v, 1))]),
    );
    return { functions, runs };
  } finally {
    bundles.dispose();
  }
}
