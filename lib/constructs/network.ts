import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  FlowLog,
  FlowLogDestination,
  FlowLogResourceType,
  type IConnectable,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  IpAddresses,
  type IVpc,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledgeControl, CONTROLS } from '../governance/control-tower';

/** Subnet group name of the private subnets the broker and the functions use. */
export const PRIVATE_SUBNET_GROUP = 'Private';

export interface NetworkProps {
  /** Deploy into this VPC instead of creating one; its private subnets must carry the broker. @default - a new VPC */
  readonly vpc?: IVpc;
  /** IPv4 CIDR of a new VPC. @default '10.40.0.0/16' */
  readonly cidr?: string;
  /** Availability zones of a new VPC (one private subnet each). @default 2 */
  readonly maxAzs?: number;
  /** NAT gateways of a new VPC; 0 keeps the private subnets isolated (no internet route). @default 0 */
  readonly natGateways?: number;
  /** Interface endpoints for SQS, Secrets Manager, Lambda and STS. @default true */
  readonly interfaceEndpoints?: boolean;
  /** Send VPC flow logs to CloudWatch Logs. @default true */
  readonly flowLogs?: boolean;
  /** Retention of the flow log group. */
  readonly logRetention: RetentionDays;
  /** What happens to the flow log group when it leaves the stack. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * The private network: a VPC whose private subnets hold the broker and the VPC-bound functions, and the endpoints
 * that let them (and the RabbitMQ event source, whose pollers run in the broker's subnets) reach AWS APIs without a
 * NAT gateway. Endpoints admit HTTPS only from the security groups passed to `allowEndpointAccessFrom`.
 */
export class Network extends Construct {
  /** The VPC everything is deployed into. */
  readonly vpc: IVpc;
  /** The private subnets (one per AZ). */
  readonly privateSubnets: SubnetSelection;
  /** Security group of the interface endpoints; empty of ingress until `allowEndpointAccessFrom` is called. */
  readonly endpointSecurityGroup?: SecurityGroup;
  /** The interface endpoints, by service (`SqsEndpoint`, `SecretsManagerEndpoint`, `LambdaEndpoint`, `StsEndpoint`). */
  readonly endpoints: InterfaceVpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const natGateways = props.natGateways ?? 0;
    this.vpc =
      props.vpc ??
      new Vpc(this, 'Vpc', {
        ipAddresses: IpAddresses.cidr(props.cidr ?? '10.40.0.0/16'),
        maxAzs: props.maxAzs ?? 2,
        natGateways,
        // Without NAT the private subnets are isolated; a NAT needs public subnets to live in.
        subnetConfiguration: [
          ...(natGateways > 0 ? [{ name: 'Public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }] : []),
          {
            name: PRIVATE_SUBNET_GROUP,
            subnetType: natGateways > 0 ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED,
            cidrMask: 22,
          },
        ],
      });
    // The feature flag restrictDefaultSecurityGroup adds a CDK custom resource that strips the default group's rules.
    const restrictDefaultSg = Stack.of(this).node.tryFindChild('Custom::VpcRestrictDefaultSGCustomResourceProvider');
    if (restrictDefaultSg) {
      acknowledgeControl(
        restrictDefaultSg,
        CONTROLS.lambdaInVpc,
        "CDK's VpcRestrictDefaultSG function calls the EC2 API to revoke the default security group's rules while the VPC is created; the VPC has no NAT and no EC2 endpoint, and the function cannot sit in the VPC it is still configuring.",
      );
    }
    this.privateSubnets = props.vpc
      ? { subnets: props.vpc.privateSubnets.length > 0 ? props.vpc.privateSubnets : props.vpc.isolatedSubnets }
      : { subnetGroupName: PRIVATE_SUBNET_GROUP };

    if (props.flowLogs ?? true) {
      const logGroup = new LogGroup(this, 'FlowLogGroup', {
        retention: props.logRetention,
        removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
      });
      new FlowLog(this, 'FlowLog', {
        resourceType: FlowLogResourceType.fromVpc(this.vpc),
        destination: FlowLogDestination.toCloudWatchLogs(logGroup),
      });
    }

    if (props.interfaceEndpoints ?? true) {
      this.endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
        vpc: this.vpc,
        description: 'Interface endpoints: HTTPS from the functions and the RabbitMQ event source only',
        allowAllOutbound: false,
      });
      const services: [string, InterfaceVpcEndpointAwsService][] = [
        ['SqsEndpoint', InterfaceVpcEndpointAwsService.SQS],
        ['SecretsManagerEndpoint', InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
        ['LambdaEndpoint', InterfaceVpcEndpointAwsService.LAMBDA],
        ['StsEndpoint', InterfaceVpcEndpointAwsService.STS],
      ];
      for (const [endpointId, service] of services) {
        this.endpoints.push(
          this.vpc.addInterfaceEndpoint(endpointId, {
            service,
            subnets: this.privateSubnets,
            securityGroups: [this.endpointSecurityGroup],
            privateDnsEnabled: true,
            // Ingress is granted per security group, never to the whole VPC CIDR.
            open: false,
          }),
        );
      }
    }
  }

  /** Lets `peer` reach the interface endpoints on 443 (both directions of the security group rules). */
  allowEndpointAccessFrom(peer: IConnectable): void {
    this.endpointSecurityGroup?.connections.allowFrom(
      peer,
      Port.tcp(443),
      'HTTPS to AWS APIs through the interface endpoints',
    );
  }
}
