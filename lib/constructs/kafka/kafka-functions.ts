import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IVpc, SecurityGroup, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Architecture, EventSourceMapping, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { messageSizeLimit, sizeLimitEnvironment } from '../../../lambda/shared/message-size';
import type { KafkaConfig } from '../../config/kafka';
import { acknowledgeControl, CONTROLS } from '../../governance/control-tower';
import { acknowledge } from '../../nag';
import { ENI_REASON, SYNCHRONOUS, XRAY_REASON } from '../integration-functions';
import { projectFunction, type ProjectFunction } from '../project-function';
import type { MskCluster } from './msk-cluster';

export interface KafkaFunctionsProps {
  readonly vpc: IVpc;
  /** Private subnets, one per AZ (the producer's; through KafkaSource also the cluster's client subnets). */
  readonly vpcSubnets: SubnetSelection;
  readonly cluster: MskCluster;
  /** The Kafka config (validated). */
  readonly kafka: KafkaConfig;
  /** The shared SQS queue the bridge forwards to. */
  readonly targetQueue: IQueue;
  /** FIFO, keyless records: message field whose value is the group id. @default - none */
  readonly messageGroupIdField?: string;
  /** Concurrent `SendMessageBatch` calls of the bridge. @default 4 */
  readonly sendParallelism?: number;
  readonly runtime: string;
  readonly architecture?: Architecture;
  /** @default true */
  readonly tracing?: boolean;
  /** @default 'INFO' */
  readonly logLevel?: string;
  readonly metricsNamespace: string;
  readonly logRetention: RetentionDays;
  /** Log groups and the on-failure queue. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/** Consumer group of the MSK event source: named, so its ARN can be scoped in IAM and its lag looked up. */
export const KAFKA_BRIDGE_CONSUMER_GROUP = 'mq-cloud-integration-kafka-bridge';

/**
 * The Kafka room's functions: the producer (in the VPC, IAM-authenticated, `acks=all`, idempotent) and the Kafka
 * bridge under an MSK event source mapping in provisioned mode (needed for retries, bisect and partial batch
 * responses) with an SQS on-failure destination, so one bad batch never blocks a partition. Every `kafka-cluster:*`
 * permission is scoped to the cluster, the topic and the consumer group.
 */
export class KafkaFunctions extends Construct {
  readonly producer: NodejsFunction;
  readonly bridge: NodejsFunction;
  readonly producerSecurityGroup: SecurityGroup;
  readonly mapping: EventSourceMapping;
  /** Where the event source records batches it gave up on (metadata: topic, partition, offsets). */
  readonly onFailureQueue: Queue;

  constructor(scope: Construct, id: string, props: KafkaFunctionsProps) {
    super(scope, id);
    const { kafka, cluster } = props;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const make = (
      fnId: string,
      entry: string,
      description: string,
      sizing: KafkaConfig['bridge'],
      env: Record<string, string>,
      vpc?: SecurityGroup,
    ): ProjectFunction =>
      projectFunction(this, fnId, {
        entry,
        description,
        runtime: props.runtime,
        architecture: props.architecture,
        tracing: props.tracing,
        logRetention: props.logRetention,
        logRemovalPolicy: removalPolicy,
        memorySize: sizing.memoryMb,
        timeout: Duration.seconds(sizing.timeoutSeconds),
        environment: {
          POWERTOOLS_SERVICE_NAME: fnId.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase(),
          POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
          POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
          ...env,
        },
        ...(vpc ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroup: vpc } : {}),
      });

