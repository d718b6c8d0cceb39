import {
  type CfnResource,
  type CfnTemplate,
  isRecord,
  literalNumber,
  referencedLogicalId,
  TemplateReadError,
} from '../local/cfn-template';

/**
 * What a synthesized stack is billed for, read from its template: the resources with a price and the settings that
 * decide how much of each a message uses (batch sizes, memory, log levels, retentions). Pure: template in, plain
 * values out; prices and rates are applied elsewhere (cost/estimate.ts). A resource it does not know of is listed in
 * `resourceTypes`, so cost/resource-types.ts can say whether it is priced or free.
 */

export interface BrokerInventory {
  readonly logicalId: string;
  readonly brokerName?: string;
  readonly instanceType: string;
  readonly deploymentMode: string;
  /** Broker nodes billed: 3 for `CLUSTER_MULTI_AZ`, 2 for `ACTIVE_STANDBY_MULTI_AZ`, else 1. */
  readonly nodes: number;
}

export interface MskClusterInventory {
  readonly logicalId: string;
  readonly instanceType: string;
  readonly brokerNodes: number;
  /** Provisioned EBS volume per broker, GB. @default 1000 (the MSK default) */
  readonly volumeGb: number;
}

export interface InterfaceEndpointInventory {
  readonly logicalId: string;
  /** The service, e.g. `sqs`, from `com.amazonaws.REGION.sqs`. */
  readonly service: string;
  /** Availability zones the endpoint has a network interface in (its subnets). */
  readonly azs: number;
}

export interface AlarmInventory {
  readonly logicalId: string;
  /** `metrics-insights` when any query is a Metrics Insights `SELECT`; AWS prices those per metric analyzed. */
  readonly kind: 'standard' | 'metrics-insights';
  /** Alarm metrics AWS bills: one per metric listed, one per time series a Metrics Insights query analyzes. */
  readonly alarmMetrics: number;
}

export interface FunctionInventory {
  readonly logicalId: string;
  /** Construct id from `aws:cdk:path` (`…/Functions/Bridge/Resource` → `Bridge`). */
  readonly name: string;
  /** @default 128 (the Lambda default) */
  readonly memoryMb: number;
  /** @default 'x86_64' (the Lambda default) */
  readonly architecture: 'arm64' | 'x86_64';
  /** `POWERTOOLS_LOG_LEVEL`, upper case. @default 'INFO' */
  readonly logLevel: string;
  /** Retention of the function's log group; undefined when it never expires. */
  readonly logRetentionDays?: number;
  readonly tracing: boolean;
  readonly inVpc: boolean;
  readonly environment: Readonly<Record<string, unknown>>;
}

export type MappingSource = 'rabbitmq' | 'msk' | 'sqs' | 'other';

export interface MappingInventory {
  readonly logicalId: string;
  readonly functionLogicalId: string;
  readonly source: MappingSource;
  /** Logical id of the source queue, broker or cluster. */
  readonly sourceLogicalId?: string;
  readonly batchSize: number;
  readonly batchingWindowSec: number;
}

export interface QueueInventory {
  readonly logicalId: string;
  readonly fifo: boolean;
}

export interface TableInventory {
  readonly logicalId: string;
  readonly onDemand: boolean;
  readonly pointInTimeRecovery: boolean;
  readonly ttl: boolean;
}

export interface StackInventory {
  readonly brokers: readonly BrokerInventory[];
  readonly mskClusters: readonly MskClusterInventory[];
  readonly interfaceEndpoints: readonly InterfaceEndpointInventory[];
  readonly natGateways: number;
  readonly elasticIps: number;
  readonly alarms: readonly AlarmInventory[];
  readonly dashboards: number;
  readonly kmsKeys: number;
  readonly secrets: number;
  readonly functions: readonly FunctionInventory[];
  readonly mappings: readonly MappingInventory[];
  readonly queues: readonly QueueInventory[];
  readonly tables: readonly TableInventory[];
  /** Every resource type in the template with its count. */
  readonly resourceTypes: Readonly<Record<string, number>>;
}

/** Defaults of Lambda event source mappings by source (AWS: batch size and batching window). */
const MAPPING_DEFAULTS: Record<MappingSource, { batchSize: number; windowSec: number }> = {
  rabbitmq: { batchSize: 100, windowSec: 0.5 },
  msk: { batchSize: 100, windowSec: 0.5 },
  sqs: { batchSize: 10, windowSec: 0 },
  other: { batchSize: 100, windowSec: 0 },
};

const NODES_BY_DEPLOYMENT_MODE: Record<string, number> = {
  SINGLE_INSTANCE: 1,
  ACTIVE_STANDBY_MULTI_AZ: 2,
  CLUSTER_MULTI_AZ: 3,
};

