/**
 * How the stack bundles its functions: one definition, read by `projectFunction` (as NodejsFunction `bundling` props)
 * and by the bench (as the esbuild options NodejsFunction turns them into), so the bench measures what is deployed.
 * Free of aws-cdk-lib so that the bench can read it without loading the CDK.
 */
export interface FunctionBundling {
  /** Minify the bundle. */
  readonly minify: boolean;
  /** Write a linked source map (the functions run with `--enable-source-maps`). */
  readonly sourceMap: boolean;
  /** Embed the sources in the source map. */
  readonly sourcesContent: boolean;
  /** Module format of the bundle. */
  readonly format: 'cjs';
  /** Put the AWS SDK v3 into the bundle instead of loading the copy the Lambda runtime provides. */
  readonly bundleAwsSDK: boolean;
  /** package.json fields a package is resolved by, in order. */
  readonly mainFields: readonly string[];
}

/**
 * The AWS SDK is bundled, tree-shaken from its ES module build (`module` before `main`): a cold start of each function
 * was 10–13% shorter than with the runtime's SDK (docs/decisions.md, benchmarks), and every function runs the SDK
 * version its tests ran with, not whatever version the runtime ships that day.
 */
export const FUNCTION_BUNDLING: FunctionBundling = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  format: 'cjs',
  bundleAwsSDK: true,
  mainFields: ['module', 'main'],
};

/** The esbuild target of a Lambda Node.js runtime: `nodejs24.x` → `node24`. */
export function esbuildTarget(runtimeName: string): string {
  return `node${runtimeName.replace(/^nodejs(\d+)\.x$/, '$1')}`;
}
