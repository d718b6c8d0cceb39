import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { type IVpc, SecurityGroup, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Architecture, type CfnFunction, EventSourceMapping } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { sizeLimitEnvironment } from '../../lambda/shared/message-size';
import { throwIfIssues } from '../config/config-issue';
import { checkRabbitMqEventSource, checkSqsEventSource } from '../config/serverless-rules';
import type { ConsumerOutcomes } from './consumer-outcomes';
import { projectFunction, type ProjectFunction } from './project-function';
import { acknowledgeControl, CONTROLS } from '../governance/control-tower';
import { acknowledge } from '../nag';
import type { RabbitMqBroker } from './rabbitmq-broker';
import { RabbitMqShardMappings } from './rabbitmq-shard-mappings';

/** Memory and timeout of one function. */
export interface FunctionSizingProps {
  readonly memorySize: number;
  readonly timeout: Duration;
}

export interface ProducerProps extends FunctionSizingProps {
  /** Secret `{ username, password }` of the RabbitMQ user the producer publishes as. */
  readonly credentials: ISecret;
  readonly vhost: string;
  readonly exchange: string;
  /** FIFO: body field whose value is the message group, the routing key (ordering key). @default - the message id */
  readonly orderingKeyField?: string;
  /** How long to wait for a publisher confirm. @default Duration.seconds(10) */
  readonly confirmTimeout?: Duration;
  /** Reserved concurrency: bounds the broker connections it opens (one per instance). @default - unreserved */
  readonly reservedConcurrency?: number;
}

export interface BridgeProps extends FunctionSizingProps {
  /** The SQS queue the bridge forwards to. */
  readonly targetQueue: IQueue;
  /** Concurrent `SendMessageBatch` calls. @default 4 */
  readonly sendParallelism?: number;
  /** FIFO only: message field whose value is the group id. @default - none (standard queue) */
  readonly messageGroupIdField?: string;
  /** Secret `{ username, password }` the RabbitMQ event source consumes with (`BASIC_AUTH`). */
  readonly eventSourceCredentials: ISecret;
  /** Virtual host of the source queue. */
  readonly vhost: string;
  /** The shard queues, one RabbitMQ event source mapping each (all invoking the bridge). */
  readonly queueNames: readonly string[];
  /** Messages per invocation, 1–10,000. @default 100 */
  readonly batchSize?: number;
  /** Time to gather a batch, whole seconds up to 300. @default - Lambda's default for MQ sources (0.5 s) */
  readonly maxBatchingWindow?: Duration;
}

export interface ConsumerProps extends FunctionSizingProps {
  /** The SQS queue the consumer reads (with partial batch failures). */
  readonly sourceQueue: IQueue;
  /** Idempotency table and (optional) receipts queue. */
  readonly outcomes: ConsumerOutcomes;
  /** Records per invocation. @default 10 */
  readonly batchSize?: number;
  /** @default Duration.seconds(0) */
  readonly maxBatchingWindow?: Duration;
  /** Concurrent invocations the mapping may start, 2–1,000. @default 5 */
  readonly maxConcurrency?: number;
}

export interface IntegrationFunctionsProps {
  readonly vpc: IVpc;
  /** Private subnets for the VPC-bound functions (producer, bridge). */
  readonly vpcSubnets: SubnetSelection;
  readonly broker: RabbitMqBroker;
  /** Lambda runtime name. */
  readonly runtime: string;
  /** @default Architecture.ARM_64 */
  readonly architecture?: Architecture;
  /** X-Ray active tracing. @default true */
  readonly tracing?: boolean;
  /** `POWERTOOLS_LOG_LEVEL`. @default 'INFO' */
  readonly logLevel?: string;
  /** `POWERTOOLS_METRICS_NAMESPACE`. */
  readonly metricsNamespace: string;
  readonly logRetention: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  readonly producer: ProducerProps;
  readonly bridge: BridgeProps;
  readonly consumer: ConsumerProps;
}

/**
 * The three functions and their triggers: the producer (in the VPC, AMQPS to the broker), the bridge (RabbitMQ event
 * source → SQS, in the VPC so forwarded messages stay on private endpoints) and the consumer (SQS event source with
 * partial batch failures; not in the VPC: it talks only to AWS APIs). Each has its own role, log group and grants.
 */
export class IntegrationFunctions extends Construct {
  readonly producer: NodejsFunction;
  readonly bridge: NodejsFunction;
  readonly consumer: NodejsFunction;
  /** Security groups of the VPC-bound functions (open egress only where the stack allows it). */
  readonly producerSecurityGroup: SecurityGroup;
  readonly bridgeSecurityGroup: SecurityGroup;
  /** The RabbitMQ → bridge mappings, one per shard queue (make them depend on whatever must exist before they poll). */
  readonly rabbitMqMappings: readonly EventSourceMapping[];
  /** The mappings and their shared cleanup (one function and Provider for every shard). */
  readonly rabbitMqShards: RabbitMqShardMappings;
  /** The SQS → consumer mapping. */
  readonly sqsMapping: EventSourceMapping;

