import { Duration } from 'aws-cdk-lib';
import {
  MonitoringConfig,
  MonitoringThresholds,
  devMonitoringDefaults,
  prodMonitoringDefaults,
  validateMonitoringConfig,
} from '../../lib/config/monitoring';

const withThresholds = (overrides: Partial<MonitoringThresholds>): MonitoringConfig => ({
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
  expect(prod.sourceQueueMaxMessageAge.toSeconds()).toBeLessThan(dev.sourceQueueMaxMessageAge.toSeconds());
  expect(prod.functionErrors).toBeLessThan(dev.functionErrors);
  expect(prod.functionDurationTimeoutRatio).toBeLessThan(dev.functionDurationTimeoutRatio);
  expect(prod.brokerMemoryUsedPercent).toBeLessThan(dev.brokerMemoryUsedPercent);
  expect(prod.brokerDiskFreeToLimitRatio).toBeGreaterThan(dev.brokerDiskFreeToLimitRatio);
  expect(prod.brokerCpuPercent).toBeLessThan(dev.brokerCpuPercent);
  expect(prod.brokerConnectionsPercentOfLimit).toBeLessThan(dev.brokerConnectionsPercentOfLimit);
});

test('neither stage subscribes an email by default', () => {
  expect(devMonitoringDefaults.alarmEmail).toBeUndefined();
  expect(prodMonitoringDefaults.alarmEmail).toBeUndefined();
});

test.each<[string, Partial<MonitoringThresholds>, RegExp]>([
  [
    'message age under a minute',
    { sourceQueueMaxMessageAge: Duration.seconds(30) },
    /monitoring\.thresholds\.sourceQueueMaxMessageAge is 30 seconds; allowed: 60 to 1209600 seconds/,
  ],
  [
    'message age over 14 days',
    { sourceQueueMaxMessageAge: Duration.days(15) },
    /sourceQueueMaxMessageAge is 1296000 seconds/,
  ],
  ['negative errors', { functionErrors: -1 }, /functionErrors is -1; allowed: a whole number from 0/],
  ['fractional errors', { functionErrors: 1.5 }, /functionErrors is 1\.5; allowed: a whole number/],
  [
    'duration ratio of 1',
    { functionDurationTimeoutRatio: 1 },
    /functionDurationTimeoutRatio is 1; allowed: a number with 0 < value < 1/,
  ],
  ['duration ratio of 0', { functionDurationTimeoutRatio: 0 }, /functionDurationTimeoutRatio is 0; allowed/],
  [
    'memory at 100%',
    { brokerMemoryUsedPercent: 100 },
    /brokerMemoryUsedPercent is 100; allowed: a number with 0 < value < 100/,
  ],
  [
    'disk ratio below 1',
    { brokerDiskFreeToLimitRatio: 0.5 },
    /brokerDiskFreeToLimitRatio is 0\.5; allowed: a number with 1 <= value < 100/,
  ],
  ['CPU not a number', { brokerCpuPercent: Number.NaN }, /brokerCpuPercent is NaN; allowed/],
  [
    'connections over 100%',
    { brokerConnectionsPercentOfLimit: 120 },
    /brokerConnectionsPercentOfLimit is 120; allowed/,
  ],
  [
    'connection limit of 0',
    { brokerConnectionLimitPerNode: 0 },
    /brokerConnectionLimitPerNode is 0; allowed: a whole number from 1/,
  ],
  [
    'ready messages of 0',
    { sourceQueueReadyMessages: 0 },
    /sourceQueueReadyMessages is 0; allowed: a whole number from 1/,
  ],
])('refuses %s, naming the field, the value and what is allowed', (_case, overrides, message) => {
  expect(() => validateMonitoringConfig(withThresholds(overrides))).toThrow(message);
});

test('refuses an alarm email that is not an address', () => {
  expect(() => validateMonitoringConfig({ ...devMonitoringDefaults, alarmEmail: 'ops@localhost' })).toThrow(
    /monitoring\.alarmEmail is "ops@localhost"; allowed: an email address/,
  );
});

test('reports every invalid field at once, under the path it was given', () => {
  let message = '';
  try {
    validateMonitoringConfig(withThresholds({ brokerCpuPercent: 0, functionErrors: -2 }), 'stages.prod.monitoring');
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message).toMatch(/stages\.prod\.monitoring\.thresholds\.functionErrors is -2/);
  expect(message).toMatch(/stages\.prod\.monitoring\.thresholds\.brokerCpuPercent is 0/);
});

test('accepts a configured per-node connection limit', () => {
  expect(() => validateMonitoringConfig(withThresholds({ brokerConnectionLimitPerNode: 2_000 }))).not.toThrow();
});
