import { ConfigValidationError } from './config-issue';
import type { StageConfigOverrides } from './stages';

/**
 * Stage overrides given as JSON: `cdk synth -c config='{…}'` (bin/app.ts) and `npm start -- --config '{…}'`
 * (local/cli.ts) read them here, so both accept and refuse exactly the same text; `loadStageConfig` then validates
 * the values. Text that is not a JSON object is one refusal (`ConfigValidationError`) of `field` — `config` for the
 * context value, `--config` for the option — in `context`, e.g. `Invalid context`.
 */
export function parseConfigOverrides(
  raw: unknown,
  where: { readonly context: string; readonly field: string },
): StageConfigOverrides {
  if (raw === undefined) return {};
  // Context values given on the command line are strings; in cdk.json they may already be objects.
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw refusal(where, raw, (error as Error).message);
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw refusal(where, raw, 'not an object');
  return value as StageConfigOverrides;
}

function refusal(where: { readonly context: string; readonly field: string }, raw: unknown, why: string) {
  return new ConfigValidationError(where.context, [
    {
      field: where.field,
      value: raw,
      problem: `allowed: a JSON object such as '{"broker":{"instanceType":"mq.m7g.large"}}' (${why})`,
    },
  ]);
}