  constructor(scope: Construct, id: string, props: IntegrationFunctionsProps) {
    super(scope, id);
    const { producer, bridge, consumer } = props;
    throwIfIssues(`Invalid IntegrationFunctions '${id}'`, [
      ...checkRabbitMqEventSource('props.bridge', {
        batchSize: bridge.batchSize ?? 100,
        maxBatchingWindowSeconds: bridge.maxBatchingWindow?.toSeconds(),
      }),
      ...checkSqsEventSource(
        'props.consumer',
        {
          batchSize: consumer.batchSize ?? 10,
          maxBatchingWindowSeconds: consumer.maxBatchingWindow?.toSeconds() ?? 0,
          maxConcurrency: consumer.maxConcurrency ?? 5,
        },
        consumer.sourceQueue.fifo,
      ),
    ]);
    const make = (
      fnId: string,
      description: string,
      sizing: FunctionSizingProps,
      environment: Record<string, string>,
      securityGroup?: SecurityGroup,
    ): ProjectFunction =>
      projectFunction(this, fnId, {
        entry: `lambda/${fnId.toLowerCase()}/index.ts`,
        description,
        runtime: props.runtime,
        architecture: props.architecture,
        tracing: props.tracing,
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
        memorySize: sizing.memorySize,
        timeout: sizing.timeout,
        environment: {
          POWERTOOLS_SERVICE_NAME: fnId.toLowerCase(),
          POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
          POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
          ...environment,
        },
        ...(securityGroup ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroup } : {}),
      });
    const securityGroup = (sgId: string, what: string) =>
      new SecurityGroup(this, sgId, { vpc: props.vpc, description: `${what} function`, allowAllOutbound: false });

    // Producer: publishes over AMQPS; reads its credentials once per container.
    this.producerSecurityGroup = securityGroup('ProducerSecurityGroup', 'Producer');
    const p = make(
      'Producer',
      'Publishes messages to the RabbitMQ exchange with publisher confirms',
      producer,
      {
        BROKER_AMQPS_ENDPOINT: props.broker.amqpsEndpoint,
        BROKER_SECRET_ARN: producer.credentials.secretArn,
        VHOST: producer.vhost,
        EXCHANGE: producer.exchange,
        ...(producer.orderingKeyField ? { ORDERING_KEY_FIELD: producer.orderingKeyField } : {}),
        CONFIRM_TIMEOUT_MS: String((producer.confirmTimeout ?? Duration.seconds(10)).toMilliseconds()),
        ...sizeLimitEnvironment(props.broker.messageSizeLimit),
      },
      this.producerSecurityGroup,
    );
    if (producer.reservedConcurrency !== undefined) {
      (p.fn.node.defaultChild as CfnFunction).reservedConcurrentExecutions = producer.reservedConcurrency;
    }
    producer.credentials.grantRead(p.role);
    props.broker.allowAmqpsFrom(this.producerSecurityGroup, 'Producer function');
    this.producer = p.fn;
    acknowledge(p.fn, {
      'Serverless-LambdaDLQ': `${SYNCHRONOUS} (RequestResponse by the caller or the verify command); a publish that is not confirmed is reported to the caller.`,
    });
    acknowledge(p.role, { 'AwsSolutions-IAM5[Resource::*]': `${ENI_REASON} ${XRAY_REASON}` });

    // Bridge: RabbitMQ batch in, SendMessageBatch out.
    this.bridgeSecurityGroup = securityGroup('BridgeSecurityGroup', 'Bridge');
    const b = make(
      'Bridge',
      'Forwards RabbitMQ batches to SQS; throws so RabbitMQ redelivers what SQS refused',
      bridge,
      {
        TARGET_QUEUE_URL: bridge.targetQueue.queueUrl,
        SEND_PARALLELISM: String(bridge.sendParallelism ?? 4),
        ...sizeLimitEnvironment(props.broker.messageSizeLimit),
        ...(bridge.messageGroupIdField ? { MESSAGE_GROUP_ID_FIELD: bridge.messageGroupIdField } : {}),
      },
      this.bridgeSecurityGroup,
    );
    bridge.targetQueue.grantSendMessages(b.role);
    this.bridge = b.fn;
    this.rabbitMqShards = this.addRabbitMqSources(b, props);
    this.rabbitMqMappings = this.rabbitMqShards.mappings;
    acknowledge(b.fn, {
      'Serverless-LambdaDLQ': `${SYNCHRONOUS} by its RabbitMQ event source; a failed batch is redelivered by RabbitMQ and dead-lettered after x-delivery-limit.`,
    });
    acknowledge(b.role, {
      'AwsSolutions-IAM5[Resource::*]': `${ENI_REASON} The RabbitMQ event source also needs ec2:DescribeSecurityGroups and ec2:DescribeVpcs, which have no resource-level scope. ${XRAY_REASON}`,
    });