/** Reads everything the estimate prices; throws {@link TemplateReadError} for a value it cannot read. */
export function readStackInventory(template: CfnTemplate): StackInventory {
  const resources = template.Resources ?? {};
  const all = Object.entries(resources);
  const ofType = (type: string) => all.filter(([, r]) => r.Type === type);
  const resourceTypes: Record<string, number> = {};
  for (const [, r] of all) resourceTypes[r.Type] = (resourceTypes[r.Type] ?? 0) + 1;

  const brokers = ofType('AWS::AmazonMQ::Broker').map(([id, r]) => readBroker(id, r));
  return {
    brokers,
    mskClusters: ofType('AWS::MSK::Cluster').map(([id, r]) => readMskCluster(id, r)),
    interfaceEndpoints: ofType('AWS::EC2::VPCEndpoint')
      .filter(([, r]) => r.Properties?.VpcEndpointType === 'Interface')
      .map(([id, r]) => readInterfaceEndpoint(id, r)),
    natGateways: ofType('AWS::EC2::NatGateway').length,
    elasticIps: ofType('AWS::EC2::EIP').length,
    alarms: ofType('AWS::CloudWatch::Alarm').map(([id, r]) => readAlarm(id, r, brokers)),
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    kmsKeys: ofType('AWS::KMS::Key').length,
    secrets: ofType('AWS::SecretsManager::Secret').length,
    functions: ofType('AWS::Lambda::Function').map(([id, r]) => readFunction(resources, id, r)),
    mappings: ofType('AWS::Lambda::EventSourceMapping').map(([id, r]) => readMapping(resources, id, r)),
    queues: ofType('AWS::SQS::Queue').map(([id, r]) => ({
      logicalId: id,
      fifo: r.Properties?.FifoQueue === true || r.Properties?.FifoQueue === 'true',
    })),
    tables: ofType('AWS::DynamoDB::Table').map(([id, r]) => readTable(id, r)),
    resourceTypes,
  };
}

function readBroker(logicalId: string, r: CfnResource): BrokerInventory {
  const p = r.Properties ?? {};
  const instanceType = p.HostInstanceType;
  if (typeof instanceType !== 'string') {
    throw new TemplateReadError(
      `${logicalId}.HostInstanceType must be a literal string, got ${JSON.stringify(instanceType)}`,
    );
  }
  const deploymentMode = typeof p.DeploymentMode === 'string' ? p.DeploymentMode : 'SINGLE_INSTANCE';
  const nodes = NODES_BY_DEPLOYMENT_MODE[deploymentMode];
  if (nodes === undefined) {
    throw new TemplateReadError(
      `${logicalId}.DeploymentMode is ${JSON.stringify(deploymentMode)}; known: ${Object.keys(NODES_BY_DEPLOYMENT_MODE).join(', ')}`,
    );
  }
  return {
    logicalId,
    brokerName: typeof p.BrokerName === 'string' ? p.BrokerName : undefined,
    instanceType,
    deploymentMode,
    nodes,
  };
}

function readMskCluster(logicalId: string, r: CfnResource): MskClusterInventory {
  const p = r.Properties ?? {};
  const group = isRecord(p.BrokerNodeGroupInfo) ? p.BrokerNodeGroupInfo : {};
  if (typeof group.InstanceType !== 'string') {
    throw new TemplateReadError(
      `${logicalId}.BrokerNodeGroupInfo.InstanceType must be a literal string, got ${JSON.stringify(group.InstanceType)}`,
    );
  }
  const storage =
    isRecord(group.StorageInfo) && isRecord(group.StorageInfo.EBSStorageInfo) ? group.StorageInfo.EBSStorageInfo : {};
  return {
    logicalId,
    instanceType: group.InstanceType,
    brokerNodes: literalNumber(p.NumberOfBrokerNodes, NaN, `${logicalId}.NumberOfBrokerNodes`),
    volumeGb: literalNumber(
      storage.VolumeSize,
      1000,
      `${logicalId}.BrokerNodeGroupInfo.StorageInfo.EBSStorageInfo.VolumeSize`,
    ),
  };
}

function readInterfaceEndpoint(logicalId: string, r: CfnResource): InterfaceEndpointInventory {
  const p = r.Properties ?? {};
  const subnets = Array.isArray(p.SubnetIds) ? p.SubnetIds.length : 0;
  if (subnets === 0) throw new TemplateReadError(`${logicalId}.SubnetIds must list the endpoint's subnets`);
  return { logicalId, service: serviceOf(p.ServiceName), azs: subnets };
}

/** `sqs` from `com.amazonaws.us-east-1.sqs`, or from `Fn::Join` parts whose last literal ends in `.sqs`. */
function serviceOf(serviceName: unknown): string {
  if (typeof serviceName === 'string') return serviceName.split('.').pop() ?? serviceName;
  const join = isRecord(serviceName) ? serviceName['Fn::Join'] : undefined;
  const parts = Array.isArray(join) && Array.isArray(join[1]) ? (join[1] as unknown[]) : [];
  const last = [...parts].reverse().find((part): part is string => typeof part === 'string');
  return last?.split('.').pop() || JSON.stringify(serviceName);
}

