import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { type IConnectable, type IVpc, Peer, Port, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  type ExistingVpcConfig,
  resolvedIdempotencyExpirySeconds,
  resolvedVisibilityTimeoutSeconds,
  type StageConfig,
  stackNameFor,
} from '../config/stage-config';
import { ConsumerOutcomes } from '../constructs/consumer-outcomes';
import { applyStageGovernance } from '../governance/stage-governance';
import { IntegrationFunctions } from '../constructs/integration-functions';
import type { KafkaSource } from '../constructs/kafka/kafka-source';
import { Monitoring } from '../constructs/monitoring';
import { Network } from '../constructs/network';
import { QueueWithDeadLetterQueue } from '../constructs/queue-with-dead-letter-queue';
import { RabbitMqBroker } from '../constructs/rabbitmq-broker';
import { RabbitMqTopology } from '../constructs/rabbitmq-topology';
import { addKafkaSource } from './kafka-wiring';

export interface IntegrationStackProps extends StackProps {
  /** The validated stage config (`loadStageConfig`). */
  readonly config: StageConfig;
}

/** Stack output keys; the verify command and operators read the deployed stack through them. */
export const OUTPUTS = {
  brokerAmqpsEndpoint: 'BrokerAmqpsEndpoint',
  brokerManagementUrl: 'BrokerManagementUrl',
  brokerAdminSecretArn: 'BrokerAdminSecretArn',
  brokerName: 'BrokerName',
  brokerId: 'BrokerId',
  maxBodyBytes: 'MaxBodyBytes',
  brokerMaxMessageSizeBytes: 'BrokerMaxMessageSizeBytes',
  producerFunctionName: 'ProducerFunctionName',
  queueUrl: 'QueueUrl',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  receiptsQueueUrl: 'ReceiptsQueueUrl',
  rabbitMqVhost: 'RabbitMqVhost',
  rabbitMqSourceQueues: 'RabbitMqSourceQueues',
  rabbitMqDeadLetterQueue: 'RabbitMqDeadLetterQueue',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
} as const;

/**
 * One stage of the integration: network, broker, topology, SQS queues, the three functions and their event sources.
 * Thin by design: every decision lives in a construct or in the stage config. Environment-agnostic (no account or
 * region), so synth needs no credentials and no lookups.
 */
export class IntegrationStack extends Stack {
  readonly config: StageConfig;
  readonly network: Network;
  readonly broker: RabbitMqBroker;
  readonly topology: RabbitMqTopology;
  readonly queues: QueueWithDeadLetterQueue;
  readonly outcomes: ConsumerOutcomes;
  readonly functions: IntegrationFunctions;
  readonly monitoring: Monitoring;
  /** The Kafka source, when `kafka.enabled`. */
  readonly kafka?: KafkaSource;

