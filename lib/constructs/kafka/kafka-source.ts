import { RemovalPolicy } from 'aws-cdk-lib';
import type { IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { Architecture } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { throwIfIssues } from '../../config/config-issue';
import type { KafkaConfig } from '../../config/kafka';
import { kafkaConfigIssues } from '../../config/kafka-rules';
import { KafkaFunctions } from './kafka-functions';
import { MskCluster } from './msk-cluster';

export interface KafkaSourceProps {
  readonly vpc: IVpc;
  /** Private subnets, one per AZ (the cluster's client subnets and the producer's). */
  readonly vpcSubnets: SubnetSelection;
  /** AZs the private subnets span (brokers are spread evenly over them). */
  readonly availabilityZones: number;
  /** Cluster name (unique per account and region). */
  readonly clusterName: string;
  readonly kafka: KafkaConfig;
  /** The SQS queue every source forwards to. */
  readonly targetQueue: IQueue;
  /** FIFO, keyless records: message field whose value is the group id. @default - none */
  readonly messageGroupIdField?: string;
  /** @default 4 */
  readonly sendParallelism?: number;
  readonly runtime: string;
  readonly architecture?: Architecture;
  /** @default true */
  readonly tracing?: boolean;
  /** @default 'INFO' */
  readonly logLevel?: string;
  readonly metricsNamespace: string;
  readonly logRetention: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * All of Kafka (ARCHITECTURE §6) in one place: the MSK cluster with its topic, the Kafka producer, and the Kafka
 * bridge under its MSK event source, forwarding into the same SQS queue as RabbitMQ.
 */
export class KafkaSource extends Construct {
  readonly cluster: MskCluster;
  readonly functions: KafkaFunctions;

  constructor(scope: Construct, id: string, props: KafkaSourceProps) {
    super(scope, id);
    throwIfIssues(
      `Invalid KafkaSource '${id}'`,
      kafkaConfigIssues(props.kafka, props.availabilityZones, 'props.kafka'),
    );
    this.cluster = new MskCluster(this, 'Cluster', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      clusterName: props.clusterName,
      cluster: props.kafka.cluster,
      topic: props.kafka.topic,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.functions = new KafkaFunctions(this, 'Functions', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      cluster: this.cluster,
      kafka: props.kafka,
      targetQueue: props.targetQueue,
      messageGroupIdField: props.messageGroupIdField,
      sendParallelism: props.sendParallelism,
      runtime: props.runtime,
      architecture: props.architecture,
      tracing: props.tracing,
      logLevel: props.logLevel,
      metricsNamespace: props.metricsNamespace,
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
  }
}
