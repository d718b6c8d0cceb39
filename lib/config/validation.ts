import { checkShards, checkTopologyShards } from './shards';
import { brokerCapacityIssues } from './broker-capacity';
import { checkBrokerLimits } from './broker-limits';
import { checkBrokerSettings, checkBrokerSubnets, checkMaintenanceWindow } from './broker-rules';
import { addIssue as issue, checkIntegerRange, throwIfIssues, type ConfigIssue } from './config-issue';
import { kafkaConfigIssues, privateSubnetAzs } from './kafka-rules';
import { MAX_IDEMPOTENCY_EXPIRY_SECONDS, MIN_IDEMPOTENCY_EXPIRY_SECONDS, redeliveryWindowSeconds } from './idempotency';
import {
  checkFunctionSizing,
  checkQueueSettings,
  checkRabbitMqEventSource,
  checkRuntime,
  checkSqsEventSource,
} from './serverless-rules';
import { monitoringConfigIssues } from './monitoring';
import { resolvedVisibilityTimeoutSeconds, type NetworkConfig, type StageConfig } from './stage-config';

/**
 * Validates a whole stage config up front, before any construct exists, and throws one `ConfigValidationError`
 * listing every problem. The topology has its own validation (`topology-validation.ts`).
 */

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const ARCHITECTURES = ['arm64', 'x86_64'];
/** A broker in a cluster runs in three AZs. */
const CLUSTER_AZS = 3;

export function validateStageConfig(config: StageConfig): void {
  throwIfIssues(`Invalid configuration for stage '${config.stage}'`, stageConfigIssues(config));
}

/** Every problem of `config`, empty when it is valid. */
export function stageConfigIssues(config: StageConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(config.stage)) {
    issue(
      out,
      'stage',
      config.stage,
      'allowed: 1-32 characters of a-z 0-9 -, starting with a letter (it is part of the stack name)',
    );
  }
  if (!LOG_RETENTION_DAYS.includes(config.logRetentionDays)) {
    issue(
      out,
      'logRetentionDays',
      config.logRetentionDays,
      `allowed (CloudWatch Logs): ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  for (const flag of ['retainData', 'terminationProtection'] as const) {
    if (typeof config[flag] !== 'boolean') issue(out, flag, config[flag], 'allowed: true or false');
  }
  out.push(...networkIssues(config.network));

  const { broker } = config;
  const limitIssues = checkBrokerLimits(broker);
  out.push(
    ...checkBrokerSettings(broker),
    ...checkMaintenanceWindow('broker.maintenanceWindow', broker.maintenanceWindow),
    ...limitIssues,
  );
  const { subnets, distinctAzs, field } = brokerSubnetPlan(config.network, broker.deploymentMode);
  out.push(...checkBrokerSubnets(field, broker.deploymentMode, subnets, distinctAzs));
  const topologyUsers = (config.topology.users ?? []).map((u) => u.name);
  if (topologyUsers.includes(broker.adminUsername)) {
    issue(
      out,
      'broker.adminUsername',
      broker.adminUsername,
      `must differ from the topology's users (${topologyUsers.join(', ')}): each user has its own secret`,
    );
  }

  out.push(...functionIssues(config));
  out.push(...monitoringConfigIssues(config.monitoring, 'monitoring'));
  out.push(
    ...checkRabbitMqEventSource('eventSources.rabbitMq', config.eventSources.rabbitMq),
    ...shardIssues(config),
    ...checkSqsEventSource('eventSources.sqs', config.eventSources.sqs, config.queues.fifo),
  );
  const { queues } = config;
  out.push(
    ...checkQueueSettings('queues', {
      fifo: queues.fifo,
      deadLetterFifo: queues.fifo,
      messageGroupIdField: queues.messageGroupIdField,
      maxReceiveCount: queues.maxReceiveCount,
      visibilityTimeoutSeconds: resolvedVisibilityTimeoutSeconds(config),
      retentionSeconds: queues.retentionSeconds,
      deadLetterRetentionSeconds: queues.deadLetterRetentionSeconds,
      consumerTimeoutSeconds: config.functions.consumer.timeoutSeconds,
      consumerBatchingWindowSeconds: config.eventSources.sqs.maxBatchingWindowSeconds,
    }),
  );
  out.push(...idempotencyIssues(config));
  out.push(...kafkaConfigIssues(config.kafka, privateSubnetAzs(config.network)));
  // Demand is compared only with limits that are valid themselves; a refused limit is reported above.
  if (limitIssues.length === 0) out.push(...brokerCapacityIssues(config));
  if (typeof config.verification?.receipts !== 'boolean') {
    issue(out, 'verification.receipts', config.verification?.receipts, 'allowed: true or false');
  }
  return out;
}