function readAlarm(logicalId: string, r: CfnResource, brokers: readonly BrokerInventory[]): AlarmInventory {
  const p = r.Properties ?? {};
  if (!Array.isArray(p.Metrics)) return { logicalId, kind: 'standard', alarmMetrics: 1 };
  let alarmMetrics = 0;
  let insights = false;
  for (const query of p.Metrics) {
    if (!isRecord(query)) continue;
    if (isRecord(query.MetricStat)) alarmMetrics += 1;
    else if (typeof query.Expression === 'string' && /^\s*SELECT\b/i.test(query.Expression)) {
      insights = true;
      alarmMetrics += timeSeriesAnalyzed(query.Expression, brokers);
    }
  }
  return { logicalId, kind: insights ? 'metrics-insights' : 'standard', alarmMetrics: Math.max(1, alarmMetrics) };
}

/**
 * Time series a Metrics Insights query reads: per node for a `SCHEMA("AWS/AmazonMQ", Broker, Node)` query on one of
 * the stack's brokers (one series per broker node), otherwise one.
 */
function timeSeriesAnalyzed(expression: string, brokers: readonly BrokerInventory[]): number {
  if (!/SCHEMA\([^)]*\bNode\b/i.test(expression)) return 1;
  const broker = brokers.find((b) => b.brokerName !== undefined && expression.includes(`'${b.brokerName}'`));
  return broker?.nodes ?? (brokers.length === 1 ? brokers[0].nodes : 1);
}

function readFunction(resources: Record<string, CfnResource>, logicalId: string, r: CfnResource): FunctionInventory {
  const p = r.Properties ?? {};
  const path = typeof r.Metadata?.['aws:cdk:path'] === 'string' ? (r.Metadata['aws:cdk:path'] as string) : logicalId;
  const segments = path.split('/');
  const name =
    segments[segments.length - 1] === 'Resource' ? segments[segments.length - 2] : segments[segments.length - 1];
  const environment =
    isRecord(p.Environment) && isRecord(p.Environment.Variables)
      ? p.Environment.Variables
      : ({} as Record<string, unknown>);
  const architectures = Array.isArray(p.Architectures) ? p.Architectures : [];
  const logLevel =
    typeof environment.POWERTOOLS_LOG_LEVEL === 'string' ? environment.POWERTOOLS_LOG_LEVEL.toUpperCase() : 'INFO';
  return {
    logicalId,
    name,
    memoryMb: literalNumber(p.MemorySize, 128, `${logicalId}.MemorySize`),
    architecture: architectures.includes('arm64') ? 'arm64' : 'x86_64',
    logLevel,
    logRetentionDays: logRetentionOf(resources, p),
    tracing: isRecord(p.TracingConfig) && p.TracingConfig.Mode === 'Active',
    inVpc: isRecord(p.VpcConfig),
    environment,
  };
}

function logRetentionOf(resources: Record<string, CfnResource>, p: Record<string, unknown>): number | undefined {
  const groupId = isRecord(p.LoggingConfig) ? referencedLogicalId(p.LoggingConfig.LogGroup) : undefined;
  const group = groupId ? resources[groupId] : undefined;
  if (group?.Type !== 'AWS::Logs::LogGroup') return undefined;
  const days = group.Properties?.RetentionInDays;
  return days === undefined ? undefined : literalNumber(days, NaN, `${groupId}.RetentionInDays`);
}

function readMapping(resources: Record<string, CfnResource>, logicalId: string, r: CfnResource): MappingInventory {
  const p = r.Properties ?? {};
  const functionLogicalId = referencedLogicalId(p.FunctionName);
  if (!functionLogicalId)
    throw new TemplateReadError(`${logicalId}.FunctionName does not reference a function in the template`);
  const sourceLogicalId = referencedLogicalId(p.EventSourceArn);
  const sourceType = sourceLogicalId ? resources[sourceLogicalId]?.Type : undefined;
  const source: MappingSource =
    sourceType === 'AWS::SQS::Queue'
      ? 'sqs'
      : sourceType === 'AWS::AmazonMQ::Broker' || Array.isArray(p.Queues)
        ? 'rabbitmq'
        : sourceType === 'AWS::MSK::Cluster' || sourceType === 'AWS::MSK::ServerlessCluster' || Array.isArray(p.Topics)
          ? 'msk'
          : 'other';
  const defaults = MAPPING_DEFAULTS[source];
  return {
    logicalId,
    functionLogicalId,
    source,
    sourceLogicalId,
    batchSize: literalNumber(p.BatchSize, defaults.batchSize, `${logicalId}.BatchSize`),
    batchingWindowSec: literalNumber(
      p.MaximumBatchingWindowInSeconds,
      defaults.windowSec,
      `${logicalId}.MaximumBatchingWindowInSeconds`,
    ),
  };
}

function readTable(logicalId: string, r: CfnResource): TableInventory {
  const p = r.Properties ?? {};
  return {
    logicalId,
    onDemand: p.BillingMode === 'PAY_PER_REQUEST',
    pointInTimeRecovery:
      isRecord(p.PointInTimeRecoverySpecification) &&
      p.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled === true,
    ttl: isRecord(p.TimeToLiveSpecification) && p.TimeToLiveSpecification.Enabled === true,
  };
}
