#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { composeApp } from '../lib/app-composition';
import { ConfigValidationError } from '../lib/config/config-issue';
import { parseConfigOverrides } from '../lib/config/config-overrides';
import { TopologyValidationError } from '../lib/config/topology-validation';
import { DEFAULT_STAGE, loadStageConfig } from '../lib/config/stages';

/**
 * The CDK app: the only place that reads context. `-c stage=dev|prod` picks the stage; `-c config='{"broker":{…}}'`
 * overrides fields of it (JSON, validated like the defaults; `npm start --config` reads it with the same code).
 */
const app = new App();
try {
  const stage = String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE);
  const overrides = parseConfigOverrides(app.node.tryGetContext('config'), {
    context: 'Invalid context',
    field: 'config',
  });
  const config = loadStageConfig(stage, overrides);

  composeApp(app, config);
} catch (error) {
  // A refused configuration is the user's to fix: print the refusals (field, value, what is allowed) and nothing
  // else — no source excerpt, stack trace or object dump around them. Anything else is a bug and keeps its trace.
  if (!(error instanceof ConfigValidationError || error instanceof TopologyValidationError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