  /** `id` is the stack name; `bin/app.ts` passes `stackNameFor(config.stage)` (`MqCloudIntegration-<stage>`). */
  constructor(scope: Construct, id: string, props: IntegrationStackProps) {
    const { config } = props;
    super(scope, id, {
      description: `mq-cloud-integration (${config.stage}): Amazon MQ for RabbitMQ -> Lambda bridge -> SQS -> Lambda consumer`,
      terminationProtection: config.terminationProtection,
      ...props,
    });
    this.config = config;
    // RetainExceptOnCreate: kept on update and delete, but removed when the first create rolls back, so a failed
    // first deploy leaves nothing behind that would block the retry.
    const retain = config.retainData ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const logRetention = config.logRetentionDays as RetentionDays;
    const { network: net, broker: b, topology: t, functions: f, eventSources: es } = config;
    // Encrypted log groups, a log group with the stage's retention for every function, Control Tower acknowledgments.
    applyStageGovernance(this, {
      logRetentionDays: config.logRetentionDays,
      logRemovalPolicy: retain,
      retainData: config.retainData,
      brokerDeploymentMode: b.deploymentMode,
    });

    this.network = new Network(this, 'Network', {
      vpc: net.existingVpc ? this.importVpc(net.existingVpc) : undefined,
      cidr: net.cidr,
      maxAzs: net.maxAzs,
      natGateways: net.natGateways,
      interfaceEndpoints: net.interfaceEndpoints,
      flowLogs: net.flowLogs,
      logRetention,
      logRemovalPolicy: retain,
    });
    const { vpc, privateSubnets } = this.network;

    this.broker = new RabbitMqBroker(this, 'Broker', {
      vpc,
      vpcSubnets: privateSubnets,
      brokerName: b.brokerName,
      engineVersion: b.engineVersion,
      instanceType: b.instanceType,
      deploymentMode: b.deploymentMode,
      adminUsername: b.adminUsername,
      maintenanceWindow: b.maintenanceWindow,
      limits: b.limits,
      logRetention,
      removalPolicy: retain,
    });

    this.topology = new RabbitMqTopology(this, 'Topology', {
      topology: t,
      vpc,
      vpcSubnets: privateSubnets,
      brokerSecurityGroup: this.broker.securityGroup,
      adminSecret: this.broker.adminSecret,
      managementEndpoint: this.broker.managementEndpoint,
      retainOnDelete: config.retainData,
      logRetention,
    });

    this.queues = new QueueWithDeadLetterQueue(this, 'Queues', {
      consumerTimeout: Duration.seconds(f.consumer.timeoutSeconds),
      consumerBatchingWindow: Duration.seconds(es.sqs.maxBatchingWindowSeconds),
      fifo: config.queues.fifo,
      maxReceiveCount: config.queues.maxReceiveCount,
      visibilityTimeout: Duration.seconds(resolvedVisibilityTimeoutSeconds(config)),
      retentionPeriod: Duration.seconds(config.queues.retentionSeconds),
      deadLetterRetentionPeriod: Duration.seconds(config.queues.deadLetterRetentionSeconds),
      removalPolicy: retain,
      deadLetterRemovalPolicy: retain,
    });

    this.outcomes = new ConsumerOutcomes(this, 'Outcomes', {
      receipts: config.verification.receipts,
      removalPolicy: retain,
      // Derived from the queues' retentions (or set explicitly): a DLQ redrive must still find the record.
      idempotencyExpiry: Duration.seconds(resolvedIdempotencyExpirySeconds(config)),
    });

    this.functions = new IntegrationFunctions(this, 'Functions', {
      vpc,
      vpcSubnets: privateSubnets,
      broker: this.broker,
      runtime: f.runtime,
      architecture: f.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64,
      tracing: f.tracing,
      logLevel: f.logLevel,
      metricsNamespace: stackNameFor(config.stage),
      logRetention,
      logRemovalPolicy: retain,
      producer: {
        memorySize: f.producer.memoryMb,
        timeout: Duration.seconds(f.producer.timeoutSeconds),
        confirmTimeout: Duration.millis(f.producer.confirmTimeoutMs),
        reservedConcurrency: f.producer.reservedConcurrency,
        credentials: this.topology.userSecret(t.producerUser),
        vhost: t.vhost,
        exchange: t.producerExchange,
        orderingKeyField: config.queues.fifo ? config.queues.messageGroupIdField : undefined,
      },
      bridge: {
        memorySize: f.bridge.memoryMb,
        timeout: Duration.seconds(f.bridge.timeoutSeconds),
        sendParallelism: f.bridge.sendParallelism,
        targetQueue: this.queues.queue,
        messageGroupIdField: config.queues.messageGroupIdField,
        eventSourceCredentials: this.topology.userSecret(t.eventSourceUser),
        vhost: t.vhost,
        queueNames: t.sourceQueues,
        batchSize: es.rabbitMq.batchSize,
        maxBatchingWindow:
          es.rabbitMq.maxBatchingWindowSeconds === undefined
            ? undefined
            : Duration.seconds(es.rabbitMq.maxBatchingWindowSeconds),
      },
      consumer: {
        memorySize: f.consumer.memoryMb,
        timeout: Duration.seconds(f.consumer.timeoutSeconds),
        sourceQueue: this.queues.queue,
        outcomes: this.outcomes,
        batchSize: es.sqs.batchSize,
        maxBatchingWindow: Duration.seconds(es.sqs.maxBatchingWindowSeconds),
        maxConcurrency: es.sqs.maxConcurrency,
      },
    });
    // The event sources may poll only once their queues, user and permissions exist.
    for (const mapping of this.functions.rabbitMqMappings) mapping.node.addDependency(this.topology.resource);
    // The producer publishes to the topology's exchange: a renamed exchange must exist before the new code runs.
    this.functions.producer.node.addDependency(this.topology.resource);

    // AWS APIs (SQS, Secrets Manager, Lambda, STS) over 443: through the endpoints, or through NAT when there are none.
    const awsApiClients: IConnectable[] = [
      this.functions.producerSecurityGroup,
      this.functions.bridgeSecurityGroup,
      this.functions.rabbitMqShards.cleanupSecurityGroup,
      this.broker,
    ];
    for (const client of awsApiClients) {
      if (this.network.endpointSecurityGroup) this.network.allowEndpointAccessFrom(client);
      else client.connections.allowTo(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs through the NAT gateway');
    }
    if (this.network.endpointSecurityGroup) this.network.allowEndpointAccessFrom(this.topology);

    this.monitoring = new Monitoring(this, 'Monitoring', {
      config: config.monitoring,
      broker: this.broker,
      rabbitMqQueues: { vhost: t.vhost, sourceQueues: t.sourceQueues, deadLetterQueue: t.deadLetterQueue },
      sourceQueue: this.queues.queue,
      deadLetterQueue: this.queues.deadLetterQueue,
      functions: {
        producer: this.functions.producer,
        bridge: this.functions.bridge,
        consumer: this.functions.consumer,
      },
    });

    this.kafka = config.kafka.enabled ? addKafkaSource(this) : undefined;
    this.addOutputs();
  }

  /** An existing VPC from its attributes: no lookup, so synth stays offline. */
  private importVpc(existing: ExistingVpcConfig): IVpc {
    const vpc = Vpc.fromVpcAttributes(this, 'ExistingVpc', {
      vpcId: existing.vpcId,
      vpcCidrBlock: existing.vpcCidrBlock,
      availabilityZones: [...existing.availabilityZones],
      privateSubnetIds: [...existing.privateSubnetIds],
    });
    Validations.of(vpc).acknowledge({
      id: 'Annotation::@aws-cdk/aws-ec2:noSubnetRouteTableId',
      reason:
        'The stack adds no routes or gateway endpoints to an existing VPC, so it never needs the route table ids of its subnets.',
    });
    return vpc;
  }

  private addOutputs(): void {
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    const { broker, queues, config } = this;
    out(OUTPUTS.brokerAmqpsEndpoint, broker.amqpsEndpoint, 'amqps://HOST:5671 of the broker');
    out(
      OUTPUTS.brokerManagementUrl,
      broker.managementEndpoint,
      'RabbitMQ management console (reachable from inside the VPC)',
    );
    out(OUTPUTS.brokerAdminSecretArn, broker.adminSecret.secretArn, 'Secrets Manager secret of the broker admin user');
    out(OUTPUTS.brokerName, broker.brokerName, 'Broker name (the Broker dimension of its CloudWatch metrics)');
    out(OUTPUTS.brokerId, broker.brokerId, 'Broker id (b-...)');
    const size = broker.messageSizeLimit;
    out(OUTPUTS.maxBodyBytes, String(size.maxBodyBytes), 'Largest message body the flow takes, in bytes');
    out(
      OUTPUTS.brokerMaxMessageSizeBytes,
      String(broker.resourceLimits.maxMessageSizeBytes),
      "The broker's max_message_size, in bytes",
    );
    out(
      OUTPUTS.producerFunctionName,
      this.functions.producer.functionName,
      'Sample producer function (invoke it to publish)',
    );
    out(OUTPUTS.queueUrl, queues.queue.queueUrl, 'SQS queue the bridge forwards to and the consumer reads');
    out(OUTPUTS.deadLetterQueueUrl, queues.deadLetterQueue.queueUrl, 'SQS dead-letter queue of the source queue');
    if (this.outcomes.receiptsQueue) {
      out(
        OUTPUTS.receiptsQueueUrl,
        this.outcomes.receiptsQueue.queueUrl,
        'Receipts of processed messages (verification)',
      );
    }
    out(OUTPUTS.rabbitMqVhost, config.topology.vhost, 'RabbitMQ virtual host of the flow');
    out(
      OUTPUTS.rabbitMqSourceQueues,
      config.topology.sourceQueues.join(','),
      'RabbitMQ shard queues the event sources read, comma-separated in shard order',
    );
    out(
      OUTPUTS.rabbitMqDeadLetterQueue,
      config.topology.deadLetterQueue,
      'RabbitMQ dead-letter queue (past the delivery limit)',
    );
    out(OUTPUTS.alarmTopicArn, this.monitoring.alarmTopic.topicArn, 'SNS topic every alarm notifies (ALARM and OK)');
    out(OUTPUTS.dashboardName, this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard of this stage');
  }

  /**
   * Availability zones of a new VPC. An environment-agnostic stack gets only two from CDK; a three-node broker needs
   * three, so they are picked from `Fn::GetAZs` of the deployment region (every region Amazon MQ clusters run in has
   * three or more).
   */
  override get availabilityZones(): string[] {
    const count = this.config?.network.maxAzs ?? 2;
    return Array.from({ length: count }, (_, i) => Fn.select(i, Fn.getAzs()));
  }
}