/** The shard count, then (only when it is valid) one source queue per shard in the topology. */
function shardIssues(config: StageConfig): ConfigIssue[] {
  const { shards } = config.eventSources.rabbitMq;
  const out = checkShards('eventSources.rabbitMq.shards', shards);
  return out.length > 0 ? out : checkTopologyShards('topology.sourceQueues', config.topology, shards);
}

function functionIssues(config: StageConfig): ConfigIssue[] {
  const f = config.functions;
  const out: ConfigIssue[] = [...checkRuntime('functions.runtime', f.runtime)];
  if (!ARCHITECTURES.includes(f.architecture))
    issue(out, 'functions.architecture', f.architecture, `allowed: ${ARCHITECTURES.join(', ')}`);
  if (!LOG_LEVELS.includes(f.logLevel))
    issue(out, 'functions.logLevel', f.logLevel, `allowed: ${LOG_LEVELS.join(', ')}`);
  out.push(
    ...checkFunctionSizing('functions.producer', f.producer),
    ...checkFunctionSizing('functions.bridge', f.bridge),
    ...checkFunctionSizing('functions.consumer', f.consumer),
    ...checkIntegerRange('functions.bridge.sendParallelism', f.bridge.sendParallelism, 1, 50),
    ...checkIntegerRange('functions.producer.confirmTimeoutMs', f.producer.confirmTimeoutMs, 100, 900_000, 'ms'),
  );
  if (f.producer.reservedConcurrency !== undefined) {
    out.push(...checkIntegerRange('functions.producer.reservedConcurrency', f.producer.reservedConcurrency, 1, 1_000));
  }
  // The producer stops publishing at its deadline less the confirm timeout (and 250 ms to report): leave it a second.
  if (f.producer.confirmTimeoutMs > f.producer.timeoutSeconds * 1000 - 1000) {
    issue(
      out,
      'functions.producer.confirmTimeoutMs',
      f.producer.confirmTimeoutMs,
      `must be at least 1000 ms shorter than the producer timeout (${f.producer.timeoutSeconds * 1000} ms): the producer publishes until its deadline less the confirm timeout, so a missing confirm is reported instead of the invocation timing out`,
    );
  }
  return out;
}

/**
 * An explicit idempotency expiry must cover the redelivery window: a copy of a processed message redriven from the
 * DLQ after its record expired would have a second effect.
 */
