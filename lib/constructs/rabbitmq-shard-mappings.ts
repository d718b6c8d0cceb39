import { acknowledgeControl, CONTROLS } from '../governance/control-tower';
import { ArnFormat, Aws, CustomResource, Duration, RemovalPolicy, Stack, type CfnElement } from 'aws-cdk-lib';
import { type IVpc, Peer, Port, SecurityGroup, type SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  type Architecture,
  CfnEventSourceMapping,
  CfnFunction,
  type EventSourceMapping,
  type IFunction,
  SourceAccessConfigurationType,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { throwIfIssues } from '../config/config-issue';
import { checkShards } from '../config/shards';
import { acknowledge } from '../nag';
import { projectFunction } from './project-function';

/** CloudFormation type of each mapping's cleanup resource. */
export const MAPPING_CLEANUP_RESOURCE_TYPE = 'Custom::EventSourceMappingCleanup';

export interface RabbitMqShardMappingsProps {
  /** The function every shard's mapping invokes (the bridge). */
  readonly target: IFunction;
  /** Its execution role: it must outlive every mapping's network interfaces (Lambda removes them with it). */
  readonly targetRole: Role;
  /** ARN of the Amazon MQ for RabbitMQ broker. */
  readonly brokerArn: string;
  /** `{ username, password }` secret the mappings consume with (`BASIC_AUTH`). */
  readonly credentials: ISecret;
  /** Virtual host of the queues. */
  readonly vhost: string;
  /** The shard queues, in shard order; one mapping each. */
  readonly queueNames: readonly string[];
  /** Messages per invocation, 1–10,000. @default 100 */
  readonly batchSize?: number;
  /** @default - Lambda's default for MQ sources (0.5 s) */
  readonly maxBatchingWindow?: Duration;
  /** VPC of the cleanup function (private subnets, like every function of the stack). */
  readonly vpc: IVpc;
  /** @default - the VPC's private subnets */
  readonly vpcSubnets?: SubnetSelection;
  /** Lambda runtime name of the cleanup function. */
  readonly runtime: string;
  /** @default - arm64 */
  readonly architecture?: Architecture;
  /** Retention of the cleanup function's and the Provider framework's log groups. */
  readonly logRetention: RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * One RabbitMQ event source mapping per shard queue, all on the same function, and one shared cleanup: a
 * `Custom::EventSourceMappingCleanup` resource per mapping served by a single function and a single CDK Provider
 * (its waiter state machine included), so the template grows by a mapping and a custom resource per shard, never by a
 * function or a state machine. Replaces `@cdklabs/cdk-amazonmq`'s RabbitMqEventSource, which adds two functions, a
 * Provider with three more and a state machine for every mapping.
 */
export class RabbitMqShardMappings extends Construct {
  /** The mappings, in shard order. */
  readonly mappings: readonly EventSourceMapping[];
  /** The one function that deletes mappings and waits for their network interfaces. */
  readonly cleanupFunction: IFunction;
  /** Security group of the cleanup function (HTTPS egress to the Lambda and EC2 APIs). */
  readonly cleanupSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: RabbitMqShardMappingsProps) {
    super(scope, id);
    throwIfIssues(
      `Invalid RabbitMqShardMappings '${id}'`,
      checkShards('props.queueNames.length', props.queueNames.length),
    );
    const removalPolicy = props.logRemovalPolicy ?? RemovalPolicy.DESTROY;

    this.mappings = props.queueNames.map((queue, index) => {
      const mapping = props.target.addEventSourceMapping(`RabbitMqShard${index}`, {
        eventSourceArn: props.brokerArn,
        batchSize: props.batchSize ?? 100,
        maxBatchingWindow: props.maxBatchingWindow,
        sourceAccessConfigurations: [
          // The order @cdklabs/cdk-amazonmq wrote them in, so a deployed mapping's properties read the same.
          { type: SourceAccessConfigurationType.of('VIRTUAL_HOST'), uri: props.vhost },
          { type: SourceAccessConfigurationType.BASIC_AUTH, uri: props.credentials.secretArn },
        ],
      });
      // One queue per RabbitMQ mapping (Lambda refuses more); the L2 construct has no property for it.
      (mapping.node.defaultChild as CfnEventSourceMapping).addPropertyOverride('Queues', [queue]);
      // Lambda checks the role when it creates the mapping: the grants must exist first.
      mapping.node.addDependency(props.targetRole);
      acknowledge(mapping.node.defaultChild as Construct, {
        'Serverless-LambdaEventSourceMappingDestination':
          'Lambda offers no on-failure destination for Amazon MQ sources; a message that keeps failing reaches the RabbitMQ dead-letter queue after x-delivery-limit deliveries.',
      });
      return mapping;
    });

    this.cleanupSecurityGroup = new SecurityGroup(this, 'CleanupSecurityGroup', {
      vpc: props.vpc,
      description: 'Event source mapping cleanup: HTTPS out to the Lambda and EC2 APIs, nothing in',
      allowAllOutbound: false,
    });
    this.cleanupSecurityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to the Lambda and EC2 APIs');
    const { fn, role } = projectFunction(this, 'Cleanup', {
      entry: 'lambda/mapping-cleanup/index.ts',
      description:
        'Deletes RabbitMQ event source mappings on stack deletion and waits until their network interfaces are gone',
      runtime: props.runtime,
      architecture: props.architecture,
      memorySize: 256,
      timeout: Duration.minutes(1),
      environment: { POWERTOOLS_SERVICE_NAME: 'mapping-cleanup', POWERTOOLS_LOG_LEVEL: 'INFO' },
      logRetention: props.logRetention,
      logRemovalPolicy: removalPolicy,
      tracing: false,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroup: this.cleanupSecurityGroup,
      roleDescription:
        "Event source mapping cleanup: delete and read the stack's RabbitMQ mappings, list network interfaces",
    });
    const stack = Stack.of(this);
    role.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:DeleteEventSourceMapping', 'lambda:GetEventSourceMapping'],
        resources: this.mappings.map((m) =>
          stack.formatArn({
            service: 'lambda',
            resource: 'event-source-mapping',
            resourceName: m.eventSourceMappingId,
            // arn:…:lambda:REGION:ACCOUNT:event-source-mapping:UUID
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
    );
    role.addToPolicy(
      // Lists the mappings' pollers' interfaces; DescribeNetworkInterfaces supports no resource-level scope.
      new PolicyStatement({ actions: ['ec2:DescribeNetworkInterfaces'], resources: ['*'] }),
    );
    acknowledge(role, {
      'AwsSolutions-IAM5[Resource::*]':
        "ec2:DescribeNetworkInterfaces (waiting for the pollers' interfaces) and the EC2 network-interface actions Lambda needs to run the function in a VPC support no resource-level scope.",
    });
    acknowledge(fn, {
      'Serverless-LambdaDLQ':
        'Invoked synchronously by the CDK Provider framework (custom resource request/response); failures go back to CloudFormation.',
      'Serverless-LambdaTracing':
        'Runs only when a mapping is deleted; its structured log records every step. X-Ray would add a Resource::* grant for no operational value.',
    });
    this.cleanupFunction = fn;

    const provider = this.createProvider(fn, props.logRetention, removalPolicy);
    this.mappings.forEach((mapping, index) => {
      const resource = new CustomResource(this, `Shard${index}`, {
        serviceToken: provider.serviceToken,
        resourceType: MAPPING_CLEANUP_RESOURCE_TYPE,
        properties: { EsmId: mapping.eventSourceMappingId, AccountId: Aws.ACCOUNT_ID },
      });
      // Deleted before the role (and its policy) that Lambda removes the pollers' interfaces with.
      resource.node.addDependency(props.targetRole);
    });
  }

  /** One Provider for every shard: onEvent and isComplete are the same function, polled every 30 s for 30 minutes. */
  private createProvider(handler: IFunction, logRetention: RetentionDays, removalPolicy: RemovalPolicy): Provider {
    const logGroup = new LogGroup(this, 'ProviderLogs', { retention: logRetention, removalPolicy });
    // The framework wants distinct roles for onEvent and for isComplete/onTimeout (circular dependencies otherwise).
    const role = (roleId: string, what: string) => {
      const r = new Role(this, roleId, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `CDK Provider framework of the event source mapping cleanup: ${what}`,
      });
      logGroup.grantWrite(r);
      return r;
    };
    const onEventRole = role('ProviderRole', 'invoke the cleanup function, start the waiter');
    const completeRole = role('ProviderWaiterRole', 'invoke the cleanup function from the waiter');
    const provider = new Provider(this, 'Provider', {
      onEventHandler: handler,
      isCompleteHandler: handler,
      queryInterval: Duration.seconds(30),
      totalTimeout: Duration.minutes(30),
      logGroup,
      frameworkOnEventRole: onEventRole,
      frameworkCompleteAndTimeoutRole: completeRole,
    });
    const handlerId = Stack.of(this).getLogicalId(handler.node.defaultChild as CfnElement);
    for (const r of [onEventRole, completeRole]) {
      acknowledge(r, {
        [`AwsSolutions-IAM5[Resource::<${handlerId}.Arn>:*]`]:
          'Added by the CDK Provider framework (grantInvoke): it invokes the cleanup function and its versions, nothing else.',
      });
    }
    acknowledgeProviderInternals(provider);
    acknowledgeProviderControls(provider);
    return provider;
  }
}

/** Findings on the CDK Provider framework's own functions and waiter state machine, which offer no such settings. */
function acknowledgeProviderInternals(provider: Provider): void {
  const stack = Stack.of(provider);
  // The waiter's role invokes the framework's isComplete and onTimeout functions (and their versions), nothing else.
  const frameworkFunctions = provider.node
    .findAll()
    .filter((c): c is CfnFunction => c instanceof CfnFunction)
    .map((fn) => [
      `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn)}.Arn>:*]`,
      'CDK Provider framework waiter: invokes the framework functions and their versions, nothing else.',
    ]);
  acknowledge(provider, {
    ...Object.fromEntries(frameworkFunctions),
    'Serverless-LambdaDLQ':
      'CDK Provider framework functions are invoked synchronously by CloudFormation and its waiter; an async dead-letter queue would never receive anything.',
    'Serverless-LambdaDefaultMemorySize':
      'The CDK Provider framework functions offer no memory setting; they only relay one event per mapping deletion.',
    'Serverless-LambdaTracing':
      'The CDK Provider framework functions offer no tracing setting; the cleanup function logs every step.',
    'AwsSolutions-SF1':
      'CDK Provider framework waiter state machine: runs only while a mapping is deleted; the function it calls logs every step.',
    'AwsSolutions-SF2':
      'CDK Provider framework waiter state machine offers no X-Ray setting; it only polls the cleanup function.',
    'Serverless-StepFunctionStateMachineXray':
      'CDK Provider framework waiter state machine offers no X-Ray setting; it only polls the cleanup function.',
  });
}

/**
 * Control Tower controls the CDK Provider framework cannot meet: its functions answer CloudFormation through a
 * pre-signed S3 URL (no NAT, no S3 endpoint in the VPC), and its waiter state machine offers no logging or X-Ray
 * setting. The cleanup function that does the work is in the VPC with its own log group.
 */
function acknowledgeProviderControls(provider: Provider): void {
  acknowledgeControl(
    provider,
    CONTROLS.lambdaInVpc,
    'The CDK Provider framework functions of the mapping cleanup answer CloudFormation through a pre-signed S3 URL; the VPC has no NAT and an imported VPC gives no route tables for an S3 gateway endpoint, so they stay outside. They only invoke the cleanup function, which is in the VPC.',
  );
  acknowledgeControl(
    provider,
    CONTROLS.stateMachineLogging,
    "The CDK Provider framework's waiter state machine offers no logging setting; it only polls the cleanup function, whose log group records every poll.",
  );
  acknowledgeControl(
    provider,
    CONTROLS.stateMachineTracing,
    "The CDK Provider framework's waiter state machine offers no X-Ray setting; it runs only while a shard's mapping is deleted.",
  );
}
