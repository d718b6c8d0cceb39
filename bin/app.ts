#!/usr/bin/env node
import { App, Tags } from 'aws-cdk-lib';
import { ConfigValidationError } from '../lib/config/config-issue';
import { TopologyValidationError } from '../lib/config/topology-validation';
import { parseConfigOverrides } from '../lib/config/overrides';
import { DEFAULT_STAGE, loadStageConfig } from '../lib/config/stages';
import { stackNameFor } from '../lib/config/stage-config';
import { addNagPacks } from '../lib/nag';
import { IntegrationStack } from '../lib/stacks/integration-stack';

/**
 * The CDK app: the only place that reads context. `-c stage=dev|prod` picks the stage; `-c config='{"broker":{…}}'`
 * overrides fields of it (JSON, validated like the defaults).
 */
const app = new App();
try {
  const stage = String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE);
  const config = loadStageConfig(stage, parseConfigOverrides(app.node.tryGetContext('config')));

  const stack = new IntegrationStack(app, stackNameFor(config.stage), { config });
  for (const [key, value] of Object.entries(config.tags)) Tags.of(stack).add(key, value);
  addNagPacks(app);
} catch (error) {
  // A refused configuration is the user's to fix: print the refusals (field, value, what is allowed) and nothing
  // else — no source excerpt, stack trace or object dump around them. Anything else is a bug and keeps its trace.
  if (!(error instanceof ConfigValidationError || error instanceof TopologyValidationError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