function idempotencyIssues(config: StageConfig): ConfigIssue[] {
  const field = 'functions.consumer.idempotencyExpirySeconds';
  const expiry = config.functions.consumer.idempotencyExpirySeconds;
  if (expiry === undefined) return [];
  const range = checkIntegerRange(
    field,
    expiry,
    MIN_IDEMPOTENCY_EXPIRY_SECONDS,
    MAX_IDEMPOTENCY_EXPIRY_SECONDS,
    'seconds (1 minute to 365 days)',
  );
  if (range.length > 0) return range;
  const q = config.queues;
  const window = redeliveryWindowSeconds(q);
  if (expiry >= window) return [];
  const retentions = `queues.retentionSeconds (${q.retentionSeconds} s) and queues.deadLetterRetentionSeconds (${q.deadLetterRetentionSeconds} s)`;
  const why = q.fifo
    ? `the sum of ${retentions}, as a FIFO queue restarts a message's retention when it moves it to the DLQ`
    : `the longer of ${retentions}`;
  return [
    {
      field,
      value: expiry,
      problem: `must be at least ${window} s = ${why}; a copy redriven from the DLQ after its idempotency record expired would have a second effect (leave it unset for the window + 1 day)`,
    },
  ];
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function networkIssues(n: NetworkConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  if (n.existingVpc) {
    const v = n.existingVpc;
    if (!/^vpc-[0-9a-f]{8,17}$/.test(v.vpcId ?? ''))
      issue(out, 'network.existingVpc.vpcId', v.vpcId, 'allowed: a VPC id like vpc-0123456789abcdef0');
    const azs = v.availabilityZones ?? [];
    const subnets = v.privateSubnetIds ?? [];
    if (azs.length === 0)
      issue(out, 'network.existingVpc.availabilityZones', azs, 'must list at least one availability zone');
    if (subnets.length === 0 || (azs.length > 0 && subnets.length % azs.length !== 0)) {
      issue(
        out,
        'network.existingVpc.privateSubnetIds',
        subnets,
        `must list one or more private subnets per availability zone (a multiple of ${azs.length})`,
      );
    }
    subnets.forEach((id, i) => {
      if (!/^subnet-[0-9a-f]{8,17}$/.test(id))
        issue(
          out,
          `network.existingVpc.privateSubnetIds[${i}]`,
          id,
          'allowed: a subnet id like subnet-0123456789abcdef0',
        );
    });
    if (!cidrOk(v.vpcCidrBlock, 16, 28))
      issue(
        out,
        'network.existingVpc.vpcCidrBlock',
        v.vpcCidrBlock,
        'allowed: an IPv4 CIDR block with a /16 to /28 prefix',
      );
    return out;
  }
  if (!cidrOk(n.cidr, 16, 24))
    issue(
      out,
      'network.cidr',
      n.cidr,
      'allowed: an IPv4 CIDR block with a /16 to /24 prefix (room for one /28 or larger subnet per AZ)',
    );
  // The stack is environment-agnostic: it picks AZs with Fn::GetAZs, and every region Amazon MQ clusters run in has
  // three; a fourth index could fail at deploy time in a three-AZ region.
  const azs = checkIntegerRange('network.maxAzs', n.maxAzs, 1, 3);
  out.push(
    ...azs.map((i) => ({
      ...i,
      problem: `${i.problem} (AZs are picked in the deployment region, which guarantees three; deploy into an existingVpc for more)`,
    })),
  );
  out.push(...checkIntegerRange('network.natGateways', n.natGateways, 0, Math.max(0, n.maxAzs)));
  for (const flag of ['interfaceEndpoints', 'flowLogs'] as const) {
    if (typeof n[flag] !== 'boolean') issue(out, `network.${flag}`, n[flag], 'allowed: true or false');
  }
  if (!n.interfaceEndpoints && n.natGateways === 0) {
    issue(
      out,
      'network.interfaceEndpoints',
      n.interfaceEndpoints,
      'with natGateways 0 the functions and the RabbitMQ event source reach SQS, Secrets Manager, Lambda and STS only through the interface endpoints; keep true or add a NAT gateway',
    );
  }
  return out;
}

function cidrOk(cidr: string, minPrefix: number, maxPrefix: number): boolean {
  const m = CIDR.exec(cidr ?? '');
  if (!m) return false;
  const octetsOk = m.slice(1, 5).every((o) => Number(o) <= 255);
  const prefix = Number(m[5]);
  return octetsOk && prefix >= minPrefix && prefix <= maxPrefix;
}

/** How many subnets (in how many AZs) the broker will be given, and which field decides it. */
export function brokerSubnetPlan(
  network: NetworkConfig,
  deploymentMode: string,
): { subnets: number; distinctAzs: number; field: string } {
  const wanted = deploymentMode === 'CLUSTER_MULTI_AZ' ? CLUSTER_AZS : 1;
  if (network.existingVpc) {
    const azs = network.existingVpc.availabilityZones ?? [];
    const subnetAzs = (network.existingVpc.privateSubnetIds ?? [])
      .slice(0, wanted)
      .map((_, i) => azs[i % Math.max(1, azs.length)]);
    return {
      subnets: subnetAzs.length,
      distinctAzs: new Set(subnetAzs).size,
      field: 'network.existingVpc.privateSubnetIds',
    };
  }
  const subnets = Math.min(wanted, Math.max(0, network.maxAzs));
  return { subnets, distinctAzs: subnets, field: 'network.maxAzs' };
}
