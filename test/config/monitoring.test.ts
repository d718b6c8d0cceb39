import {
  MonitoringConfig,
  MonitoringThresholds,
  devMonitoringDefaults,
  monitoringConfigIssues,
  prodMonitoringDefaults,
  validateMonitoringConfig,
} from '../../lib/config/monitoring';

const withThresholds = (overrides: Partial<MonitoringThresholds>): MonitoringConfig => ({
  ...devMonitoringDefaults,
  thresholds: { ...devMonitoringDefaults.thresholds, ...overrides },
});

test.each([
  ['dev', devMonitoringDefaults],
  ['prod', prodMonitoringDefaults],
])('the %s defaults are valid', (_stage, cfg) => {
  expect(() => validateMonitoringConfig(cfg)).not.toThrow();
});

test('prod alarms earlier than dev on every threshold', () => {
  const dev = devMonitoringDefaults.thresholds;
  const prod = prodMonitoringDefaults.thresholds;
  expect(prod.sourceQueueMaxMessageAgeSeconds).toBeLessThan(dev.sourceQueueMaxMessageAgeSeconds);
  expect(prod.functionErrors).toBeLessThan(dev.functionErrors);
  expect(prod.functionDurationTimeoutRatio).toBeLessThan(dev.functionDurationTimeoutRatio);
  expect(prod.brokerMemoryUsedPercent).toBeLessThan(dev.brokerMemoryUsedPercent);
  expect(prod.brokerDiskFreeToLimitRatio).toBeGreaterThan(dev.brokerDiskFreeToLimitRatio);
  expect(prod.brokerCpuPercent).toBeLessThan(dev.brokerCpuPercent);
  expect(prod.brokerConnectionsPercentOfLimit).toBeLessThan(dev.brokerConnectionsPercentOfLimit);
});

test('neither stage subscribes an email by default, but both carry the optional fields so overrides may set them', () => {
  for (const cfg of [devMonitoringDefaults, prodMonitoringDefaults]) {
    expect('alarmEmail' in cfg && cfg.alarmEmail === undefined).toBe(true);
    expect(
      'brokerConnectionLimitPerNode' in cfg.thresholds && cfg.thresholds.brokerConnectionLimitPerNode === undefined,
    ).toBe(true);
  }
});

test.each<[string, Partial<MonitoringThresholds>, RegExp]>([
  [
    'message age under a minute',
    { sourceQueueMaxMessageAgeSeconds: 30 },
    /monitoring\.thresholds\.sourceQueueMaxMessageAgeSeconds: got 30; allowed: a whole number from 60 to 1209600/,
  ],
  [
    'message age over 14 days',
    { sourceQueueMaxMessageAgeSeconds: 1_296_000 },
    /sourceQueueMaxMessageAgeSeconds: got 1296000/,
  ],
  ['negative errors', { functionErrors: -1 }, /functionErrors: got -1; allowed: a whole number from 0/],
  ['fractional errors', { functionErrors: 1.5 }, /functionErrors: got 1\.5; allowed: a whole number/],
  [
    'errors given as text',
    { functionErrors: '3' as unknown as number },
    /functionErrors: got "3"; allowed: a whole number/,
  ],
  [
    'duration ratio of 1',
    { functionDurationTimeoutRatio: 1 },
    /functionDurationTimeoutRatio: got 1; allowed: a number with 0 < value < 1/,
  ],
  ['duration ratio of 0', { functionDurationTimeoutRatio: 0 }, /functionDurationTimeoutRatio: got 0; allowed/],
  [
    'memory at 100%',
    { brokerMemoryUsedPercent: 100 },
    /brokerMemoryUsedPercent: got 100; allowed: a number with 0 < value < 100/,
  ],
  [
    'disk ratio below 1',
    { brokerDiskFreeToLimitRatio: 0.5 },
    /brokerDiskFreeToLimitRatio: got 0\.5; allowed: a number with 1 <= value < 100/,
  ],
  ['CPU not a number', { brokerCpuPercent: Number.NaN }, /brokerCpuPercent: got NaN; allowed/],
  [
    'connections over 100%',
    { brokerConnectionsPercentOfLimit: 120 },
    /brokerConnectionsPercentOfLimit: got 120; allowed/,
  ],
  [
    'connection limit of 0',
    { brokerConnectionLimitPerNode: 0 },
    /brokerConnectionLimitPerNode: got 0; allowed: a whole number from 1/,
  ],
  [
    'ready messages of 0',
    { sourceQueueReadyMessages: 0 },
    /sourceQueueReadyMessages: got 0; allowed: a whole number from 1/,
  ],
])('refuses %s, naming the field, the value and what is allowed', (_case, overrides, message) => {
  expect(() => validateMonitoringConfig(withThresholds(overrides))).toThrow(message);
});

test('refuses an alarm email that is not an address', () => {
  expect(() => validateMonitoringConfig({ ...devMonitoringDefaults, alarmEmail: 'ops@localhost' })).toThrow(
    /monitoring\.alarmEmail: got "ops@localhost"; allowed: an email address/,
  );
});

test('reports every invalid field at once, under the path it was given', () => {
  let message = '';
  try {
    validateMonitoringConfig(withThresholds({ brokerCpuPercent: 0, functionErrors: -2 }), 'stages.prod.monitoring');
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/stages\.prod\.monitoring\.thresholds\.functionErrors: got -2/);
  expect(message).toMatch(/stages\.prod\.monitoring\.thresholds\.brokerCpuPercent: got 0/);
});

test('accepts a configured per-node connection limit', () => {
  expect(() => validateMonitoringConfig(withThresholds({ brokerConnectionLimitPerNode: 2_000 }))).not.toThrow();
});

test('monitoringConfigIssues returns the issues instead of throwing, for the stage config validation to merge', () => {
  expect(monitoringConfigIssues(withThresholds({ brokerCpuPercent: 0 }), 'monitoring')).toEqual([
    { field: 'monitoring.thresholds.brokerCpuPercent', value: 0, problem: 'allowed: a number with 0 < value < 100' },
  ]);
  expect(monitoringConfigIssues(devMonitoringDefaults)).toEqual([]);
});

test('the stage defaults are frozen, so a stage config cannot change them for every other stage', () => {
  expect(Object.isFrozen(devMonitoringDefaults) && Object.isFrozen(devMonitoringDefaults.thresholds)).toBe(true);
  expect(Object.isFrozen(prodMonitoringDefaults) && Object.isFrozen(prodMonitoringDefaults.thresholds)).toBe(true);
});
