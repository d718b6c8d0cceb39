import { runBounded } from '../../bench/raw-sqs';

describe('runBounded', () => {
  test('runs every job once with at most `parallelism` in flight', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    await runBounded(23, 4, async (i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(i);
      running--;
    });
    expect(peak).toBe(4);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  test('starts no more workers than there are jobs', async () => {
    let peak = 0;
    let running = 0;
    await runBounded(2, 8, async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
    });
    expect(peak).toBe(2);
  });

  test('rejects with the first job failure', () => {
    return expect(
      runBounded(5, 2, async (i) => {
        if (i === 3) throw new Error('batch 3 refused');
      }),
    ).rejects.toThrow(/batch 3 refused/);
  });
});