    // Consumer: validates and processes each record, reports failures per record.
    const outcomes = consumer.outcomes;
    const c = make('Consumer', 'Processes SQS records idempotently and reports partial batch failures', consumer, {
      IDEMPOTENCY_TABLE_NAME: outcomes.idempotencyTable.tableName,
      // The expiry the consumer writes into each record's TTL attribute comes from the construct that owns the table.
      IDEMPOTENCY_EXPIRY_SECONDS: String(outcomes.idempotencyExpiry.toSeconds()),
      // Invalid records are made visible again at once (fail-fast) so they reach the DLQ without waiting a visibility
      // timeout per receive; sqs:ChangeMessageVisibility comes with the event source's grantConsumeMessages below.
      SOURCE_QUEUE_URL: consumer.sourceQueue.queueUrl,
      ...(outcomes.receiptsQueue ? { RECEIPTS_QUEUE_URL: outcomes.receiptsQueue.queueUrl } : {}),
    });
    outcomes.grantIdempotency(c.role);
    outcomes.receiptsQueue?.grantSendMessages(c.role);
    c.fn.addEventSource(
      new SqsEventSource(consumer.sourceQueue, {
        batchSize: consumer.batchSize ?? 10,
        maxBatchingWindow: consumer.maxBatchingWindow?.toSeconds() ? consumer.maxBatchingWindow : undefined,
        reportBatchItemFailures: true,
        maxConcurrency: consumer.maxConcurrency ?? 5,
      }),
    );
    this.consumer = c.fn;
    this.sqsMapping = mappingOf(c.fn);
    acknowledge(c.fn, {
      'Serverless-LambdaDLQ': `${SYNCHRONOUS} by its SQS event source; failed records return to the queue and reach the SQS DLQ after maxReceiveCount.`,
    });
    acknowledge(c.role, { 'AwsSolutions-IAM5[Resource::*]': XRAY_REASON });
    acknowledgeControl(
      c.fn,
      CONTROLS.lambdaInVpc,
      'The consumer talks only to AWS APIs (its SQS queue, the DynamoDB idempotency table, the receipts queue), never to the broker: nothing it reaches is private to the VPC. Inside it, it would need a DynamoDB endpoint (a gateway endpoint needs route tables an imported VPC does not provide; an interface endpoint is billed per AZ-hour) for no isolation gained.',
    );
    acknowledge(this.sqsMapping, {
      'Serverless-LambdaEventSourceMappingDestination':
        "SQS mappings take no on-failure destination; the queue's redrive policy moves a record that keeps failing to the SQS DLQ.",
    });
  }

  /** One RabbitMQ event source per shard queue, with permissions written out here instead of a library's defaults. */
  private addRabbitMqSources(b: ProjectFunction, props: IntegrationFunctionsProps): RabbitMqShardMappings {
    const { bridge, broker } = props;
    bridge.eventSourceCredentials.grantRead(b.role);
    b.role.addToPolicy(new PolicyStatement({ actions: ['mq:DescribeBroker'], resources: [broker.brokerArn] }));
    b.role.addToPolicy(
      new PolicyStatement({
        // The event source places its pollers' network interfaces in the broker's subnets and security group (the
        // bridge's VPC statement covers the interface actions); these Describe actions have no resource-level scope.
        actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs'],
        resources: ['*'],
      }),
    );
    return new RabbitMqShardMappings(this, 'RabbitMqShards', {
      target: b.fn,
      targetRole: b.role,
      brokerArn: broker.brokerArn,
      credentials: bridge.eventSourceCredentials,
      vhost: bridge.vhost,
      queueNames: bridge.queueNames,
      batchSize: bridge.batchSize,
      maxBatchingWindow: bridge.maxBatchingWindow,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      runtime: props.runtime,
      architecture: props.architecture,
      logRetention: props.logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
  }
}

export const SYNCHRONOUS =
  'Invoked synchronously, never asynchronously, so an async dead-letter queue would never receive anything:';
export const ENI_REASON =
  'EC2 network-interface actions Lambda needs to run the function in a VPC (the AWSLambdaVPCAccessExecutionRole set), which support no resource-level scope.';
export const XRAY_REASON =
  'X-Ray PutTraceSegments and PutTelemetryRecords (active tracing) support no resource-level scope.';

/** The one event source mapping of `fn`. */
function mappingOf(fn: NodejsFunction): EventSourceMapping {
  const mappings = fn.node.children.filter((c): c is EventSourceMapping => c instanceof EventSourceMapping);
  if (mappings.length !== 1)
    throw new Error(`${fn.node.path}: expected one event source mapping, found ${mappings.length}`);
  return mappings[0];
}
