/**
 * Child process of the synth figure: `node --import tsx bench/synth-child.ts app|minimal`, started by bench/synth.ts
 * with `CDK_OUTDIR` and `CDK_CONTEXT_JSON` set the way the CDK CLI sets them, so `app` is bin/app.ts exactly as
 * `cdk synth` runs it (stage config, stack, tags, cdk-nag packs) and the App synthesizes itself when the event loop
 * empties. This module's own `beforeExit` listener, registered after the App's, then prints `{ sinceProcessStartMs }`:
 * Node's clock starts with the process, so loading TypeScript, aws-cdk-lib and the constructs is counted, as a user
 * waiting for `cdk synth` would count it.
 */
import { performance } from 'node:perf_hooks';

async function main(): Promise<void> {
  const subject = process.argv[2];
  if (subject === 'app') {
    await import('../bin/app');
  } else if (subject === 'minimal') {
    const { App, Stack } = await import('aws-cdk-lib');
    const { Queue } = await import('aws-cdk-lib/aws-sqs');
    new Queue(new Stack(new App(), 'Minimal'), 'Queue');
  } else {
    throw new Error(`synth-child: expected "app" or "minimal", received ${JSON.stringify(subject)}`);
  }
  process.once('beforeExit', () => {
    process.stdout.write(`${JSON.stringify({ sinceProcessStartMs: performance.now() })}\n`);
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
