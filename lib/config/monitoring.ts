/**
 * Monitoring settings per stage: where alarms go and when they fire.
 * Every threshold is documented in docs/operations.md next to what to do when its alarm fires.
 * Plain data (units in the names) like the rest of the stage config, so a stage can override it from JSON context.
 */
import { Token } from 'aws-cdk-lib';

/** When the alarms fire. Each field maps to one alarm (or one alarm per function). */
export interface MonitoringThresholds {
  /** Age in seconds of the oldest message on the SQS source queue above which the consumer is considered stuck. */
  readonly sourceQueueMaxMessageAgeSeconds: number;
  /** Errors per function in 5 minutes above which its alarm fires (0 = any error). */
  readonly functionErrors: number;
  /** Fraction of a function's timeout its p99 duration may reach before its alarm fires (0 < ratio < 1). */
  readonly functionDurationTimeoutRatio: number;
  /** RabbitMQ memory used as a percentage of its memory limit (publishers are blocked at 100). */
  readonly brokerMemoryUsedPercent: number;
  /** Free disk divided by the disk free limit below which the alarm fires (publishers are blocked at 1). */
  readonly brokerDiskFreeToLimitRatio: number;
  /** Broker CPU utilisation in percent, sustained for 10 minutes. */
  readonly brokerCpuPercent: number;
  /** Connections as a percentage of the instance type's connection limit. */
  readonly brokerConnectionsPercentOfLimit: number;
  /**
   * Connection limit per broker node, when the built-in table does not know the instance type or the broker's
   * `connection_max` was changed (RabbitMQ 4). Present as `undefined` so JSON overrides may set it.
   * @default undefined - looked up from the instance type (lib/constructs/monitoring-broker-limits.ts)
   */
  readonly brokerConnectionLimitPerNode: number | undefined;
  /** Ready messages on the RabbitMQ source queue above which a backlog is building. */
  readonly sourceQueueReadyMessages: number;
}

export interface MonitoringConfig {
  /**
   * Address subscribed to the alarm topic (ALARM and OK notifications); confirm the subscription from the first email.
   * Present as `undefined` so JSON overrides may set it.
   * @default undefined - no subscription; subscribe to the topic yourself
   */
  readonly alarmEmail: string | undefined;
  /** When the alarms fire. */
  readonly thresholds: MonitoringThresholds;
}

/** Frozen at both levels: stage configs share these objects, so a mutation must fail rather than leak. */
function frozen(cfg: MonitoringConfig): MonitoringConfig {
  Object.freeze(cfg.thresholds);
  return Object.freeze(cfg);
}

/** dev: loud enough to notice a broken flow, quiet enough that experiments do not page anyone. */
export const devMonitoringDefaults: MonitoringConfig = frozen({
  alarmEmail: undefined,
  thresholds: {
    sourceQueueMaxMessageAgeSeconds: 900,
    functionErrors: 5,
    functionDurationTimeoutRatio: 0.9,
    brokerMemoryUsedPercent: 80,
    brokerDiskFreeToLimitRatio: 1.5,
    brokerCpuPercent: 90,
    brokerConnectionsPercentOfLimit: 90,
    brokerConnectionLimitPerNode: undefined,
    sourceQueueReadyMessages: 1_000,
  },
});

/** prod: fire early enough to act before RabbitMQ blocks publishers or a function times out. */
export const prodMonitoringDefaults: MonitoringConfig = frozen({
  alarmEmail: undefined,
  thresholds: {
    sourceQueueMaxMessageAgeSeconds: 300,
    functionErrors: 0,
    functionDurationTimeoutRatio: 0.8,
    brokerMemoryUsedPercent: 70,
    brokerDiskFreeToLimitRatio: 2,
    brokerCpuPercent: 80,
    brokerConnectionsPercentOfLimit: 80,
    brokerConnectionLimitPerNode: undefined,
    sourceQueueReadyMessages: 10_000,
  },
});

