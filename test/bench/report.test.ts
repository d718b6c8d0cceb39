import { evaluateTargets, formatTargets, TARGETS } from '../../bench/report';

const allMet = {
  producerRatio: 0.9,
  bridgeRatio: 0.85,
  kafkaProducerRatio: 0.8,
  kafkaBridgeRatio: 0.81,
  pipelineRatio: 0.7,
  functions: { producer: { coldInitRatio: 1.5 }, bridge: { coldInitRatio: 3 }, consumer: { coldInitRatio: 2 } },
  latencyMs: { p99: 120 },
  shardScalingEfficiency: 0.85,
};

describe('targets', () => {
  test('are the ones issues 8 and 13 set', () => {
    expect(TARGETS.map((t) => `${t.figure} ${t.comparison} ${t.target}`)).toEqual([
      'producerRatio >= 0.8',
      'bridgeRatio >= 0.8',
      'kafkaProducerRatio >= 0.8',
      'kafkaBridgeRatio >= 0.8',
      'pipelineRatio >= 0.7',
      'functions.producer.coldInitRatio <= 3',
      'functions.bridge.coldInitRatio <= 3',
      'functions.consumer.coldInitRatio <= 3',
      'latencyMs.p99 <= 1000',
      'shardScalingEfficiency >= 0.85',
    ]);
  });

  test('are met on the boundary (>= and <= include it)', () => {
    expect(evaluateTargets(allMet).every((r) => r.met)).toBe(true);
  });

  test('a ratio below its floor is missed, with the value recorded', () => {
    const results = evaluateTargets({ ...allMet, producerRatio: 0.79 });
    expect(results.find((r) => r.figure === 'producerRatio')).toEqual({
      figure: 'producerRatio',
      comparison: '>=',
      target: 0.8,
      value: 0.79,
      met: false,
    });
  });

  test('a Kafka ratio below its floor is missed, with the value recorded', () => {
    const results = evaluateTargets({ ...allMet, kafkaProducerRatio: 0.79, kafkaBridgeRatio: 0.5 });
    expect(results.filter((r) => r.figure.startsWith('kafka'))).toEqual([
      { figure: 'kafkaProducerRatio', comparison: '>=', target: 0.8, value: 0.79, met: false },
      { figure: 'kafkaBridgeRatio', comparison: '>=', target: 0.8, value: 0.5, met: false },
    ]);
  });

  test('a p99 above one second is missed', () => {
    const results = evaluateTargets({ ...allMet, latencyMs: { p99: 1000.5 } });
    expect(results.find((r) => r.figure === 'latencyMs.p99')?.met).toBe(false);
  });

  test('a figure that was not measured counts as missed and has no value', () => {
    const results = evaluateTargets({ producerRatio: 0.9 });
    const bridge = results.find((r) => r.figure === 'bridgeRatio');
    expect(bridge).toEqual({ figure: 'bridgeRatio', comparison: '>=', target: 0.8, met: false });
  });

  test('the summary spells out every miss and counts them', () => {
    const text = formatTargets(evaluateTargets({ ...allMet, bridgeRatio: 0.5 }));
    expect(text).toMatch(/MISSED {2}bridgeRatio = 0.5 \(target >= 0.8\)/);
    expect(text).toMatch(/met {3}producerRatio = 0.9 \(target >= 0.8\)/);
    expect(text).toMatch(/1 of 10 targets MISSED \(see docs\/performance.md\)/);
  });

  test('the summary says so when every target is met', () => {
    expect(formatTargets(evaluateTargets(allMet))).toMatch(/all targets met$/);
  });
});
