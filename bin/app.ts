#!/usr/bin/env node
import { App, Tags } from 'aws-cdk-lib';
import { DEFAULT_STAGE, loadStageConfig, type StageConfigOverrides } from '../lib/config/stages';
import { stackNameFor } from '../lib/config/stage-config';
import { addNagPacks } from '../lib/nag';
import { IntegrationStack } from '../lib/stacks/integration-stack';

/**
 * The CDK app: the only place that reads context. `-c stage=dev|prod` picks the stage; `-c config='{"broker":{…}}'`
 * overrides fields of it (JSON, validated like the defaults).
 */
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? DEFAULT_STAGE);
const config = loadStageConfig(stage, parseOverrides(app.node.tryGetContext('config')));

const stack = new IntegrationStack(app, stackNameFor(config.stage), { config });
for (const [key, value] of Object.entries(config.tags)) Tags.of(stack).add(key, value);
addNagPacks(app);

/** Context values given on the command line are strings; in cdk.json they may already be objects. */
function parseOverrides(raw: unknown): StageConfigOverrides {
  if (raw === undefined) return {};
  if (typeof raw !== 'string') return raw as StageConfigOverrides;
  try {
    return JSON.parse(raw) as StageConfigOverrides;
  } catch (error) {
    throw new Error(
      `context 'config': got ${JSON.stringify(raw)}; allowed: a JSON object such as '{"broker":{"instanceType":"mq.m7g.large"}}' (${(error as Error).message})`,
    );
  }
}