// Pragmatic address check: one @, no spaces, a dot in the domain. SNS does the real verification by email.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// Metric data is per minute, so an age alarm cannot resolve less; SQS keeps messages at most 14 days.
const MIN_AGE_SECONDS = 60;
const MAX_AGE_SECONDS = 14 * 24 * 3600;

/** One refused value (the same shape as the stage config's `ConfigIssue`, so its validation can merge these). */
export interface MonitoringConfigIssue {
  /** Dotted path of the field, e.g. `monitoring.thresholds.brokerCpuPercent`. */
  readonly field: string;
  /** The value received. */
  readonly value: unknown;
  /** What is allowed. */
  readonly problem: string;
}

/**
 * Every invalid field of `cfg`, each with the value received and what is allowed.
 * @param path how the config is addressed in messages, e.g. `monitoring`
 */
export function monitoringConfigIssues(cfg: MonitoringConfig, path = 'monitoring'): MonitoringConfigIssue[] {
  const issues: MonitoringConfigIssue[] = [];
  const t = cfg.thresholds;
  const field = (name: string) => `${path}.thresholds.${name}`;

  const email = cfg.alarmEmail;
  if (email !== undefined && !(typeof email === 'string' && (Token.isUnresolved(email) || EMAIL.test(email)))) {
    issues.push({
      field: `${path}.alarmEmail`,
      value: email,
      problem: 'allowed: an email address like ops@example.com',
    });
  }
  integer(
    issues,
    field('sourceQueueMaxMessageAgeSeconds'),
    t.sourceQueueMaxMessageAgeSeconds,
    MIN_AGE_SECONDS,
    MAX_AGE_SECONDS,
  );
  integer(issues, field('functionErrors'), t.functionErrors, 0, Number.MAX_SAFE_INTEGER);
  range(issues, field('functionDurationTimeoutRatio'), t.functionDurationTimeoutRatio, 0, 1, false);
  range(issues, field('brokerMemoryUsedPercent'), t.brokerMemoryUsedPercent, 0, 100, false);
  range(issues, field('brokerDiskFreeToLimitRatio'), t.brokerDiskFreeToLimitRatio, 1, 100, true);
  range(issues, field('brokerCpuPercent'), t.brokerCpuPercent, 0, 100, false);
  range(issues, field('brokerConnectionsPercentOfLimit'), t.brokerConnectionsPercentOfLimit, 0, 100, false);
  if (t.brokerConnectionLimitPerNode !== undefined) {
    integer(issues, field('brokerConnectionLimitPerNode'), t.brokerConnectionLimitPerNode, 1, 1_000_000);
  }
  integer(issues, field('sourceQueueReadyMessages'), t.sourceQueueReadyMessages, 1, Number.MAX_SAFE_INTEGER);
  return issues;
}

/** Throws one error listing every issue `monitoringConfigIssues` finds, as `field: got VALUE; allowed: …`. */
export function validateMonitoringConfig(cfg: MonitoringConfig, path = 'monitoring'): void {
  const issues = monitoringConfigIssues(cfg, path);
  if (issues.length > 0) {
    // JSON.stringify would print NaN and Infinity as null.
    const show = (v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v));
    const lines = issues.map((i) => `${i.field}: got ${show(i.value)}; ${i.problem}`);
    throw new Error(
      `Invalid monitoring config (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n  - ${lines.join('\n  - ')}`,
    );
  }
}

/** Open interval (min, max), or [min, max) when `minInclusive`. */
function range(
  issues: MonitoringConfigIssue[],
  field: string,
  value: number,
  min: number,
  max: number,
  minInclusive: boolean,
) {
  const aboveMin = minInclusive ? value >= min : value > min;
  if (typeof value !== 'number' || !Number.isFinite(value) || !aboveMin || value >= max) {
    issues.push({ field, value, problem: `allowed: a number with ${min} ${minInclusive ? '<=' : '<'} value < ${max}` });
  }
}

function integer(issues: MonitoringConfigIssue[], field: string, value: number, min: number, max: number) {
  if (!Number.isInteger(value) || value < min || value > max) {
    issues.push({ field, value, problem: `allowed: a whole number from ${min} to ${max}` });
  }
}
