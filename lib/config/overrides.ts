import { ConfigValidationError } from './config-issue';
import type { StageConfigOverrides } from './stages';

/**
 * Stage config overrides given as JSON: `cdk synth -c config='…'` (bin/app.ts), `npm start -- --config '…'` and
 * `npm run bench -- --config '…'` parse them here, so every command takes the same JSON and refuses it the same way.
 * The fields themselves are checked by `loadStageConfig`.
 */
export function parseConfigOverrides(
  raw: unknown,
  field = 'config',
  context = 'Invalid context',
): StageConfigOverrides {
  if (raw === undefined) return {};
  // Context values from cdk.json may already be objects; command-line values are strings.
  if (typeof raw !== 'string') return raw as StageConfigOverrides;
  try {
    return JSON.parse(raw) as StageConfigOverrides;
  } catch (error) {
    throw new ConfigValidationError(context, [
      {
        field,
        value: raw,
        problem: `allowed: a JSON object such as '{"broker":{"instanceType":"mq.m7g.large"}}' (${(error as Error).message})`,
      },
    ]);
  }
}
