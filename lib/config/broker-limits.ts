import {
  CONSUMER_TIMEOUT_MS,
  RABBITMQ_4_DEFAULT_LIMITS,
  RABBITMQ_MAXIMUM_LIMITS,
  type LimitTableMode,
  type RabbitMqResourceLimits,
} from './amazon-mq-limit-table';
import { checkIntegerRange, isUnresolved, type ConfigIssue } from './config-issue';

/**
 * `broker.limits`: Amazon MQ's RabbitMQ resource limits (RabbitMQ 4 only) and `consumer_timeout`, their defaults per
 * instance type and mode, their validation, and the Cuttlefish data of the broker configuration that sets them.
 */

/** Limits a stage may set; each left out keeps Amazon MQ's default for the instance type and mode. */
export interface BrokerLimitsConfig {
  /** `max_message_size` in bytes (RabbitMQ 4). @default - AWS's default, 524,288 on every mq.m7g type */
  readonly maxMessageSizeBytes: number | undefined;
  /** `connection_max`, per node (RabbitMQ 4). @default - AWS's default for the instance type and mode */
  readonly connectionMax: number | undefined;
  /** `channel_max_per_node` (RabbitMQ 4). @default - AWS's default for the instance type and mode */
  readonly channelMaxPerNode: number | undefined;
  /** `cluster_queue_limit`: queues in the broker (RabbitMQ 4). @default - AWS's default for the instance type and mode */
  readonly clusterQueueLimit: number | undefined;
  /** `consumer_max_per_channel` (RabbitMQ 4). @default - AWS's default, 10 */
  readonly consumerMaxPerChannel: number | undefined;
  /** `vhost_max` (RabbitMQ 4). @default - AWS's default for the instance type and mode */
  readonly vhostMax: number | undefined;
  /** `cluster_exchange_limit` (RabbitMQ 4). @default - AWS's default for the instance type and mode */
  readonly clusterExchangeLimit: number | undefined;
  /** `consumer_timeout` in ms, 0 = none (any version). @default - RabbitMQ's 1,800,000 (30 minutes) */
  readonly consumerTimeoutMs: number | undefined;
}

/** No limit set: every stage starts from Amazon MQ's defaults. */
export const NO_LIMIT_OVERRIDES: BrokerLimitsConfig = {
  maxMessageSizeBytes: undefined,
  connectionMax: undefined,
  channelMaxPerNode: undefined,
  clusterQueueLimit: undefined,
  consumerMaxPerChannel: undefined,
  vhostMax: undefined,
  clusterExchangeLimit: undefined,
  consumerTimeoutMs: undefined,
};

/** The resource limits and their Cuttlefish keys, in the order the configuration data lists them. */
export const RESOURCE_LIMIT_KEYS = {
  maxMessageSizeBytes: 'max_message_size',
  connectionMax: 'connection_max',
  channelMaxPerNode: 'channel_max_per_node',
  clusterQueueLimit: 'cluster_queue_limit',
  consumerMaxPerChannel: 'consumer_max_per_channel',
  vhostMax: 'vhost_max',
  clusterExchangeLimit: 'cluster_exchange_limit',
} as const satisfies Record<keyof RabbitMqResourceLimits, string>;

type ResourceLimitField = keyof typeof RESOURCE_LIMIT_KEYS;
const RESOURCE_LIMIT_FIELDS = Object.keys(RESOURCE_LIMIT_KEYS) as ResourceLimitField[];

/** What the limit rules look at; the stage config's `broker` provides it. */
export interface BrokerLimitSettings {
  readonly engineVersion: string;
  readonly instanceType: string;
  readonly deploymentMode: string;
  readonly limits: BrokerLimitsConfig;
}

/** True for engine versions that take a resource limit configuration (RabbitMQ 4 and later). */
export function supportsResourceLimits(engineVersion: string): boolean {
  return /^([4-9]|\d{2,})\./.test(engineVersion);
}

