import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { throwIfIssues } from '../../config/config-issue';
import { kafkaConfigIssues } from '../../config/kafka-rules';
import { KafkaFunctions, type KafkaFunctionsProps } from './kafka-functions';
import { MskCluster } from './msk-cluster';

/** The functions' props (KafkaFunctionsProps) without the cluster, which this construct creates, plus the cluster's. */
export interface KafkaSourceProps extends Omit<KafkaFunctionsProps, 'cluster'> {
  /** AZs the private subnets span (brokers are spread evenly over them). */
  readonly availabilityZones: number;
  /** Cluster name (unique per account and region). */
  readonly clusterName: string;
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
    this.functions = new KafkaFunctions(this, 'Functions', { ...props, cluster: this.cluster });
  }
}
