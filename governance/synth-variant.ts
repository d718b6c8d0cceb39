import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { composeApp } from '../lib/app-composition';
import { stackNameFor } from '../lib/config/stage-config';
import { loadStageConfig, type StageConfigOverrides } from '../lib/config/stages';
import { readValidationFindings, type ValidationFindings } from './validation-report';
import { templateLabel, type TemplateVariant } from './variants';

const ROOT = path.resolve(__dirname, '..');

/** The feature flags of cdk.json, which the CDK CLI hands to the app. */
const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;

export type SynthOutcome =
  | ({ readonly status: 'synthesized'; readonly label: string; readonly templatePath: string } & ValidationFindings)
  | { readonly status: 'failed'; readonly label: string; readonly error: string };

/**
 * Synthesizes `stage` with `variant` the way `cdk synth` does (`composeApp`, cdk.json's feature flags, every
 * validation plugin), minus esbuild bundling: the templates differ only in asset hashes, and the bundling synth of
 *every stage runs in `.ci/run`. A variant the config refuses (an unknown field included) fails with the refusal.
 */
export function synthVariant(stage: string, variant: TemplateVariant, outRoot?: string): SynthOutcome {
  const label = templateLabel(stage, variant);
  let config;
  try {
    config = loadStageConfig(stage, variant.config as StageConfigOverrides);
  } catch (error) {
    return { status: 'failed', label, error: (error as Error).message };
  }
  const outdir = mkdtempSync(path.join(outRoot ?? tmpdir(), `${label.replace(/\W/g, '-')}-`));
  const app = new App({
    outdir,
    // The report is read from the assembly and summarized here, instead of CDK printing all of it and failing.
    context: {
      ...CDK_JSON_CONTEXT,
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:failSynthOnValidationErrors': false,
    },
  });
  try {
    composeApp(app, config);
    app.synth();
  } catch (error) {
    return { status: 'failed', label, error: (error as Error).message };
  }
  return {
    status: 'synthesized',
    label,
    templatePath: path.join(outdir, `${stackNameFor(config.stage)}.template.json`),
    ...readValidationFindings(outdir),
  };
}