function tableRow(
  tables: Readonly<Record<LimitTableMode, Readonly<Record<string, RabbitMqResourceLimits>>>>,
  b: BrokerLimitSettings,
): RabbitMqResourceLimits | undefined {
  const mode = tables[b.deploymentMode as LimitTableMode];
  return mode?.[b.instanceType];
}

/**
 * The limits the broker will enforce: on RabbitMQ 4 the configured ones over AWS's defaults, on RabbitMQ 3 the fixed
 * maximums. Undefined for an instance type / mode the tables do not list (refused by the broker rules).
 */
export function resolvedBrokerLimits(b: BrokerLimitSettings): RabbitMqResourceLimits | undefined {
  if (!supportsResourceLimits(b.engineVersion)) return tableRow(RABBITMQ_MAXIMUM_LIMITS, b);
  const defaults = tableRow(RABBITMQ_4_DEFAULT_LIMITS, b);
  if (!defaults) return undefined;
  const out: Record<string, number | undefined> = { ...defaults };
  for (const field of RESOURCE_LIMIT_FIELDS) out[field] = b.limits[field] ?? defaults[field];
  return out as unknown as RabbitMqResourceLimits;
}

/**
 * Each limit within what Amazon MQ accepts for the instance type and mode; no resource limit on RabbitMQ 3, which
 * Amazon MQ runs at fixed maximums; `consumer_timeout` within 0–2,147,483,647 ms.
 */
export function checkBrokerLimits(b: BrokerLimitSettings, prefix = 'broker.limits'): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const limits = b.limits ?? NO_LIMIT_OVERRIDES;
  const maximums = tableRow(RABBITMQ_MAXIMUM_LIMITS, b);
  for (const field of RESOURCE_LIMIT_FIELDS) {
    const value = limits[field];
    if (value === undefined || isUnresolved(value)) continue;
    const key = RESOURCE_LIMIT_KEYS[field];
    if (!supportsResourceLimits(b.engineVersion)) {
      out.push({
        field: `${prefix}.${field}`,
        value,
        problem: `RabbitMQ ${b.engineVersion} brokers run at Amazon MQ's fixed maximums and refuse a ${key} configuration (resource limits are configurable from RabbitMQ 4 on); remove it, or use engineVersion 4.2 on an mq.m7g.* instance type`,
      });
      continue;
    }
    // An unknown instance type or mode is refused by the broker rules; there is no range to name here.
    if (!maximums) continue;
    const max = maximums[field] ?? Number.MAX_SAFE_INTEGER;
    out.push(
      ...checkIntegerRange(`${prefix}.${field}`, value, 1, max).map((i) => ({
        ...i,
        problem: `${i.problem} (${key}: Amazon MQ's maximum for ${b.instanceType} ${b.deploymentMode})`,
      })),
    );
  }
  if (limits.consumerTimeoutMs !== undefined) {
    out.push(
      ...checkIntegerRange(
        `${prefix}.consumerTimeoutMs`,
        limits.consumerTimeoutMs,
        CONSUMER_TIMEOUT_MS.min,
        CONSUMER_TIMEOUT_MS.max,
        'ms (consumer_timeout; 0 = no timeout)',
      ),
    );
  }
  return out;
}

/**
 * The broker configuration's data (Cuttlefish, `key = value` per line), or undefined when the broker needs none. On
 * RabbitMQ 4 every resource limit is written out, defaults included, so the template states what the broker enforces
 * and a change to AWS's defaults cannot move it; `consumer_timeout` only when set.
 */
export function brokerConfigurationData(b: BrokerLimitSettings): string | undefined {
  const lines: string[] = [];
  if (supportsResourceLimits(b.engineVersion)) {
    const resolved = resolvedBrokerLimits(b);
    for (const field of RESOURCE_LIMIT_FIELDS) {
      const value = resolved?.[field];
      if (value !== undefined) lines.push(`${RESOURCE_LIMIT_KEYS[field]} = ${value}`);
    }
  }
  const timeout = b.limits?.consumerTimeoutMs;
  if (timeout !== undefined) lines.push(`consumer_timeout = ${timeout}`);
  return lines.length > 0 ? `${lines.join('\n')}\n` : undefined;
}
