import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { stackNameFor } from '../lib/config/stage-config';
import { loadStageConfig, type StageConfigOverrides } from '../lib/config/stages';
import { IntegrationStack } from '../lib/stacks/integration-stack';
import type { CfnTemplate } from './cfn-template';

/** The synthesized template of one stage, and the stack name it deploys as. */
export interface SynthesizedStage {
  readonly stackName: string;
  readonly template: CfnTemplate;
}

/**
 * Synthesizes the stage's stack in process (with the `--config` overrides), exactly as `cdk synth` would build it, minus asset bundling (the local
 * runtime runs the handlers from source, so esbuild is skipped) and with path metadata on (the template reader
 * finds the functions by their construct path). `overrides` are what `cdk synth -c config='{…}'` would apply.
 */
export function synthesizeStage(stage: string, overrides: StageConfigOverrides = {}): SynthesizedStage {
  const outdir = mkdtempSync(join(tmpdir(), 'mq-local-synth-'));
  try {
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true },
    });
    // The same overrides `cdk synth -c config=…` takes (`--config JSON`), validated the same way.
    const config = loadStageConfig(stage, overrides);
    const stackName = stackNameFor(config.stage);
    new IntegrationStack(app, stackName, { config });
    const template = app.synth().getStackByName(stackName).template as CfnTemplate;
    return { stackName, template };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
