import { NO_LIMIT_OVERRIDES } from './broker-limits';
import { ConfigValidationError } from './config-issue';
import { devKafkaDefaults, prodKafkaDefaults } from './kafka';
import { devMonitoringDefaults, prodMonitoringDefaults } from './monitoring';
import { MAX_SHARDS } from './shards';
import type { StageConfig } from './stage-config';
import { defaultTopology } from './topology';
import { validateTopology } from './topology-validation';
import { validateStageConfig } from './validation';

/**
 * The stages this app deploys and their defaults. `loadStageConfig` is the one way to get a `StageConfig`: it applies
 * overrides, then validates, so every consumer (the CDK app, the local runtime, tests) sees the same checked values.
 */

/** Stage names known to the app; `-c stage=NAME` picks one. */
export const STAGE_NAMES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** The stage `bin/app.ts` synthesizes when no `-c stage=…` is given. */
export const DEFAULT_STAGE: StageName = 'dev';

/** A partial config whose fields replace the stage defaults (objects merge, arrays and values replace). */
export type StageConfigOverrides = DeepPartial<Omit<StageConfig, 'stage'>>;

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

function devDefaults(): StageConfig {
  return {
    stage: 'dev',
    retainData: false,
    terminationProtection: false,
    logRetentionDays: 14,
    network: {
      existingVpc: undefined,
      cidr: '10.40.0.0/16',
      maxAzs: 2,
      natGateways: 0,
      interfaceEndpoints: true,
      flowLogs: true,
    },
    broker: {
      brokerName: 'mq-cloud-integration-dev',
      engineVersion: '3.13',
      instanceType: 'mq.t3.micro',
      deploymentMode: 'SINGLE_INSTANCE',
      adminUsername: 'admin',
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      kmsKeyArn: undefined,
      auditLogs: false,
      maintenanceWindow: { dayOfWeek: 'SUNDAY', timeOfDay: '03:00', timeZone: 'UTC' },
      limits: { ...NO_LIMIT_OVERRIDES },
    },
    queues: {
      fifo: false,
      messageGroupIdField: undefined,
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: undefined,
      retentionSeconds: 345_600,
      deadLetterRetentionSeconds: 1_209_600,
    },
    functions: {
      runtime: 'nodejs24.x',
      architecture: 'arm64',
      tracing: true,
      logLevel: 'DEBUG',
      producer: { memoryMb: 512, timeoutSeconds: 30, confirmTimeoutMs: 10_000, reservedConcurrency: 5 },
      bridge: { memoryMb: 512, timeoutSeconds: 60, sendParallelism: 4 },
      consumer: { memoryMb: 256, timeoutSeconds: 30, idempotencyExpirySeconds: undefined },
    },
    eventSources: {
      rabbitMq: { batchSize: 100, maxBatchingWindowSeconds: undefined, shards: 1 },
      sqs: { batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 5 },
    },
    verification: { receipts: true },
    topology: defaultTopology(),
    kafka: devKafkaDefaults(),
    monitoring: devMonitoringDefaults,
    tags: { project: 'mq-cloud-integration', stage: 'dev' },
  };
}

function prodDefaults(): StageConfig {
  const dev = devDefaults();
  return {
    ...dev,
    stage: 'prod',
    retainData: true,
    terminationProtection: true,
    // A year: AWS Control Tower's CT.CLOUDWATCH.PR.2 (docs/governance.md).
    logRetentionDays: 365,
    network: { ...dev.network, maxAzs: 3 },
    broker: {
      ...dev.broker,
      brokerName: 'mq-cloud-integration-prod',
      engineVersion: '4.2',
      instanceType: 'mq.m7g.large',
      deploymentMode: 'CLUSTER_MULTI_AZ',
    },
    functions: { ...dev.functions, logLevel: 'INFO', producer: { ...dev.functions.producer, reservedConcurrency: 50 } },
    eventSources: {
      // Three shards: RabbitMQ spreads quorum-queue leaders over the cluster's three nodes, so each node serves one
      // mapping, and the bridge runs three batches at a time instead of one (docs/decisions.md).
      rabbitMq: { ...dev.eventSources.rabbitMq, shards: 3 },
      sqs: { ...dev.eventSources.sqs, maxConcurrency: 20 },
    },
    topology: defaultTopology({ shards: 3 }),
    verification: { receipts: false },
    kafka: prodKafkaDefaults(),
    monitoring: prodMonitoringDefaults,
    tags: { project: 'mq-cloud-integration', stage: 'prod' },
  };
}

const DEFAULTS: Record<StageName, () => StageConfig> = { dev: devDefaults, prod: prodDefaults };

/** True for a stage name the app knows. */
export function isStageName(stage: unknown): stage is StageName {
  return typeof stage === 'string' && (STAGE_NAMES as readonly string[]).includes(stage);
}

/**
 * The validated config of `stage` with `overrides` applied. Throws `ConfigValidationError` naming the field, the
 * value and what is allowed for an unknown stage, an unknown override field or a value AWS would refuse.
 */
export function loadStageConfig(stage: string, overrides: StageConfigOverrides = {}): StageConfig {
  if (!isStageName(stage)) {
    throw new ConfigValidationError('Unknown stage', [
      { field: 'stage', value: stage, problem: `allowed: ${STAGE_NAMES.join(', ')} (choose with -c stage=NAME)` },
    ]);
  }
  // The default topology follows the shard count; overrides of the topology apply on top of it.
  const config = mergeOverrides(
    withShardedTopology(DEFAULTS[stage](), overrides),
    overrides,
    `Invalid overrides for stage '${stage}'`,
  );
  validateStageConfig(config);
  validateTopology(config.topology);
  return config;
}

/** `base` with the default topology of the shard count `overrides` asks for (a valid one; validation reports others). */
function withShardedTopology(base: StageConfig, overrides: unknown): StageConfig {
  const shards = isPlainObject(overrides) ? valueAt(overrides, ['eventSources', 'rabbitMq', 'shards']) : undefined;
  if (typeof shards !== 'number' || !Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) return base;
  return { ...base, topology: defaultTopology({ shards }) };
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((v, key) => (isPlainObject(v) ? v[key] : undefined), value);
}

/** Deep-merges `overrides` into `base`, refusing fields `base` does not have (a typo must not be ignored). */
export function mergeOverrides(base: StageConfig, overrides: unknown, context: string): StageConfig {
  if (!isPlainObject(overrides)) {
    throw new ConfigValidationError(context, [{ field: 'config', value: overrides, problem: 'must be a JSON object' }]);
  }
  if ('stage' in overrides) {
    throw new ConfigValidationError(context, [
      { field: 'stage', value: overrides.stage, problem: 'cannot be overridden; choose the stage with -c stage=NAME' },
    ]);
  }
  const issues: { field: string; value: unknown; problem: string }[] = [];
  const merged = mergeInto(base as unknown as Record<string, unknown>, overrides, '', issues);
  if (issues.length > 0) throw new ConfigValidationError(context, issues);
  return merged as unknown as StageConfig;
}

/** Fields whose value is a free-form map, merged without a known-key check. */
const OPEN_MAPS = new Set(['tags']);

function mergeInto(
  base: Record<string, unknown>,
  overrides: Record<string, unknown>,
  path: string,
  issues: { field: string; value: unknown; problem: string }[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const field = path ? `${path}.${key}` : key;
    if (!(key in base) && !OPEN_MAPS.has(path)) {
      issues.push({ field, value, problem: `unknown field; allowed: ${Object.keys(base).join(', ')}` });
      continue;
    }
    const current = base[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? mergeInto(current, value, field, issues) : value;
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
