import { describeMachine } from '../../bench/machine';

test('the machine description holds cores, memory and the Node version as the bench records them', () => {
  const machine = describeMachine();
  expect(machine.cores).toBeGreaterThanOrEqual(1);
  expect(Number.isInteger(machine.totalMemoryMB)).toBe(true);
  expect(machine.totalMemoryMB).toBeGreaterThan(0);
  expect(machine.freeMemoryMB).toBeLessThanOrEqual(machine.totalMemoryMB);
  expect(machine.nodeVersion).toBe(process.version);
  expect(machine.platform).toBe(`${process.platform}-${process.arch}`);
  expect(machine.loadAverage1m).toBeGreaterThanOrEqual(0);
});
