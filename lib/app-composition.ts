import { type App, Tags } from 'aws-cdk-lib';
import { type StageConfig, stackNameFor } from './config/stage-config';
import { addControlTowerRules } from './governance/control-tower';
import { addNagPacks } from './nag';
import { IntegrationStack } from './stacks/integration-stack';

/**
 * What `bin/app.ts` builds from a validated stage config: the stage's stack, its tags, and the checks every synth runs
 * (cdk-nag's AwsSolutions and Serverless packs, AWS Control Tower's proactive controls). `npm run check:templates`
 * builds its apps the same way, so the templates it checks are the ones `cdk synth` writes.
 */
export function composeApp(app: App, config: StageConfig): IntegrationStack {
  const stack = new IntegrationStack(app, stackNameFor(config.stage), { config });
  for (const [key, value] of Object.entries(config.tags)) Tags.of(stack).add(key, value);
  addNagPacks(app);
  addControlTowerRules(app);
  return stack;
}
