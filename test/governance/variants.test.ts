import { synthVariant } from '../../governance/synth-variant';
import { templateLabel, VARIANTS } from '../../governance/variants';

/**
 * The variant table of `npm run check:templates`: a row whose fields the config does not know yet (work not landed)
 * is skipped and says why; a row the config refuses for its values is a failure, never silently skipped.
 */
test('a variant with a field the config does not know is skipped, naming the field', () => {
  const outcome = synthVariant('dev', { name: 'future', config: { notLandedYet: { enabled: true } } });
  expect(outcome).toEqual({
    status: 'skipped',
    label: 'dev+future',
    why: 'the config does not accept notLandedYet',
  });
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