    this.producerSecurityGroup = new SecurityGroup(this, 'ProducerSecurityGroup', {
      vpc: props.vpc,
      description: 'Kafka producer function',
      allowAllOutbound: false,
    });
    const p = make(
      'KafkaProducer',
      'lambda/kafka-producer/index.ts',
      'Produces messages to the MSK topic with acks=all and an idempotent producer (IAM auth)',
      kafka.producer,
      {
        KAFKA_BOOTSTRAP_BROKERS: cluster.bootstrapBrokersSaslIam,
        KAFKA_TOPIC: cluster.topicName,
        SEND_TIMEOUT_MS: String(kafka.producer.sendTimeoutMs),
        // SQS's limit bounds the flow (the topic's default max.message.bytes, 1,048,588, is above it): a larger
        // body is refused before anything is produced, as the RabbitMQ producer does.
        ...sizeLimitEnvironment(messageSizeLimit()),
      },
      this.producerSecurityGroup,
    );
    cluster.allowClientsFrom(this.producerSecurityGroup, 'Kafka producer function');
    p.role.addToPolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'],
        resources: [cluster.clusterArn],
      }),
    );
    p.role.addToPolicy(
      new PolicyStatement({
        // WriteDataIdempotently: the idempotent producer's InitProducerId.
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData', 'kafka-cluster:WriteDataIdempotently'],
        resources: [cluster.topicArn(cluster.topicName)],
      }),
    );
    p.role.addToPolicy(
      new PolicyStatement({ actions: ['kafka-cluster:WriteDataIdempotently'], resources: [cluster.clusterArn] }),
    );
    this.producer = p.fn;
    acknowledge(p.fn, {
      'Serverless-LambdaDLQ': `${SYNCHRONOUS} (RequestResponse by the caller or the verify command); a message that is not acknowledged is reported to the caller.`,
    });
    acknowledge(p.role, { 'AwsSolutions-IAM5[Resource::*]': `${ENI_REASON} ${XRAY_REASON}` });

    const b = make(
      'KafkaBridge',
      'lambda/kafka-bridge/index.ts',
      'Forwards MSK batches to SQS; reports records SQS refused as partial batch failures',
      kafka.bridge,
      {
        TARGET_QUEUE_URL: props.targetQueue.queueUrl,
        SEND_PARALLELISM: String(props.sendParallelism ?? 4),
        ...(props.messageGroupIdField ? { MESSAGE_GROUP_ID_FIELD: props.messageGroupIdField } : {}),
      },
    );
    props.targetQueue.grantSendMessages(b.role);
    this.bridge = b.fn;
    acknowledgeControl(
      b.fn,
      CONTROLS.lambdaInVpc,
      'The Kafka bridge talks only to SQS (an AWS API), never to the cluster: the MSK event source reads the topic from its own network interfaces in the cluster subnets and hands the records to the function. Inside the VPC it would gain no isolation and need the SQS endpoint and ENIs of its own.',
    );

    this.onFailureQueue = new Queue(this, 'OnFailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    const lastStop =
      'This queue is itself the last stop: the MSK event source writes batches it gave up on here (an on-failure destination, not a work queue).';
    acknowledge(this.onFailureQueue, { 'AwsSolutions-SQS3': lastStop, 'Serverless-SQSRedrivePolicy': lastStop });
    acknowledgeControl(this.onFailureQueue, CONTROLS.sqsDeadLetterQueue, lastStop);
    this.mapping = this.addMskSource(b, props);
  }

  private addMskSource(b: ProjectFunction, props: KafkaFunctionsProps): EventSourceMapping {
    const { cluster } = props;
    const es = props.kafka.eventSource;
    // What the MSK event source needs with IAM auth (Lambda guide, "Amazon MSK event source permissions").
    b.role.addToPolicy(
      new PolicyStatement({
        actions: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'],
        resources: [cluster.clusterArn],
      }),
    );
    b.role.addToPolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
        resources: [cluster.clusterArn],
      }),
    );
    b.role.addToPolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: [cluster.topicArn(cluster.topicName)],
      }),
    );
    b.role.addToPolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: [cluster.groupArn(KAFKA_BRIDGE_CONSUMER_GROUP)],
      }),
    );
    b.role.addToPolicy(
      new PolicyStatement({
        // The pollers' network interfaces live in the cluster's subnets with its security group.
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeVpcs',
          'ec2:DescribeSubnets',
          'ec2:DescribeSecurityGroups',
        ],
        resources: ['*'],
      }),
    );
    const mapping = new EventSourceMapping(this, 'MskEventSource', {
      target: b.fn,
      eventSourceArn: cluster.clusterArn,
      kafkaTopic: cluster.topicName,
      kafkaConsumerGroupId: KAFKA_BRIDGE_CONSUMER_GROUP,
      startingPosition: es.startingPosition === 'LATEST' ? StartingPosition.LATEST : StartingPosition.TRIM_HORIZON,
      batchSize: es.batchSize,
      maxBatchingWindow: Duration.seconds(es.maxBatchingWindowSeconds),
      retryAttempts: es.maximumRetryAttempts,
      bisectBatchOnError: es.bisectBatchOnFunctionError,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.onFailureQueue),
      // Retries, bisect and partial batch responses of Kafka mappings exist only in provisioned mode.
      provisionedPollerConfig: { minimumPollers: es.minimumPollers, maximumPollers: es.maximumPollers },
    });
    this.onFailureQueue.grantSendMessages(b.role);
    // Lambda checks the role when it creates the mapping; and the topic must exist before the pollers subscribe.
    mapping.node.addDependency(b.role, cluster.topic);
    acknowledge(b.fn, {
      'Serverless-LambdaDLQ': `${SYNCHRONOUS} by its MSK event source, whose on-failure destination receives the batches it gives up on.`,
    });
    acknowledge(b.role, {
      'AwsSolutions-IAM5[Resource::*]': `The MSK event source's pollers create and describe their network interfaces in the cluster's VPC (ec2:CreateNetworkInterface, Describe*), which support no resource-level scope. ${XRAY_REASON}`,
    });
    return mapping;
  }
}
