import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { VALIDATION_REPORT_FILE } from '../../governance/validation-report';
import { addStage } from './control-tower-fixture';
import { CDK_JSON_CONTEXT } from '../stacks/stack-fixture';

/**
 * aws-cdk-lib's built-in CloudFormation validation (schemas and rules, run in a WASM engine at synth). The other
 * test files turn it off for speed (test/support/no-builtin-validation.js); here it runs over every stage and the
 * optional sources, and its report must be clean: a violation would make `cdk synth` fail.
 */

const VARIANTS: readonly [string, Record<string, unknown>][] = [
  ['dev', {}],
  ['prod', {}],
  ['dev', { queues: { fifo: true } }],
  ['dev', { kafka: { enabled: true } }],
];

type Report = { pluginReports: { pluginName: string; violations: { ruleName: string; description: string }[] }[] };

/** Synthesizes what `build` adds with the built-in validation on, and returns its report (empty when clean). */
function validate(build: (app: App) => void): Report {
  const saved = process.env.CDK_VALIDATION;
  delete process.env.CDK_VALIDATION;
  const outdir = mkdtempSync(path.join(tmpdir(), 'mq-builtin-validation-'));
  try {
    const app = new App({
      outdir,
      builtinCloudFormationValidation: true,
      // Report, don't throw: the report is what the tests read.
      context: {
        ...CDK_JSON_CONTEXT,
        'aws:cdk:bundling-stacks': [],
        '@aws-cdk/core:failSynthOnValidationErrors': false,
      },
    });
    build(app);
    app.synth();
    try {
      return JSON.parse(readFileSync(path.join(outdir, VALIDATION_REPORT_FILE), 'utf8')) as Report;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { pluginReports: [] };
      throw error;
    }
  } finally {
    process.env.CDK_VALIDATION = saved;
    rmSync(outdir, { recursive: true, force: true });
  }
}

const violations = (report: Report) =>
  report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName} ${v.ruleName}: ${v.description}`));

test('the validation is on in this file: a queue with a property SQS does not have is reported', () => {
  const report = validate((app) => {
    new CfnResource(new Stack(app, 'Canary'), 'Queue', {
      type: 'AWS::SQS::Queue',
      properties: { NotAQueueProperty: 1 },
    });
  });
  expect(violations(report)).toEqual([expect.stringMatching(/NotAQueueProperty/)]);
});

test.each(VARIANTS)('%s %j: the built-in validation reports no violation', (stage, overrides) => {
  expect(violations(validate((app) => addStage(app, stage, overrides)))).toEqual([]);
});
