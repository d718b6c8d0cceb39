import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { esbuildTarget, FUNCTION_BUNDLING } from '../lib/config/function-bundling';
import { loadStageConfig } from '../lib/config/stages';

/** Project root (bench/..): entry points and node_modules are found from here. */
export const PROJECT_ROOT = resolve(__dirname, '..');

/** The functions the stack deploys, by the name their directory under lambda/ has. */
export const FUNCTIONS = ['producer', 'bridge', 'consumer'] as const;
export type FunctionName = (typeof FUNCTIONS)[number];

/**
 * The esbuild options the project's functions are bundled with: what CDK's NodejsFunction passes
 * (aws-lambda-nodejs/lib/bundling.js) for the `bundling` props lib/constructs/project-function.ts builds from
 * `FUNCTION_BUNDLING` — node platform, its format, target from the stage's runtime, minified, linked source map without
 * sources, its main fields, and the AWS SDK external only when it is not bundled.
 */
export function lambdaEsbuildOptions(runtime: string): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    target: esbuildTarget(runtime),
    format: FUNCTION_BUNDLING.format,
    minify: FUNCTION_BUNDLING.minify,
    sourcemap: FUNCTION_BUNDLING.sourceMap,
    sourcesContent: FUNCTION_BUNDLING.sourcesContent,
    external: FUNCTION_BUNDLING.bundleAwsSDK ? [] : ['@aws-sdk/*'],
    mainFields: [...FUNCTION_BUNDLING.mainFields],
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
   * Per function, a bundle built the same way that only creates the AWS SDK clients the function's bundle contains:
   * its cold init is the share of the function's that is the AWS SDK, not the function's own code.
   */
  readonly sdkOnlyFiles: Readonly<Record<FunctionName, string>>;
  /** The AWS SDK clients each function's bundle contains, e.g. `SQSClient`. */
  readonly sdkClients: Readonly<Record<FunctionName, readonly string[]>>;
  dispose(): void;
}

/** The AWS SDK client classes in a bundle: each `@aws-sdk/client-*` package among its inputs, by its client module. */
export function sdkClientsOf(inputs: readonly string[]): { readonly pkg: string; readonly client: string }[] {
  const packages = new Set<string>();
  for (const input of inputs) {
    const match = /node_modules\/(@aws-sdk\/client-[^/]+)\//.exec(input);
    if (match) packages.add(match[1]);
  }
  return [...packages].sort().flatMap((pkg) =>
    readdirSync(join(PROJECT_ROOT, 'node_modules', pkg, 'dist-es'))
      .filter((file) => /^[A-Z][A-Za-z0-9]*Client\.js$/.test(file))
      .map((file) => ({ pkg, client: file.replace(/\.js$/, '') })),
  );
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
  const bundle = (entry: string, outfile: string) =>
    build({
      ...lambdaEsbuildOptions(runtime),
      entryPoints: [entry],
      outfile,
      absWorkingDir: PROJECT_ROOT,
      // Generated entries live in the scratch directory; packages still come from the project.
      nodePaths: [join(PROJECT_ROOT, 'node_modules')],
      metafile: true,
    });
  const files = {} as Record<BundleName, string>;
  const sizeKB = {} as Record<BundleName, number>;
  const sdkOnlyFiles = {} as Record<FunctionName, string>;
  const sdkClients = {} as Record<FunctionName, string[]>;
  for (const [name, entry] of Object.entries(entries) as [BundleName, string][]) {
    const outfile = join(dir, name, 'index.js');
    const result = await bundle(entry, outfile);
    files[name] = outfile;
    sizeKB[name] = statSync(outfile).size / 1024;
    if (name === 'empty') continue;
    const clients = sdkClientsOf(Object.keys(result.metafile.inputs));
    sdkClients[name] = clients.map((c) => c.client);
    const sdkEntry = join(dir, `${name}-sdk-only.ts`);
    writeFileSync(
      sdkEntry,
      [
        ...clients.map((c) => `import { ${c.client} } from '${c.pkg}';`),
        `export const clients = [${clients.map((c) => `new ${c.client}({})`).join(', ')}];`,
        'export const handler = async (): Promise<void> => undefined;',
        '',
      ].join('\n'),
    );
    sdkOnlyFiles[name] = join(dir, `${name}-sdk-only`, 'index.js');
    await bundle(sdkEntry, sdkOnlyFiles[name]);
  }
  return { dir, files, sizeKB, sdkOnlyFiles, sdkClients, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
