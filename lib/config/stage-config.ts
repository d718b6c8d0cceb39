import type { BrokerLimitsConfig } from './broker-limits';
import { derivedIdempotencyExpirySeconds } from './idempotency';
import type { KafkaConfig } from './kafka';
import type { MonitoringConfig } from './monitoring';
import type { TopologyDefinition } from './topology';

/**
 * The typed configuration of one stage. Plain data (numbers carry their unit in the name) so a stage can be
 * overridden from JSON context (`-c config='{...}'`) and validated before any construct exists.
 * Stage defaults live in `stages.ts`; the rules every value must satisfy live in `validation.ts`.
 */

/** Amazon MQ for RabbitMQ deployment modes (`ACTIVE_STANDBY_MULTI_AZ` is ActiveMQ only). */
export type BrokerDeploymentMode = 'SINGLE_INSTANCE' | 'CLUSTER_MULTI_AZ';

/** Node.js runtimes Lambda still creates functions on and this project supports. */
export type NodeRuntimeName = 'nodejs22.x' | 'nodejs24.x';

/** Lambda instruction set architectures. */
export type LambdaArchitecture = 'arm64' | 'x86_64';

/** Days of the week for the broker maintenance window, as Amazon MQ spells them. */
export type MaintenanceDay = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';

/** An existing VPC to deploy into instead of creating one. Imported from attributes: no lookup, no credentials. */
export interface ExistingVpcConfig {
  /** VPC id, e.g. `vpc-0abc…`. */
  readonly vpcId: string;
  /** CIDR block of the VPC (interface endpoints admit HTTPS from it when no security group is given). */
  readonly vpcCidrBlock: string;
  /** Availability zones of the private subnets, in the same order as `privateSubnetIds`. */
  readonly availabilityZones: readonly string[];
  /** Private subnets (one per AZ); the broker takes the first one (single instance) or the first three (cluster). */
  readonly privateSubnetIds: readonly string[];
}

export interface NetworkConfig {
  /** Deploy into this VPC instead of creating one. @default - a new VPC */
  readonly existingVpc: ExistingVpcConfig | undefined;
  /** IPv4 CIDR of the new VPC. @default '10.40.0.0/16' */
  readonly cidr: string;
  /** Availability zones the new VPC spans (one private subnet each). @default 2 (dev), 3 (prod) */
  readonly maxAzs: number;
  /** NAT gateways of the new VPC; 0 keeps the subnets isolated and relies on the interface endpoints. @default 0 */
  readonly natGateways: number;
  /** Create interface endpoints for SQS, Secrets Manager, Lambda and STS. @default true */
  readonly interfaceEndpoints: boolean;
  /** Send VPC flow logs to CloudWatch Logs. @default true */
  readonly flowLogs: boolean;
}

export interface MaintenanceWindowConfig {
  /** @default 'SUNDAY' */
  readonly dayOfWeek: MaintenanceDay;
  /** Start time, 24-hour `HH:MM`. @default '03:00' */
  readonly timeOfDay: string;
  /** Time zone of `timeOfDay` (IANA name or `UTC`). @default 'UTC' */
  readonly timeZone: string;
}

export interface BrokerConfig {
  /** Broker name (also the `Broker` dimension of its CloudWatch metrics). @default 'mq-cloud-integration-<stage>' */
  readonly brokerName: string;
  /** RabbitMQ engine version. @default '3.13' (dev), '4.2' (prod) */
  readonly engineVersion: string;
  /** Host instance type. @default 'mq.t3.micro' (dev), 'mq.m7g.large' (prod) */
  readonly instanceType: string;
  /** @default 'SINGLE_INSTANCE' (dev), 'CLUSTER_MULTI_AZ' (prod) */
  readonly deploymentMode: BrokerDeploymentMode;
  /** Username of the one user Amazon MQ creates with the broker. @default 'admin' */
  readonly adminUsername: string;
  /** Must stay true: Amazon MQ requires it for RabbitMQ 3.13 and later. @default true */
  readonly autoMinorVersionUpgrade: boolean;
  /** Must stay false: the broker is private to the VPC. @default false */
  readonly publiclyAccessible: boolean;
  /** Refused when set: RabbitMQ brokers do not accept a customer managed KMS key. @default undefined */
  readonly kmsKeyArn: string | undefined;
  /** Refused when true: RabbitMQ brokers have no audit log. @default false */
  readonly auditLogs: boolean;
  /** @default SUNDAY 03:00 UTC */
  readonly maintenanceWindow: MaintenanceWindowConfig;
  /** Resource limits (RabbitMQ 4) and `consumer_timeout`; see broker-limits.ts. @default - Amazon MQ's defaults */
  readonly limits: BrokerLimitsConfig;
}

export interface QueuesConfig {
  /** FIFO queues (dedup id = the message's body id, group id from `messageGroupIdField`). @default false */
  readonly fifo: boolean;
  /** FIFO only: dotted path of the message field whose value is the group id. @default undefined (FIFO: one group) */
  readonly messageGroupIdField: string | undefined;
  /** Receives after which SQS moves a message to the DLQ. @default 5 */
  readonly maxReceiveCount: number;
  /** Visibility timeout of the source queue; must be ≥ 6 × consumer timeout + batching window. @default derived */
  readonly visibilityTimeoutSeconds: number | undefined;
  /** How long the source queue keeps a message. @default 345600 (4 days) */
  readonly retentionSeconds: number;
  /** How long the DLQ keeps a message; must not be shorter than the source queue's. @default 1209600 (14 days) */
  readonly deadLetterRetentionSeconds: number;
}

export interface FunctionSizing {
  /** @default 256 */
  readonly memoryMb: number;
  /** @default 30 */
  readonly timeoutSeconds: number;
}

