import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { stackNameFor } from '../../lib/config/stage-config';
import { loadStageConfig, type StageConfigOverrides } from '../../lib/config/stages';
import { controlTowerValidator } from '../../lib/governance/control-tower';
import { IntegrationStack } from '../../lib/stacks/integration-stack';
import { readValidationFindings, type ValidationFindings } from '../../governance/validation-report';
import { CDK_JSON_CONTEXT } from '../stacks/stack-fixture';

/**
 * Synthesizes an app with only the Control Tower rules a test needs (all 474 take seconds per template), through the
 * same policy-validation path `cdk synth` takes, and returns what the report says: open and acknowledged violations.
 */
export function synthWithControls(ruleFiles: readonly string[], build: (app: App) => void): ValidationFindings {
  const outdir = mkdtempSync(path.join(tmpdir(), 'mq-controls-'));
  try {
    const app = new App({
      outdir,
      context: {
        ...CDK_JSON_CONTEXT,
        'aws:cdk:bundling-stacks': [],
        '@aws-cdk/core:failSynthOnValidationErrors': false,
      },
    });
    Validations.of(app).addPlugins(controlTowerValidator(ruleFiles));
    build(app);
    app.synth();
    return readValidationFindings(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** Adds the stage's stack (as bin/app.ts would, without cdk-nag) to `app`. */
export function addStage(app: App, stage: string, overrides: StageConfigOverrides = {}): Stack {
  return new IntegrationStack(app, stackNameFor(stage), { config: loadStageConfig(stage, overrides) });
}

/** `rule at constructPath` for each open violation, for readable assertions. */
export function openViolations(findings: ValidationFindings): string[] {
  return findings.violations.flatMap((v) => v.at.map((at) => `${v.rule} at ${at}`));
}
