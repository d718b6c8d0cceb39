import {
  DayOfWeek,
  type RabbitMqBrokerConfiguration,
  RabbitMqBrokerCluster,
  RabbitMqBrokerEngineVersion,
  RabbitMqBrokerInstance,
  RabbitMqBrokerUserManagement,
} from '@cdklabs/cdk-amazonmq';
import { Duration, RemovalPolicy, TimeZone } from 'aws-cdk-lib';
import type { CfnBroker } from 'aws-cdk-lib/aws-amazonmq';
import { MathExpression, Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import {
  Connections,
  type IConnectable,
  InstanceType,
  type IVpc,
  Port,
  SecurityGroup,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { LogRetention, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { messageSizeLimit, type MessageSizeLimit } from '../../lambda/shared/message-size';
import type { RabbitMqResourceLimits } from '../config/amazon-mq-limit-table';
import {
  checkBrokerLimits,
  NO_LIMIT_OVERRIDES,
  resolvedBrokerLimits,
  type BrokerLimitsConfig,
} from '../config/broker-limits';
import { checkBrokerSettings, checkBrokerSubnets, checkMaintenanceWindow } from '../config/broker-rules';
import { throwIfIssues } from '../config/config-issue';
import type { BrokerDeploymentMode, MaintenanceWindowConfig } from '../config/stage-config';
import { acknowledge, acknowledgeLogRetentionFunction } from '../nag';
import { brokerLimitsConfiguration } from './rabbitmq-broker-configuration';

/** AMQP over TLS. */
export const AMQPS_PORT = 5671;
/** RabbitMQ management console and HTTP API (TLS). */
export const MANAGEMENT_PORT = 443;

/**
 * Characters the generated admin password never contains: the three Amazon MQ refuses (`,` `:` `=`) and every other
 * punctuation mark that is reserved in a URI, so the password is usable verbatim in an `amqps://user:pass@host` URL,
 * a shell and JSON. What remains is letters, digits and `-` `.` `_` `~` (RFC 3986 "unreserved").
 */
export const ADMIN_PASSWORD_EXCLUDED_CHARACTERS = ',:=!"#$%&\'()*+/;<>?@[\\]^`{|}';

/** Namespace of Amazon MQ metrics. */
const NAMESPACE = 'AWS/AmazonMQ';

export interface RabbitMqBrokerProps {
  /** VPC of the broker. */
  readonly vpc: IVpc;
  /** Private subnets; the broker takes the first one (single instance) or one in each of three AZs (cluster). */
  readonly vpcSubnets: SubnetSelection;
  /** Broker name: 1–50 letters, digits, `-`, `_`; the `Broker` dimension of its metrics. */
  readonly brokerName: string;
  /** RabbitMQ engine version (`3.13` or `4.2`). */
  readonly engineVersion: string;
  /** Host instance type including the `mq.` prefix, e.g. `mq.m7g.large`. */
  readonly instanceType: string;
  /** Single instance or a three-node cluster across AZs. */
  readonly deploymentMode: BrokerDeploymentMode;
  /** Username of the administrative user Amazon MQ creates with the broker. @default 'admin' */
  readonly adminUsername?: string;
  /** Weekly maintenance window. @default SUNDAY 03:00 UTC */
  readonly maintenanceWindow?: MaintenanceWindowConfig;
  /** Retention of the broker's general log group. */
  readonly logRetention: RetentionDays;
  /** What happens to the admin secret and the log group when they leave the stack. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
  /** Resource limits (RabbitMQ 4) and `consumer_timeout`, set through a broker configuration. @default - AWS's defaults */
  readonly limits?: Partial<BrokerLimitsConfig>;
}

/**
 * A private Amazon MQ for RabbitMQ broker (single instance or `CLUSTER_MULTI_AZ`) with generated admin credentials in
 * Secrets Manager, general logs with retention, a maintenance window, automatic minor version upgrades and a security
 * group that admits AMQPS and HTTPS only from peers granted with `allowAmqpsFrom` / `allowManagementFrom` and AMQPS
 * from itself (the RabbitMQ
 * event source's network interfaces use the broker's security group).
 *
 * Built on `@cdklabs/cdk-amazonmq`; its metric helpers are not used because they put the broker id where CloudWatch
 * has the broker name.
 */
export class RabbitMqBroker extends Construct implements IConnectable {
  /** Broker name (the `Broker` metric dimension). */
  readonly brokerName: string;
  readonly deploymentMode: BrokerDeploymentMode;
  readonly engineVersion: string;
  readonly instanceType: string;
  /** Broker ARN (event source mappings read from it). */
  readonly brokerArn: string;
  /** Broker id (`b-…`), as in the log group `/aws/amazonmq/broker/<id>/general`. */
  readonly brokerId: string;
  /** Security group of the broker and of the RabbitMQ event source's network interfaces. */
  readonly securityGroup: SecurityGroup;
  readonly connections: Connections;
  /** `{ "username", "password" }` of the administrative user. */
  readonly adminSecret: ISecret;
  /** `amqps://HOST:5671`. */
  readonly amqpsEndpoint: string;
  /** `https://HOST` of the management console and HTTP API. */
  readonly managementEndpoint: string;
  /** The deployment from `@cdklabs/cdk-amazonmq` (for its event source). */
  readonly deployment: RabbitMqBrokerInstance | RabbitMqBrokerCluster;
  /** The limits the broker enforces (RabbitMQ 4: configured over AWS's defaults; RabbitMQ 3: fixed maximums). */
  readonly resourceLimits: RabbitMqResourceLimits;
  /** The largest body the flow takes: min(max_message_size, SQS's limit less the bridge's attributes). */
  readonly messageSizeLimit: MessageSizeLimit;
  /** The broker configuration that sets the limits, when the broker has one. */
  readonly configuration?: RabbitMqBrokerConfiguration;

  constructor(scope: Construct, id: string, props: RabbitMqBrokerProps) {
    super(scope, id);
    const adminUsername = props.adminUsername ?? 'admin';
    const window = props.maintenanceWindow ?? { dayOfWeek: 'SUNDAY', timeOfDay: '03:00', timeZone: 'UTC' };
    const settings = {
      ...props,
      adminUsername,
      autoMinorVersionUpgrade: true,
      publiclyAccessible: false,
      auditLogs: false,
    };
    const selected = props.vpc.selectSubnets(props.vpcSubnets).subnets;
    const subnets = props.deploymentMode === 'CLUSTER_MULTI_AZ' ? onePerAz(selected).slice(0, 3) : selected.slice(0, 1);
    const limitSettings = { ...props, limits: { ...NO_LIMIT_OVERRIDES, ...props.limits } };
    throwIfIssues(`Invalid RabbitMqBroker '${id}'`, [
      ...checkBrokerSettings(settings, 'props'),
      ...checkBrokerLimits(limitSettings, 'props.limits'),
      ...checkMaintenanceWindow('props.maintenanceWindow', window),
      ...checkBrokerSubnets(
        'props.vpcSubnets',
        props.deploymentMode,
        subnets.length,
        new Set(subnets.map((s) => s.availabilityZone)).size,
      ),
    ]);
    this.brokerName = props.brokerName;
    this.deploymentMode = props.deploymentMode;
    this.engineVersion = props.engineVersion;
    this.instanceType = props.instanceType;
    // checkBrokerSettings has refused an instance type or mode the limit tables do not list.
    this.resourceLimits = resolvedBrokerLimits(limitSettings) as RabbitMqResourceLimits;
    this.messageSizeLimit = messageSizeLimit(this.resourceLimits.maxMessageSizeBytes);
    this.configuration = brokerLimitsConfiguration(this, 'Configuration', limitSettings);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;

    this.adminSecret = new Secret(this, 'AdminSecret', {
      description: `Administrative user of the RabbitMQ broker ${props.brokerName}`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ username: adminUsername }),
        generateStringKey: 'password',
        passwordLength: 32,
        excludeCharacters: ADMIN_PASSWORD_EXCLUDED_CHARACTERS,
        requireEachIncludedType: true,
      },
      removalPolicy,
    });

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `RabbitMQ broker ${props.brokerName}: AMQPS 5671 and HTTPS 443 from the project functions and itself`,
      allowAllOutbound: false,
    });
    // The event source's pollers sit in this group and consume over AMQPS from the broker in the same group.
    this.securityGroup.connections.allowInternally(
      Port.tcp(AMQPS_PORT),
      'RabbitMQ event source pollers to the broker (AMQPS)',
    );
    this.connections = new Connections({ securityGroups: [this.securityGroup], defaultPort: Port.tcp(AMQPS_PORT) });

    const deploymentProps = {
      brokerName: props.brokerName,
      publiclyAccessible: false,
      version: RabbitMqBrokerEngineVersion.of(props.engineVersion),
      instanceType: new InstanceType(props.instanceType.replace(/^mq\./, '')),
      userManagement: RabbitMqBrokerUserManagement.simple({
        // A dynamic reference: the template never holds the password.
        admin: { username: adminUsername, password: this.adminSecret.secretValueFromJson('password') },
      }),
      vpc: props.vpc,
      vpcSubnets: { subnets },
      securityGroups: [this.securityGroup],
      autoMinorVersionUpgrade: true,
      maintenanceWindowStartTime: {
        dayOfWeek: DayOfWeek[window.dayOfWeek],
        timeOfDay: window.timeOfDay,
        timeZone: TimeZone.of(window.timeZone),
      },
      cloudwatchLogsExports: { general: true },
      // The broker's Configuration property (id and revision): a new revision is applied at the next reboot.
      configuration: this.configuration,
    };
    this.deployment =
      props.deploymentMode === 'CLUSTER_MULTI_AZ'
        ? new RabbitMqBrokerCluster(this, 'Broker', deploymentProps)
        : new RabbitMqBrokerInstance(this, 'Broker', deploymentProps);
    const cfnBroker = this.deployment.node.defaultChild as CfnBroker;
    // RabbitMQ brokers refuse EncryptionOptions; they always use an AWS owned key.
    cfnBroker.addPropertyDeletionOverride('EncryptionOptions');
    cfnBroker.node.addDependency(this.adminSecret);

    this.brokerArn = this.deployment.arn;
    this.brokerId = this.deployment.id;
    this.amqpsEndpoint = this.deployment.endpoints.amqp.url;
    this.managementEndpoint = this.deployment.endpoints.console.url;

    // Amazon MQ creates the general log group itself when the broker starts; only its retention is ours to set.
    new LogRetention(this, 'GeneralLogRetention', {
      logGroupName: `/aws/amazonmq/broker/${this.brokerId}/general`,
      retention: props.logRetention,
      removalPolicy,
    });
    acknowledgeLogRetentionFunction(cfnBroker);
    acknowledge(this.adminSecret, {
      'AwsSolutions-SMG4':
        'The password also lives in the broker: rotating only the secret would lock every client out. Rotate by changing the broker user (Amazon MQ UpdateUser) and the secret together, see docs/configuration.md.',
    });
  }

  /** Admits AMQPS (5671) from `peer` (and lets `peer` reach out, when its group restricts egress). */
  allowAmqpsFrom(peer: IConnectable, description: string): void {
    this.connections.allowFrom(peer, Port.tcp(AMQPS_PORT), `${description} (AMQPS)`);
  }

  /** Admits HTTPS (443) to the management console and HTTP API from `peer`. */
  allowManagementFrom(peer: IConnectable, description: string): void {
    this.connections.allowFrom(peer, Port.tcp(MANAGEMENT_PORT), `${description} (HTTPS management API)`);
  }

  /** A broker-level metric: dimension `Broker` = broker name. Defaults: 5-minute period, average. */
  metric(metricName: string, props?: MetricOptions): Metric {
    return brokerMetric(this.brokerName, metricName, {}, props);
  }

  /** A node-level metric (`Broker`, `Node`); node names look like `rabbit@ip-10-0-1-23.ec2.internal`. */
  metricNode(metricName: string, nodeName: string, props?: MetricOptions): Metric {
    return brokerMetric(this.brokerName, metricName, { Node: nodeName }, props);
  }

  /** A queue-level metric (`Broker`, `VirtualHost`, `Queue`); RabbitMQ 4.x brokers publish none. */
  metricQueue(metricName: string, vhost: string, queue: string, props?: MetricOptions): Metric {
    return brokerMetric(this.brokerName, metricName, { VirtualHost: vhost, Queue: queue }, props);
  }

  /**
   * The maximum of a node-level metric over all nodes of this broker, whatever their names (a CloudWatch Metrics
   * Insights query, usable in an alarm). For a cluster this is the node closest to trouble.
   */
  metricWorstNode(metricName: string, props?: { readonly period?: Duration; readonly label?: string }): MathExpression {
    const aggregate = /Free/.test(metricName) ? 'MIN' : 'MAX';
    return new MathExpression({
      expression: `SELECT ${aggregate}(${metricName}) FROM SCHEMA("${NAMESPACE}", Broker, Node) WHERE Broker = '${this.brokerName}'`,
      usingMetrics: {},
      period: props?.period ?? Duration.minutes(5),
      label: props?.label ?? `${metricName} (${aggregate === 'MIN' ? 'lowest' : 'highest'} node)`,
    });
  }

  metricSystemCpuUtilization(props?: MetricOptions): Metric {
    return this.metric('SystemCpuUtilization', props);
  }
  metricRabbitMqMemUsed(props?: MetricOptions): Metric {
    return this.metric('RabbitMQMemUsed', { statistic: 'Maximum', ...props });
  }
  metricRabbitMqMemLimit(props?: MetricOptions): Metric {
    return this.metric('RabbitMQMemLimit', { statistic: 'Minimum', ...props });
  }
  metricRabbitMqDiskFree(props?: MetricOptions): Metric {
    return this.metric('RabbitMQDiskFree', { statistic: 'Minimum', ...props });
  }
  metricRabbitMqDiskFreeLimit(props?: MetricOptions): Metric {
    return this.metric('RabbitMQDiskFreeLimit', { statistic: 'Maximum', ...props });
  }
  metricConnectionCount(props?: MetricOptions): Metric {
    return this.metric('ConnectionCount', { statistic: 'Maximum', ...props });
  }
  metricConsumerCount(props?: MetricOptions): Metric {
    return this.metric('ConsumerCount', { statistic: 'Minimum', ...props });
  }
  metricMessageReadyCount(props?: MetricOptions): Metric {
    return this.metric('MessageReadyCount', { statistic: 'Maximum', ...props });
  }
}

/** An Amazon MQ metric of broker `brokerName` with extra dimensions. */
export function brokerMetric(
  brokerName: string,
  metricName: string,
  dimensions: Record<string, string>,
  props?: MetricOptions,
): Metric {
  return new Metric({
    namespace: NAMESPACE,
    metricName,
    period: Duration.minutes(5),
    statistic: 'Average',
    ...props,
    dimensionsMap: { Broker: brokerName, ...dimensions, ...props?.dimensionsMap },
  });
}

/** The first subnet of each availability zone, in order. */
function onePerAz<T extends { readonly availabilityZone: string }>(subnets: readonly T[]): T[] {
  const seen = new Set<string>();
  return subnets.filter((s) => !seen.has(s.availabilityZone) && seen.add(s.availabilityZone));
}
