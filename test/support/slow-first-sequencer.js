// Jest orders test files by the durations it cached on earlier runs; a fresh checkout (CI) has none, so a two-minute
// fault test may start last and run alone at the end. These files take longest (measured, docs/decisions.md "Test
// suite time"): they start first, then Jest's own order.
const Sequencer = require('@jest/test-sequencer').default;

const SLOW_FIRST = [
  /\/test\/bench\/bench-smoke-[a-z]+\.test\.ts$/,
  /\/test\/fault\/broker-kill\.test\.ts$/,
  /\/test\/fault\/kafka-broker-kill\.test\.ts$/,
  /\/test\/fault\//,
  /\/test\/stacks\/synth-offline\.test\.ts$/,
  /\/test\/local\/.*\.integration\.test\.ts$/,
];

const rank = (path) => {
  const i = SLOW_FIRST.findIndex((pattern) => pattern.test(path));
  return i === -1 ? SLOW_FIRST.length : i;
};

class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const ordered = super.sort(tests);
    // Array.prototype.sort is stable: within a rank, Jest's order stays.
    return [...ordered].sort((a, b) => rank(a.path) - rank(b.path));
  }
}

module.exports = SlowFirstSequencer;
module.exports.rank = rank;