export interface ProducerConfig extends FunctionSizing {
  /** How long the producer waits for a publisher confirm (`CONFIRM_TIMEOUT_MS`). @default 10000 */
  readonly confirmTimeoutMs: number;
  /**
   * Reserved concurrency: bounds the broker connections the producer can open (one per instance).
   * @default 5 (dev), 50 (prod); undefined = unreserved, counted as Lambda's default quota of 1,000
   */
  readonly reservedConcurrency: number | undefined;
}

export interface BridgeConfig extends FunctionSizing {
  /** Concurrent `SendMessageBatch` calls (`SEND_PARALLELISM`). @default 4 */
  readonly sendParallelism: number;
}

export interface ConsumerConfig extends FunctionSizing {
  /**
   * How long a processed message id is remembered (`IDEMPOTENCY_EXPIRY_SECONDS`, the idempotency records' TTL); at
   * least the redelivery window (standard: the DLQ retention; FIFO: queue + DLQ retention).
   * @default derived: redelivery window + 1 day (15 days with the default retentions)
   */
  readonly idempotencyExpirySeconds: number | undefined;
}

export interface FunctionsConfig {
  /** @default 'nodejs24.x' */
  readonly runtime: string;
  /** @default 'arm64' */
  readonly architecture: LambdaArchitecture;
  /** X-Ray active tracing. @default true */
  readonly tracing: boolean;
  /** Powertools log level (`POWERTOOLS_LOG_LEVEL`). @default 'DEBUG' (dev), 'INFO' (prod) */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly producer: ProducerConfig;
  readonly bridge: BridgeConfig;
  readonly consumer: ConsumerConfig;
}

export interface RabbitMqEventSourceConfig {
  /** Messages per bridge invocation, 1–10,000. @default 100 */
  readonly batchSize: number;
  /** Whole seconds to gather a batch, 0–300; undefined keeps Lambda's 0.5 s default for MQ. @default undefined */
  readonly maxBatchingWindowSeconds: number | undefined;
  /**
   * Source queues behind the consistent-hash exchange, one event source mapping each (1–32): the bridge's concurrency.
   * @default 1 (dev), 3 (prod: one queue leader per cluster node)
   */
  readonly shards: number;
}

export interface SqsEventSourceConfig {
  /** Records per consumer invocation: 1–10 (FIFO), 1–10,000 (standard, > 10 needs a batching window). @default 10 */
  readonly batchSize: number;
  /** Seconds to gather a batch, 0–300. @default 0 */
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent consumer invocations the mapping may start, 2–1000. @default 5 (dev), 20 (prod) */
  readonly maxConcurrency: number;
}

export interface EventSourcesConfig {
  readonly rabbitMq: RabbitMqEventSourceConfig;
  readonly sqs: SqsEventSourceConfig;
}

export interface VerificationConfig {
  /** Add the receipts queue the consumer reports each processed message to. @default true (dev), false (prod) */
  readonly receipts: boolean;
}

/** Everything one stage deploys; produced by `loadStageConfig` and already validated. */
export interface StageConfig {
  /** Stage name (`dev`, `prod`, …); part of the stack name `MqCloudIntegration-<stage>`. */
  readonly stage: string;
  /** Keep data and credentials when the stack or a resource is deleted. @default false (dev), true (prod) */
  readonly retainData: boolean;
  /** CloudFormation termination protection. @default false (dev), true (prod) */
  readonly terminationProtection: boolean;
  /** Retention of every log group the stack owns, in days (a CloudWatch Logs value). @default 14 (dev), 365 (prod) */
  readonly logRetentionDays: number;
  readonly network: NetworkConfig;
  readonly broker: BrokerConfig;
  readonly queues: QueuesConfig;
  readonly functions: FunctionsConfig;
  readonly eventSources: EventSourcesConfig;
  readonly verification: VerificationConfig;
  /** What lives inside the broker. @default defaultTopology() */
  readonly topology: TopologyDefinition;
  /** The Kafka source on Amazon MSK. @default disabled (devKafkaDefaults / prodKafkaDefaults in kafka.ts) */
  readonly kafka: KafkaConfig;
  /** Alarm thresholds and alarm email. @default devMonitoringDefaults (dev), prodMonitoringDefaults (prod) */
  readonly monitoring: MonitoringConfig;
  /** Tags applied to every resource. @default { project, stage } */
  readonly tags: Readonly<Record<string, string>>;
}

/** Name of the stack a stage deploys. */
export function stackNameFor(stage: string): string {
  return `MqCloudIntegration-${stage}`;
}

/** The visibility timeout AWS recommends for an SQS-triggered function: 6 × timeout + batching window. */
export function minimumVisibilityTimeoutSeconds(consumerTimeoutSeconds: number, batchingWindowSeconds: number): number {
  return 6 * consumerTimeoutSeconds + batchingWindowSeconds;
}

/** The source queue's visibility timeout: the configured one, else the minimum above (at least SQS's 30 s default). */
export function resolvedVisibilityTimeoutSeconds(config: StageConfig): number {
  return (
    config.queues.visibilityTimeoutSeconds ??
    Math.max(
      30,
      minimumVisibilityTimeoutSeconds(
        config.functions.consumer.timeoutSeconds,
        config.eventSources.sqs.maxBatchingWindowSeconds,
      ),
    )
  );
}

/** The consumer's idempotency expiry: the configured one, else the queues' redelivery window plus a day. */
export function resolvedIdempotencyExpirySeconds(config: StageConfig): number {
  return config.functions.consumer.idempotencyExpirySeconds ?? derivedIdempotencyExpirySeconds(config.queues);
}
