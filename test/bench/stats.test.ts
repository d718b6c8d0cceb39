import { latencyPercentiles, median, percentileOfSorted, perSecond, repeat, round } from '../../bench/stats';

describe('median', () => {
  test('is the middle value of an odd count, whatever the order', () => {
    expect(median([30, 10, 20])).toBe(20);
  });

  test('is the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test('does not reorder the caller’s array', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  test('refuses an empty list', () => {
    expect(() => median([])).toThrow(/median: needs at least one value, received none/);
  });

  test('refuses a value that is not a finite number', () => {
    expect(() => median([1, Number.NaN])).toThrow(/median: every value must be a finite number, received NaN/);
  });
});

describe('percentiles', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  test('interpolate between the closest ranks', () => {
    expect(percentileOfSorted(oneToHundred, 50)).toBeCloseTo(50.5);
    expect(percentileOfSorted(oneToHundred, 95)).toBeCloseTo(95.05);
    expect(percentileOfSorted(oneToHundred, 99)).toBeCloseTo(99.01);
  });

  test('p0 is the minimum and p100 the maximum', () => {
    expect(percentileOfSorted([1, 5, 9], 0)).toBe(1);
    expect(percentileOfSorted([1, 5, 9], 100)).toBe(9);
  });

  test('of a single sample are that sample', () => {
    expect(latencyPercentiles([7])).toEqual({ p50: 7, p95: 7, p99: 7 });
  });

  test('sort unsorted samples first, so p50 equals the median', () => {
    const samples = [9, 1, 8, 2, 7, 3, 6, 4, 5];
    expect(latencyPercentiles(samples).p50).toBe(median(samples));
    expect(latencyPercentiles(samples).p99).toBeCloseTo(8.92);
  });

  test('refuse p outside 0..100', () => {
    expect(() => percentileOfSorted([1], 101)).toThrow(/percentile: p must be between 0 and 100, received 101/);
  });

  test('refuse no samples', () => {
    expect(() => latencyPercentiles([])).toThrow(/percentile: needs at least one value, received none/);
  });
});

describe('perSecond', () => {
  test('converts a count over milliseconds to a rate per second', () => {
    expect(perSecond(500, 250)).toBe(2000);
  });

  test('refuses a zero duration rather than reporting Infinity', () => {
    expect(() => perSecond(1, 0)).toThrow(/perSecond: elapsedMs must be > 0, received 0/);
  });
});

describe('repeat', () => {
  test('runs the measurement one after the other and keeps every result in order', async () => {
    let running = 0;
    let maxRunning = 0;
    const results = await repeat(3, async (i) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return i * 10;
    });
    expect(results).toEqual([0, 10, 20]);
    expect(maxRunning).toBe(1);
  });

  test('refuses a count below 1', () => {
    return expect(repeat(0, async () => 1)).rejects.toThrow(/repeat: times must be an integer >= 1, received 0/);
  });
});

test('round keeps the requested digits', () => {
  expect(round(1234.5678)).toBe(1234.57);
  expect(round(0.123456, 4)).toBe(0.1235);
});
