import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { loadStageConfig } from '../lib/config/stages';

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

/** A bundle's name: one of the functions, or the empty baseline. */
export type BundleName = FunctionName | 'empty';

/** The bundles in a scratch directory; `dispose()` removes them. */
export interface Bundles {
  readonly dir: string;
  /** Absolute path of each bundle. */
  readonly files: Readonly<Record<BundleName, string>>;
  /** Minified size of each bundle, in KiB. */
  readonly sizeKB: Readonly<Record<BundleName, number>>;
  /**
   * Per function, a module that only requires what its bundle leaves external (the AWS SDK the Lambda runtime
   * provides, Node built-ins): its cold init is the share of the function's that is not the function's own code.
   */
  readonly sdkOnlyFiles: Readonly<Record<FunctionName, string>>;
  /** The external imports of each function's bundle, as esbuild's metafile lists them. */
  readonly externals: Readonly<Record<FunctionName, readonly string[]>>;
  dispose(): void;
}

/** Bundles every function and the empty handler with {@link lambdaEsbuildOptions} for `runtime`. */
export async function bundleFunctions(runtime: string): Promise<Bundles> {
  const dir = mkdtempSync(join(tmpdir(), 'mq-bench-bundle-'));
  const emptyEntry = join(dir, 'empty-handler.ts');
  writeFileSync(emptyEntry, EMPTY_HANDLER_SOURCE);
  const entries: Record<BundleName, string> = {
    empty: emptyEntry,
    producer: join(PROJECT_ROOT, 'lambda/producer/index.ts'),
    bridge: join(PROJECT_ROOT, 'lambda/bridge/index.ts'),
    consumer: join(PROJECT_ROOT, 'lambda/consumer/index.ts'),
  };
  const files = {} as Record<BundleName, string>;
  const sizeKB = {} as Record<BundleName, number>;
  const sdkOnlyFiles = {} as Record<FunctionName, string>;
  const externals = {} as Record<FunctionName, string[]>;
  for (const [name, entry] of Object.entries(entries) as [BundleName, string][]) {
    const outfile = join(dir, name, 'index.js');
    const result = await build({
      ...lambdaEsbuildOptions(runtime),
      entryPoints: [entry],
      outfile,
      absWorkingDir: PROJECT_ROOT,
      metafile: true,
    });
    files[name] = outfile;
    sizeKB[name] = statSync(outfile).size / 1024;
    if (name === 'empty') continue;
    const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
    externals[name] = [...new Set((output?.imports ?? []).filter((i) => i.external).map((i) => i.path))].sort();
    sdkOnlyFiles[name] = join(dir, `${name}-sdk-only.cjs`);
    writeFileSync(
      sdkOnlyFiles[name],
      `${externals[name].map((p) => `require(${JSON.stringify(p)});`).join('\n')}\nexports.handler = async () => undefined;\n`,
    );
  }
  return { dir, files, sizeKB, sdkOnlyFiles, externals, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
