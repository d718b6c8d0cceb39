import { type CfnElement, CustomResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import {
  Connections,
  type IConnectable,
  type ISecurityGroup,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
} from 'aws-cdk-lib/aws-ec2';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { TopologyDefinition } from '../config/topology';
import { validateTopology } from '../config/topology-validation';
import { acknowledgeControl, CONTROLS } from '../governance/control-tower';
import { projectFunction } from './project-function';

/** CloudFormation type of the topology resource; the local runtime finds the definition through it. */
export const TOPOLOGY_RESOURCE_TYPE = 'Custom::RabbitMqTopology';

/** Characters Amazon MQ refuses in RabbitMQ passwords. */
export const AMAZON_MQ_FORBIDDEN_PASSWORD_CHARACTERS = ',:=';

export interface RabbitMqTopologyProps {
  /** The topology to apply; validated at synth. */
  readonly topology: TopologyDefinition;
  /** VPC the handler runs in; it must reach the broker's private management endpoint. */
  readonly vpc: IVpc;
  /** Subnets of the handler. @default - the VPC's default selection (private subnets) */
  readonly vpcSubnets?: SubnetSelection;
  /** The broker's security group; the handler is admitted to it on 443 only. */
  readonly brokerSecurityGroup: ISecurityGroup;
  /** The broker's administrator, a `{ "username", "password" }` secret; read by the handler at apply time. */
  readonly adminSecret: ISecret;
  /** `https://HOST` of the broker's management API (may be a token). */
  readonly managementEndpoint: string;
  /** Keep the broker objects, the user secrets and the handler's logs when the resource is deleted. */
  readonly retainOnDelete: boolean;
  /** Retention of the handler's log groups. */
  readonly logRetention: RetentionDays;
  /**
   * Any value; changing it re-applies the topology, e.g. after a user's secret got a new password.
   * @default - re-applied only when the definition, endpoint or secrets change
   */
  readonly revision?: string;
}

/**
 * The RabbitMQ topology (vhost, exchanges, queues, bindings, users, permissions) as a custom resource: our own
 * handler applies it through the management API from inside the VPC, each user gets its own generated secret, and
 * no password appears in the template.
 */
export class RabbitMqTopology extends Construct implements IConnectable {
  /** The `Custom::RabbitMqTopology` resource; make consumers of the topology (event source mappings) depend on it. */
  readonly resource: CustomResource;
  /** The handler that applies the topology (runs inside the VPC). */
  readonly onEventFunction: IFunction;
  /** The handler's network connections (HTTPS egress only); allow it to interface endpoints through this. */
  readonly connections: Connections;
  private readonly userSecrets = new Map<string, ISecret>();

  constructor(scope: Construct, id: string, props: RabbitMqTopologyProps) {
    super(scope, id);
    validateTopology(props.topology);
    if (!Token.isUnresolved(props.managementEndpoint) && !/^https:\/\/[^/\s]+\/?$/.test(props.managementEndpoint)) {
      throw new Error(
        `RabbitMqTopology managementEndpoint: got ${JSON.stringify(props.managementEndpoint)}; expected https://HOST of the broker's management API`,
      );
    }
    // Kept on delete, not when the stack's first create rolls back (a retry would find them in its way).
    const removalPolicy = props.retainOnDelete ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;

    for (const user of props.topology.users) {
      const secret = new Secret(this, `User-${user.name}`, {
        description: `RabbitMQ user "${user.name}" of vhost "${props.topology.vhost}", applied by the topology custom resource`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ username: user.name }),
          generateStringKey: 'password',
          passwordLength: 32,
          // Alphanumeric only: Amazon MQ refuses , : = and punctuation would need escaping in amqps:// URLs.
          excludePunctuation: true,
          excludeCharacters: AMAZON_MQ_FORBIDDEN_PASSWORD_CHARACTERS,
          includeSpace: false,
          requireEachIncludedType: true,
        },
        removalPolicy,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The password lives in the broker too: rotating only the secret would lock clients out. Rotation is a put-secret-value followed by a re-apply of the topology (revision prop), see docs/topology.md.',
      });
      this.userSecrets.set(user.name, secret);
    }

    const securityGroup = new SecurityGroup(this, 'HandlerSecurityGroup', {
      vpc: props.vpc,
      description: 'RabbitMQ topology handler: HTTPS out to the broker management API and AWS APIs, nothing in',
      allowAllOutbound: false,
    });
    // HTTPS only: the management API and Secrets Manager (through an interface endpoint or a NAT gateway).
    securityGroup.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'HTTPS to the broker management API and AWS APIs');

    const { fn: handler, role } = projectFunction(this, 'OnEventHandler', {
      entry: 'lambda/topology/index.ts',
      description: `Applies the RabbitMQ topology of vhost ${props.topology.vhost} through the management API`,
      runtime: Runtime.NODEJS_24_X.name,
      memorySize: 256,
      timeout: Duration.minutes(2),
      environment: { POWERTOOLS_SERVICE_NAME: 'rabbitmq-topology', POWERTOOLS_LOG_LEVEL: 'INFO' },
      logRetention: props.logRetention,
      logRemovalPolicy: removalPolicy,
      tracing: false,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroup,
      roleDescription: 'RabbitMQ topology handler: its logs, its network interfaces, the admin and user secrets',
      resourceIds: { logGroup: 'HandlerLogs', role: 'HandlerRole' },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the EC2 network-interface actions Lambda needs to run a function in a VPC, which support no resource-level scoping (same statement as the AWSLambdaVPCAccessExecutionRole managed policy).',
    });
    props.adminSecret.grantRead(handler);
    for (const secret of this.userSecrets.values()) secret.grantRead(handler);
    props.brokerSecurityGroup.connections.allowFrom(
      handler,
      Port.tcp(443),
      'RabbitMQ management API from the topology handler',
    );
    acknowledgeSynchronousFunction(handler, 'the topology handler');
    Validations.of(handler).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason:
        'Runs once per deployment; its structured log records every change. X-Ray would add a Resource::* grant for no operational value.',
    });
    this.onEventFunction = handler;
    this.connections = handler.connections;

    const provider = this.createProvider(handler, props.logRetention, removalPolicy);
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: TOPOLOGY_RESOURCE_TYPE,
      properties: {
        Topology: JSON.stringify(props.topology),
        ManagementEndpoint: props.managementEndpoint,
        AdminSecretArn: props.adminSecret.secretArn,
        UserSecretArns: Object.fromEntries([...this.userSecrets].map(([name, secret]) => [name, secret.secretArn])),
        RetainOnDelete: props.retainOnDelete,
        ...(props.revision === undefined ? {} : { Revision: props.revision }),
      },
    });
    // Create after, and delete before, the broker's ingress rule and the network (endpoints, routes) the handler
    // needs; the secret grants are in the handler role's policy, which the handler already depends on.
    this.resource.node.addDependency(props.brokerSecurityGroup, props.vpc, securityGroup);
  }

  /** The generated `{ "username", "password" }` secret of a user declared in the topology. */
  userSecret(username: string): ISecret {
    const secret = this.userSecrets.get(username);
    if (!secret) {
      throw new Error(
        `RabbitMqTopology.userSecret: got ${JSON.stringify(username)}; allowed: a user of the topology (${[...this.userSecrets.keys()].join(', ')})`,
      );
    }
    return secret;
  }

  /** The Provider framework's function: outside the VPC (it only invokes ours and answers CloudFormation's S3 URL). */
  private createProvider(handler: IFunction, logRetention: RetentionDays, removalPolicy: RemovalPolicy): Provider {
    const logGroup = new LogGroup(this, 'ProviderLogs', { retention: logRetention, removalPolicy });
    const role = new Role(this, 'ProviderRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'CDK Provider framework for the RabbitMQ topology: invoke its handler, write its logs',
    });
    logGroup.grantWrite(role);
    const provider = new Provider(this, 'Provider', { onEventHandler: handler, logGroup, frameworkOnEventRole: role });
    const frameworkFunction = provider.node.findChild('framework-onEvent');
    acknowledgeSynchronousFunction(frameworkFunction, 'the CDK Provider framework function');
    acknowledgeControl(
      frameworkFunction,
      CONTROLS.lambdaInVpc,
      'The CDK Provider framework function answers CloudFormation through a pre-signed S3 URL; the VPC has no NAT and an imported VPC gives no route tables for an S3 gateway endpoint, so it stays outside. It holds no secret and reaches the broker only through the handler, which is in the VPC.',
    );
    Validations.of(frameworkFunction).acknowledge({
      id: 'Serverless-LambdaDefaultMemorySize',
      reason: 'The CDK Provider framework function offers no memory setting; it only relays one event per deployment.',
    });
    Validations.of(frameworkFunction).acknowledge({
      id: 'Serverless-LambdaTracing',
      reason:
        'The CDK Provider framework function offers no tracing setting; the handler it invokes logs every change.',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(handler.node.defaultChild as CfnElement)}.Arn>:*]`,
      reason:
        'Added by the CDK Provider framework (grantInvoke): it invokes the handler function and its versions, nothing else.',
    });
    return provider;
  }
}

/** CloudFormation invokes custom resource functions synchronously: an async dead-letter queue would never fire. */
function acknowledgeSynchronousFunction(fn: Construct, what: string): void {
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: `${what} is invoked synchronously (custom resource request/response); failures go back to CloudFormation, never to an async dead-letter queue.`,
  });
}
