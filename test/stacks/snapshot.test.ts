import { format } from 'pretty-format';
import { synthStage } from './stack-fixture';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const assetHashSerializer = require('../support/asset-hash-serializer.js');

/**
 * One snapshot per stage: a safety net that shows every infrastructure change in review. The fine-grained tests in
 * integration-stack.test.ts say what must hold; this says what changed. Asset hashes are replaced by a token so
 * editing a handler does not churn the snapshot.
 */
describe.each(['dev', 'prod'])('stage %s', (stage) => {
  const { json } = synthStage(stage);

  test('template snapshot', () => {
    expect(json).toMatchSnapshot();
  });

  test('the snapshot holds no asset hash', () => {
    const printed = format(json, { plugins: [assetHashSerializer] });
    expect(JSON.stringify(json)).toMatch(/[0-9a-f]{64}/);
    expect(printed).not.toMatch(/[0-9a-f]{64}/);
    expect(printed).toContain('[ASSET_HASH].zip');
  });
});
