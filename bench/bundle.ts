import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type BuildOptions } from 'esbuild';
import { loadStageConfig } from '../lib/config/stages';
import type { BenchReport, FunctionFigures } from './report';
import { median, round } from './stats';

const execFileAsync = promisify(execFile);

/** Project root (bench/..): entry points and node_modules are found from here. */
export const PROJECT_ROOT = resolve(__dirname, '..');

/** The functions the stack deploys, by the name their directory under lambda/ has. */
export const FUNCTIONS = ['producer', 'bridge', 'consumer'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/**
 * The esbuild options the project's functions are bundled with: what CDK's NodejsFunction passes
 * (aws-lambda-nodejs/lib/bundling.js) given the `bundling` props of lib/constructs/project-function.ts — node platform,
 * CommonJS, target from the stage's runtime, minified, linked source map without sources, AWS SDK v3 left to the
 * runtime.
 */
export function lambdaEsbuildOptions(runtime: string): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: `node${runtime.replace(/^nodejs(\d+)\.x$/, '$1')}`,
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  };
}

/** The Lambda runtime the dev stage deploys (`functions.runtime` of its config). */
export function devRuntime(): string {
  return loadStageConfig('dev').functions.runtime;
}

/** The baseline: a handler that does nothing, bundled the same way. */
const EMPTY_HANDLER_SOURCE = 'export const handler = async (): Promise<void> => undefined;\n';

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
  EXCHANGE: 'events',
  ROUTING_KEY: 'event',
  TARGET_QUEUE_URL: 'http://127.0.0.1:1/000000000000/bench',
  RECEIPTS_QUEUE_URL: 'http://127.0.0.1:1/000000000000/bench-receipts',
  IDEMPOTENCY_TABLE_NAME: 'bench-idempotency',
  // Lambda runs Node 22+, where the SDK prints no "unsupported Node" warning; the bench may run on Node 20.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Bundles, the probe and their directory; `dispose()` removes them. */
export interface Bundles {
  /** Absolute path of each bundle, the functions' and `empty`. */
  readonly files: Readonly<Record<FunctionName | 'empty', string>>;
  /** Minified size of each bundle, in KiB. */
  readonly sizeKB: Readonly<Record<FunctionName | 'empty', number>>;
  readonly probe: string;
  dispose(): void;
}

/** Bundles every function and the empty handler with {@link lambdaEsbuildOptions} for `runtime`. */
export async function bundleFunctions(runtime: string): Promise<Bundles> {
  const dir = mkdtempSync(join(tmpdir(), 'mq-bench-bundle-'));
  const emptyEntry = join(dir, 'empty-handler.ts');
  writeFileSync(emptyEntry, EMPTY_HANDLER_SOURCE);
  const probe = join(dir, 'probe.cjs');
  writeFileSync(probe, PROBE_SOURCE);
  const entries: Record<FunctionName | 'empty', string> = {
    empty: emptyEntry,
    producer: join(PROJECT_ROOT, 'lambda/producer/index.ts'),
    bridge: join(PROJECT_ROOT, 'lambda/bridge/index.ts'),
    consumer: join(PROJECT_ROOT, 'lambda/consumer/index.ts'),
  };
  const files = {} as Record<FunctionName | 'empty', string>;
  const sizeKB = {} as Record<FunctionName | 'empty', number>;
  for (const [name, entry] of Object.entries(entries) as [FunctionName | 'empty', string][]) {
    const outfile = join(dir, name, 'index.js');
    await build({ ...lambdaEsbuildOptions(runtime), entryPoints: [entry], outfile, absWorkingDir: PROJECT_ROOT });
    files[name] = outfile;
    sizeKB[name] = statSync(outfile).size / 1024;
  }
  return { files, sizeKB, probe, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One cold init: a fresh `node` requires `bundle`; returns ms from process start until the require returned. */
export async function coldInitOnce(probe: string, bundle: string): Promise<number> {
  // --enable-source-maps: the project sets it in every function's NODE_OPTIONS, and it makes Node read the map at load.
  const { stdout } = await execFileAsync(process.execPath, ['--enable-source-maps', probe, bundle], {
    // NODE_PATH stands in for the Lambda runtime's own node_modules, where the external AWS SDK lives.
    env: { PATH: process.env.PATH ?? '', NODE_PATH: join(PROJECT_ROOT, 'node_modules'), ...FUNCTION_ENVIRONMENT },
    timeout: 30_000,
  });
  // The last line: module init may log (structured logs go to stdout in Lambda too).
  const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { sinceProcessStartMs: number; handler: string };
  if (result.handler !== 'function') throw new Error(`cold init: ${bundle} does not export a handler function`);
  return result.sinceProcessStartMs;
}

/** Cold starts per bundle: cheap (tens of ms), so more than the minimum three, which steadies the median. */
export const MIN_COLD_STARTS = 5;

/** Bundles every function, then measures `rounds` cold inits of each, round-robin so a noisy moment hits all alike. */
export async function runBundleSection(
  rounds: number,
  progress: (message: string) => void,
): Promise<{ functions: BenchReport['functions']; runs: Record<string, number[]> }> {
  const bundles = await bundleFunctions(devRuntime());
  try {
    const names = ['empty', ...FUNCTIONS] as const;
    const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let i = 0; i < rounds; i++) {
      for (const name of names) samples[name].push(await coldInitOnce(bundles.probe, bundles.files[name]));
    }
    const emptyMs = median(samples.empty);
    const figures = (name: FunctionName | 'empty'): FunctionFigures => ({
      bundleKB: round(bundles.sizeKB[name], 1),
      coldInitMs: round(median(samples[name]), 1),
      coldInitRatio: round(median(samples[name]) / emptyMs),
    });
    const { bundleKB, coldInitMs } = figures('empty');
    const functions = {
      producer: figures('producer'),
      bridge: figures('bridge'),
      consumer: figures('consumer'),
      empty: { bundleKB, coldInitMs },
    };
    for (const name of FUNCTIONS) {
      const f = functions[name];
      progress(
        `${name}: ${f.bundleKB} KiB, cold init ${f.coldInitMs} ms = ${f.coldInitRatio} × empty (${coldInitMs} ms)`,
      );
    }
    const runs = Object.fromEntries(names.map((n) => [`coldInitMs.${n}`, samples[n].map((v) => round(v, 1))]));
    return { functions, runs };
  } finally {
    bundles.dispose();
  }
}
