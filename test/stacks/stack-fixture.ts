import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { stackNameFor } from '../../lib/config/stage-config';
import { loadStageConfig, type StageConfigOverrides } from '../../lib/config/stages';
import { IntegrationStack } from '../../lib/stacks/integration-stack';

/**
 * Synthesizes one stage in process, the way `bin/app.ts` does, without esbuild bundling (it is proven by the
 * `cdk synth` in .ci/run) so each test file can afford its own synth.
 */
export interface SynthesizedStage {
  readonly app: App;
  readonly stack: IntegrationStack;
  readonly template: Template;
  /** The template as JSON (CDK's loosely typed form), for searches across the whole document. */
  readonly json: ReturnType<Template['toJSON']>;
}

/** The feature flags and settings of cdk.json, which the CDK CLI passes to the app; tests synthesize with them too. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

export function synthStage(
  stage: string,
  overrides: StageConfigOverrides = {},
  context: Record<string, unknown> = {},
): SynthesizedStage {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
  const stack = new IntegrationStack(app, stackNameFor(stage), { config: loadStageConfig(stage, overrides) });
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() };
}

type Resources = Record<
  string,
  { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string }
>;

/** Resources of `type`, by logical id. */
export function resourcesOfType(json: Record<string, unknown>, type: string): Resources {
  const all = (json.Resources ?? {}) as Resources;
  return Object.fromEntries(Object.entries(all).filter(([, r]) => r.Type === type));
}

/** The logical id of the construct at `path` below the stack (e.g. `Functions/Producer`). */
export function logicalIdOf(s: SynthesizedStage, path: string): string {
  const construct = s.stack.node.findChild(path.split('/')[0]);
  const target = path
    .split('/')
    .slice(1)
    .reduce((c, id) => c.node.findChild(id), construct);
  const cfn = (target.node.defaultChild ?? target) as Parameters<IntegrationStack['getLogicalId']>[0];
  return s.stack.getLogicalId(cfn);
}
