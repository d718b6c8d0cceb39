// eslint-disable-next-line @typescript-eslint/no-require-imports
const { rank } = require('./slow-first-sequencer.js') as { rank: (path: string) => number };

/** The slowest files start first on a fresh checkout (no timing cache); everything else keeps Jest's order. */
test('the bench smoke test and the kill tests rank before the other fault tests, those before the rest', () => {
  const order = [
    '/r/test/config/stages.test.ts',
    '/r/test/fault/shards.test.ts',
    '/r/test/fault/kafka-broker-kill.test.ts',
    '/r/test/bench/bench-smoke-build.test.ts',
    '/r/test/fault/broker-kill.test.ts',
  ].sort((a, b) => rank(a) - rank(b));
  expect(order).toEqual([
    '/r/test/bench/bench-smoke-build.test.ts',
    '/r/test/fault/broker-kill.test.ts',
    '/r/test/fault/kafka-broker-kill.test.ts',
    '/r/test/fault/shards.test.ts',
    '/r/test/config/stages.test.ts',
  ]);
});
