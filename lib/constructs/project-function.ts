import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { throwIfIssues } from '../config/config-issue';
import { esbuildTarget, FUNCTION_BUNDLING } from '../config/function-bundling';
import { checkRuntime } from '../config/serverless-rules';

/** Root of the repository: handler entries and the lock file are resolved from here. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** Actions Lambda needs to attach a function to a VPC (the content of AWSLambdaVPCAccessExecutionRole). */
export const VPC_ACCESS_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

export interface ProjectFunctionProps {
  /** Handler entry relative to the repository root, exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Lambda runtime name, `nodejs22.x` or newer. */
  readonly runtime: string;
  /** @default Architecture.ARM_64 */
  readonly architecture?: Architecture;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  /** Retention of the function's log group. */
  readonly logRetention: RetentionDays;
  /** What happens to the log group when it leaves the stack. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** X-Ray active tracing. @default true */
  readonly tracing?: boolean;
  /** Attach the function to this VPC. @default - not in a VPC */
  readonly vpc?: IVpc;
  /** @default - the VPC's private subnets */
  readonly vpcSubnets?: SubnetSelection;
  /** Security group of the function when in a VPC. */
  readonly securityGroup?: ISecurityGroup;
  /** Description of the execution role. @default - `Execution role of the <id> function` */
  readonly roleDescription?: string;
  /**
   * Construct ids of the log group and the role. A construct already deployed with other ids keeps them: a new id
   * would replace the role and the log group, and lose the logs.
   * @default - `<id>LogGroup` and `<id>Role`
   */
  readonly resourceIds?: { readonly logGroup: string; readonly role: string };
}

export interface ProjectFunction {
  readonly fn: NodejsFunction;
  /** The execution role: inline statements only, no AWS managed policies. */
  readonly role: Role;
  readonly logGroup: LogGroup;
}

/**
 * A function the way this project builds every one: `NodejsFunction` bundled locally by esbuild as
 * `FUNCTION_BUNDLING` says (minified, source maps, the AWS SDK v3 inside the bundle), its own log group with
 * retention, and its own role that may write only to that log group (plus VPC attachment when in a VPC) — grants add
 * the rest. Creates `<id>`, `<id>LogGroup`, `<id>Role` (ids overridable by `resourceIds`).
 */
export function projectFunction(scope: Construct, id: string, props: ProjectFunctionProps): ProjectFunction {
  throwIfIssues(`Invalid function '${id}'`, checkRuntime('props.runtime', props.runtime));
  // NODEJS_LATEST shares its name with the newest runtime; a pinned runtime must not move on a CDK upgrade.
  const runtime = Runtime.ALL.find((r) => r.name === props.runtime && !r.isVariable) as Runtime;
  const logGroup = new LogGroup(scope, props.resourceIds?.logGroup ?? `${id}LogGroup`, {
    retention: props.logRetention,
    removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
  });
  const role = new Role(scope, props.resourceIds?.role ?? `${id}Role`, {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription ?? `Execution role of the ${id} function`,
  });
  logGroup.grantWrite(role);
  if (props.vpc) {
    role.addToPolicy(
      new PolicyStatement({
        actions: VPC_ACCESS_ACTIONS,
        // Lambda creates the function's network interfaces itself; these EC2 actions have no resource-level scope it accepts.
        resources: ['*'],
      }),
    );
  }
  const fn = new NodejsFunction(scope, id, {
    entry: path.join(PROJECT_ROOT, props.entry),
    handler: 'handler',
    description: props.description,
    runtime,
    architecture: props.architecture ?? Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    role,
    logGroup,
    tracing: props.tracing === false ? Tracing.DISABLED : Tracing.ACTIVE,
    vpc: props.vpc,
    vpcSubnets: props.vpc ? props.vpcSubnets : undefined,
    securityGroups: props.securityGroup ? [props.securityGroup] : undefined,
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    bundling: {
      // One definition shared with the bench, which measures the bundles built from it (lib/config/function-bundling.ts).
      minify: FUNCTION_BUNDLING.minify,
      sourceMap: FUNCTION_BUNDLING.sourceMap,
      sourcesContent: FUNCTION_BUNDLING.sourcesContent,
      // The enum value of FUNCTION_BUNDLING.format ('cjs'); test/constructs/project-function.test.ts keeps them equal.
      format: OutputFormat.CJS,
      target: esbuildTarget(runtime.name),
      bundleAwsSDK: FUNCTION_BUNDLING.bundleAwsSDK,
      mainFields: [...FUNCTION_BUNDLING.mainFields],
    },
  });
  // The role must hold its permissions before the function (and its mappings) are created.
  fn.node.addDependency(role);
  return { fn, role, logGroup };
}
