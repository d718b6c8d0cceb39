import { loadStageConfig, STAGE_NAMES } from '../../lib/config/stages';
import { synthVariant } from '../../governance/synth-variant';
import { templateLabel, VARIANTS } from '../../governance/variants';

/**
 * The variant table of `npm run check:templates`: every row is a config both stages accept, and a row the config
 * refuses (an unknown field, a bad value) fails the check with the refusal, never silently skipped.
 */
test.each(STAGE_NAMES)('every variant is a config %s accepts', (stage) => {
  for (const variant of VARIANTS) expect(() => loadStageConfig(stage, variant.config as never)).not.toThrow();
});

test('a variant with a field the config does not know fails, naming the field', () => {
  const outcome = synthVariant('dev', { name: 'future', config: { notLandedYet: { enabled: true } } });
  expect(outcome.status).toBe('failed');
  expect(outcome.status === 'failed' && outcome.error).toMatch(/notLandedYet/);
});

test('a variant the config refuses for its values fails with the refusal', () => {
  const outcome = synthVariant('prod', { name: 'broken', config: { logRetentionDays: 10 } });
  expect(outcome.status).toBe('failed');
  expect(outcome.status === 'failed' && outcome.error).toMatch(/logRetentionDays: got 10/);
});

test('the table has the default, FIFO, sharded and Kafka rows, labelled per stage', () => {
  expect(VARIANTS.map((v) => v.name)).toEqual(['default', 'fifo', 'shards', 'kafka']);
  expect(VARIANTS.map((v) => templateLabel('prod', v))).toEqual(['prod', 'prod+fifo', 'prod+shards', 'prod+kafka']);
});
