import { Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { type IConnectable, type IVpc, Port, SecurityGroup, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { CfnCluster, CfnTopic } from 'aws-cdk-lib/aws-msk';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { mskBrokerKind, type KafkaClusterConfig, type KafkaTopicConfig } from '../../config/kafka';
import { acknowledgeControl, CONTROLS } from '../../governance/control-tower';
import { acknowledge } from '../../nag';

export interface MskClusterProps {
  readonly vpc: IVpc;
  /** Private subnets, one per AZ; the cluster takes up to three (MSK's client subnets). */
  readonly vpcSubnets: SubnetSelection;
  /** Cluster name (unique in the account and region). */
  readonly clusterName: string;
  readonly cluster: KafkaClusterConfig;
  readonly topic: KafkaTopicConfig;
  readonly logRetention: RetentionDays;
  /** Applies to the cluster, the topic and the broker log group. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/** Construct id of CDK's AwsCustomResource singleton function. */
const AWS_CUSTOM_RESOURCE_SINGLETON = 'AWS679f53fac002430cb0da5b7982bd2287';

/** Port of MSK's IAM listener (TLS + SASL/IAM) inside the VPC. */
export const MSK_IAM_PORT = 9098;

/**
 * An Amazon MSK Provisioned cluster that admits only IAM-authenticated TLS clients: no plaintext, no
 * unauthenticated access, TLS between brokers, storage encrypted at rest (MSK's key), broker logs in a CloudWatch
 * log group with the stage's retention. Its one topic is an `AWS::MSK::Topic` (Kafka 3.6+), so topics are code like
 * the rest. The security group admits 9098 only from what `allowClientsFrom` names, and from itself (the MSK event
 * source's pollers run with the cluster's security group).
 */
export class MskCluster extends Construct implements IConnectable {
  readonly cluster: CfnCluster;
  readonly topic: CfnTopic;
  readonly securityGroup: SecurityGroup;
  readonly logGroup: LogGroup;
  readonly clusterArn: string;
  readonly clusterName: string;
  readonly topicName: string;
  /** `host:9098,…` of the IAM listeners, read from MSK after the cluster exists. */
  readonly bootstrapBrokersSaslIam: string;

  constructor(scope: Construct, id: string, props: MskClusterProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const { cluster, topic } = props;

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'MSK cluster: IAM listener for the Kafka functions and the MSK event source only',
      allowAllOutbound: false,
    });
    // The event source's pollers carry this group: they reach the brokers and the interface endpoints through it.
    this.securityGroup.addIngressRule(this.securityGroup, Port.tcp(MSK_IAM_PORT), 'MSK event source pollers');
    this.securityGroup.addEgressRule(this.securityGroup, Port.tcp(MSK_IAM_PORT), 'Brokers and pollers to brokers');

    this.logGroup = new LogGroup(this, 'BrokerLogs', { retention: props.logRetention, removalPolicy });

    const subnets = props.vpc.selectSubnets(props.vpcSubnets).subnetIds.slice(0, 3);
    const express = mskBrokerKind(cluster.brokerType) === 'express';
    this.cluster = new CfnCluster(this, 'Resource', {
      clusterName: props.clusterName,
      kafkaVersion: cluster.kafkaVersion,
      numberOfBrokerNodes: cluster.brokerCount,
      enhancedMonitoring: cluster.enhancedMonitoring,
      brokerNodeGroupInfo: {
        instanceType: cluster.brokerType,
        clientSubnets: subnets,
        securityGroups: [this.securityGroup.securityGroupId],
        // Express brokers' storage is managed by MSK and takes no volume settings.
        ...(express ? {} : { storageInfo: { ebsStorageInfo: { volumeSize: cluster.volumeSizeGb } } }),
        connectivityInfo: { publicAccess: { type: 'DISABLED' } },
      },
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
      encryptionInfo: {
        encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
        // No key id: MSK encrypts the volumes with its AWS managed key (encryption at rest cannot be switched off).
      },
      loggingInfo: {
        brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: this.logGroup.logGroupName } },
      },
    });
    this.cluster.applyRemovalPolicy(removalPolicy);
    this.clusterArn = this.cluster.attrArn;
    this.clusterName = props.clusterName;

    this.topic = new CfnTopic(this, 'Topic', {
      clusterArn: this.clusterArn,
      topicName: topic.name,
      partitionCount: topic.partitions,
      replicationFactor: topic.replicationFactor,
      configs: Fn.base64(`retention.ms=${topic.retentionHours * 3_600_000}`),
    });
    this.topic.applyRemovalPolicy(removalPolicy);
    this.topicName = topic.name;

    this.bootstrapBrokersSaslIam = this.readBootstrapBrokers();
  }

  get connections() {
    return this.securityGroup.connections;
  }

  /** Admits the IAM listener from `client` (a function's security group). */
  allowClientsFrom(client: IConnectable, description: string): void {
    this.securityGroup.connections.allowFrom(client, Port.tcp(MSK_IAM_PORT), description);
  }

  /** ARN of a topic of this cluster: `arn:…:topic/<cluster name>/<cluster uuid>/<topic>`. */
  topicArn(topicName: string): string {
    return this.clusterScopedArn('topic', topicName);
  }

  /** ARN of a consumer group of this cluster. */
  groupArn(groupId: string): string {
    return this.clusterScopedArn('group', groupId);
  }

  private clusterScopedArn(kind: 'topic' | 'group', name: string): string {
    // Cluster ARN: arn:<partition>:kafka:<region>:<account>:cluster/<name>/<uuid>
    const parts = Fn.split('/', this.clusterArn);
    const prefix = Fn.select(0, Fn.split(':cluster/', this.clusterArn));
    return `${prefix}:${kind}/${Fn.select(1, parts)}/${Fn.select(2, parts)}/${name}`;
  }

  /**
   * MSK publishes the bootstrap brokers only through its API (no CloudFormation attribute), so one SDK call reads them
   * once the cluster exists. The call's policy is scoped to this cluster.
   */
  private readBootstrapBrokers(): string {
    const call = {
      service: 'Kafka',
      action: 'getBootstrapBrokers',
      parameters: { ClusterArn: this.clusterArn },
      physicalResourceId: PhysicalResourceId.of(`${this.clusterName}-bootstrap-brokers`),
      outputPaths: ['BootstrapBrokerStringSaslIam'],
    };
    const reader = new AwsCustomResource(this, 'BootstrapBrokers', {
      onCreate: call,
      onUpdate: call,
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.clusterArn] }),
      installLatestAwsSdk: false,
    });
    reader.node.addDependency(this.cluster);
    // AwsCustomResource runs one stack-wide CDK singleton function; its findings are CDK's, acknowledged here.
    const singleton = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_SINGLETON);
    if (singleton) {
      acknowledge(singleton, {
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
          "CDK's AwsCustomResource function writes only its own logs through this role; it runs when the MSK cluster is created or updated.",
        'Serverless-LambdaDefaultMemorySize':
          "CDK's AwsCustomResource function makes one small SDK call (kafka:GetBootstrapBrokers) per deployment; CDK sets no memory size.",
        'Serverless-LambdaDLQ':
          "CDK's AwsCustomResource function is invoked synchronously by CloudFormation, which reports a failure as a failed deployment.",
        'Serverless-LambdaTracing':
          "CDK's AwsCustomResource function offers no tracing setting; it makes one SDK call per deployment and logs it.",
      });
      acknowledgeControl(
        singleton,
        CONTROLS.lambdaInVpc,
        "CDK's AwsCustomResource function calls one AWS API (kafka:GetBootstrapBrokers) once per deployment and reaches nothing private to the VPC; CDK offers no VPC setting for its singleton here.",
      );
    }
    return reader.getResponseField('BootstrapBrokerStringSaslIam');
  }
}
