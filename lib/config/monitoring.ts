/**
 * Monitoring settings per stage: where alarms go and when they fire.
 * Every threshold is documented in docs/operations.md next to what to do when its alarm fires.
 */
import { Duration, Token } from 'aws-cdk-lib';

/** When the alarms fire. Each field maps to one alarm (or one alarm per function). */
export interface MonitoringThresholds {
  /** Age of the oldest message on the SQS source queue above which the consumer is considered stuck. */
  readonly sourceQueueMaxMessageAge: Duration;
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
   * `connection_max` was changed (RabbitMQ 4).
   * @default - looked up from the instance type (lib/constructs/monitoring-broker-limits.ts)
   */
  readonly brokerConnectionLimitPerNode?: number;
  /** Ready messages on the RabbitMQ source queue above which a backlog is building. */
  readonly sourceQueueReadyMessages: number;
}

export interface MonitoringConfig {
  /**
   * Address subscribed to the alarm topic (ALARM and OK notifications). The subscription must be confirmed by email.
   * @default - no subscription; subscribe to the topic output yourself
   */
  readonly alarmEmail?: string;
  /** When the alarms fire. */
  readonly thresholds: MonitoringThresholds;
}

/** dev: loud enough to notice a broken flow, quiet enough that experiments do not page anyone. */
export const devMonitoringDefaults: MonitoringConfig = {
  thresholds: {
    sourceQueueMaxMessageAge: Duration.minutes(15),
    functionErrors: 5,
    functionDurationTimeoutRatio: 0.9,
    brokerMemoryUsedPercent: 80,
    brokerDiskFreeToLimitRatio: 1.5,
    brokerCpuPercent: 90,
    brokerConnectionsPercentOfLimit: 90,
    sourceQueueReadyMessages: 1_000,
  },
};

/** prod: fire early enough to act before RabbitMQ blocks publishers or a function times out. */
export const prodMonitoringDefaults: MonitoringConfig = {
  thresholds: {
    sourceQueueMaxMessageAge: Duration.minutes(5),
    functionErrors: 0,
    functionDurationTimeoutRatio: 0.8,
    brokerMemoryUsedPercent: 70,
    brokerDiskFreeToLimitRatio: 2,
    brokerCpuPercent: 80,
    brokerConnectionsPercentOfLimit: 80,
    sourceQueueReadyMessages: 10_000,
  },
};

// Pragmatic address check: one @, no spaces, a dot in the domain. SNS does the real verification by email.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

// Metric data is per minute, so an age alarm cannot resolve less; SQS keeps messages at most 14 days.
const MIN_AGE_SECONDS = 60;
const MAX_AGE_SECONDS = 14 * 24 * 3600;

/**
 * Throws one error listing every invalid field of `cfg`, each with the value received and what is allowed.
 * @param path how the config is addressed in messages, e.g. `stages.prod.monitoring`
 */
export function validateMonitoringConfig(cfg: MonitoringConfig, path = 'monitoring'): void {
  const problems: string[] = [];
  const t = cfg.thresholds;
  const field = (name: string) => `${path}.thresholds.${name}`;

  if (cfg.alarmEmail !== undefined && !Token.isUnresolved(cfg.alarmEmail) && !EMAIL.test(cfg.alarmEmail)) {
    problems.push(
      `${path}.alarmEmail is ${JSON.stringify(cfg.alarmEmail)}; allowed: an email address like ops@example.com`,
    );
  }

  const ageSeconds = t.sourceQueueMaxMessageAge.toSeconds();
  if (ageSeconds < MIN_AGE_SECONDS || ageSeconds > MAX_AGE_SECONDS) {
    problems.push(
      `${field('sourceQueueMaxMessageAge')} is ${ageSeconds} seconds; allowed: ${MIN_AGE_SECONDS} to ${MAX_AGE_SECONDS} seconds (1 minute to 14 days)`,
    );
  }
  checkInteger(problems, field('functionErrors'), t.functionErrors, 0, Number.MAX_SAFE_INTEGER);
  checkRange(problems, field('functionDurationTimeoutRatio'), t.functionDurationTimeoutRatio, 0, 1, false);
  checkRange(problems, field('brokerMemoryUsedPercent'), t.brokerMemoryUsedPercent, 0, 100, false);
  checkRange(problems, field('brokerDiskFreeToLimitRatio'), t.brokerDiskFreeToLimitRatio, 1, 100, true);
  checkRange(problems, field('brokerCpuPercent'), t.brokerCpuPercent, 0, 100, false);
  checkRange(problems, field('brokerConnectionsPercentOfLimit'), t.brokerConnectionsPercentOfLimit, 0, 100, false);
  if (t.brokerConnectionLimitPerNode !== undefined) {
    checkInteger(problems, field('brokerConnectionLimitPerNode'), t.brokerConnectionLimitPerNode, 1, 1_000_000);
  }
  checkInteger(problems, field('sourceQueueReadyMessages'), t.sourceQueueReadyMessages, 1, Number.MAX_SAFE_INTEGER);

  if (problems.length > 0) {
    throw new Error(`Invalid monitoring config:\n  - ${problems.join('\n  - ')}`);
  }
}

/** Open interval (min, max), or [min, max) when `minInclusive`. */
function checkRange(problems: string[], name: string, value: number, min: number, max: number, minInclusive: boolean) {
  const aboveMin = minInclusive ? value >= min : value > min;
  if (!Number.isFinite(value) || !aboveMin || value >= max) {
    const lower = minInclusive ? `${min} <= value` : `${min} < value`;
    problems.push(`${name} is ${value}; allowed: a number with ${lower} < ${max}`);
  }
}

function checkInteger(problems: string[], name: string, value: number, min: number, max: number) {
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} is ${value}; allowed: a whole number from ${min} to ${max}`);
  }
}
