import { type App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { acknowledgeControl, CONTROLS } from './governance/control-tower';

/**
 * cdk-nag wiring: the packs every synth runs (a finding that is not acknowledged fails the synth) and the
 * acknowledgments for resources this project does not write itself (CDK and library internals). Acknowledgments of
 * our own resources sit next to the resource, in its construct.
 */

/** The packs: AWS Solutions and Serverless. */
export function nagPacks(app: App): [AwsSolutionsChecks, ServerlessChecks] {
  return [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
}

/** Registers the packs on `app`; synth fails on any unacknowledged finding. */
export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

/** Acknowledges `rules` (id → reason) on `scope` and everything below it. */
export function acknowledge(scope: IConstruct, rules: Record<string, string>): void {
  for (const [id, reason] of Object.entries(rules)) Validations.of(scope).acknowledge({ id, reason });
}

const BASIC_EXECUTION_ROLE =
  'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';
/** Construct id of CDK's singleton LogRetention function. */
const LOG_RETENTION_SINGLETON = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';

/**
 * Findings on CDK's singleton LogRetention function, which sets the retention of the broker's general log group
 * (Amazon MQ creates that group itself, named after the broker id, so it cannot be declared ahead).
 */
export function acknowledgeLogRetentionFunction(cfnBroker: CfnElement): void {
  const stack = Stack.of(cfnBroker);
  const logRetention = stack.node.tryFindChild(LOG_RETENTION_SINGLETON);
  if (!logRetention) return;
  const logGroup = `arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/amazonmq/broker/<${stack.getLogicalId(cfnBroker)}>/general:*`;
  acknowledge(logRetention, {
    [BASIC_EXECUTION_ROLE]:
      "CDK's LogRetention function comes with this role to write its own logs; it runs only when the broker's log group retention changes.",
    'AwsSolutions-IAM5[Resource::*]':
      "CDK's LogRetention function always gets logs:PutRetentionPolicy/DeleteRetentionPolicy on every log group (it is a stack-wide singleton; CDK offers no narrower grant). Here it is used for the broker's general log group only.",
    [`AwsSolutions-IAM5[Resource::${logGroup}]`]:
      "CDK's LogRetention function: logs:DeleteLogGroup on the broker's general log group (and its streams) only, so a destroyed stage leaves no log group behind.",
  });
  acknowledgeControl(
    logRetention,
    CONTROLS.lambdaInVpc,
    "CDK's LogRetention function calls the CloudWatch Logs API (PutRetentionPolicy). The VPC has no NAT gateway and no CloudWatch Logs endpoint (an interface endpoint per AZ for one call per deployment), so inside it the call could not leave; it runs only when the broker's log group retention changes.",
  );
}

/**
 * Findings inside `@cdklabs/cdk-amazonmq`'s RabbitMQ event source: besides the mapping it adds a custom resource
 * (two functions, the CDK Provider framework with its waiter state machine) that deletes the mapping and waits until
 * its pollers' network interfaces are gone, so the stack can be destroyed cleanly.
 */
export function acknowledgeRabbitMqEventSourceInternals(mapping: IConstruct): void {
  const deleter = mapping.node.children.filter((c) => c.node.id !== 'Resource');
  const stack = Stack.of(mapping);
  const functionArns = mapping.node
    .findAll()
    .filter((c): c is CfnFunction => c instanceof CfnFunction)
    .map((fn) => `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn)}.Arn>:*]`);
  const internals: Record<string, string> = {
    [BASIC_EXECUTION_ROLE]:
      'Functions of the event source deleter (@cdklabs/cdk-amazonmq and the CDK Provider framework) write only their own logs through this role; they run during deletion only.',
    'AwsSolutions-IAM5[Resource::*]':
      "Event source deleter: ec2:DescribeNetworkInterfaces (no resource-level scope) to wait until the pollers' interfaces are gone.",
    ...Object.fromEntries(
      functionArns.map((id) => [
        id,
        'CDK Provider framework: invokes the deleter functions and their versions, nothing else.',
      ]),
    ),
    'AwsSolutions-SF1':
      'CDK Provider framework waiter state machine: runs only while the mapping is deleted; the functions it calls log every step.',
    'AwsSolutions-SF2':
      'CDK Provider framework waiter state machine offers no X-Ray setting; it only polls the deleter.',
    'Serverless-StepFunctionStateMachineXray':
      'CDK Provider framework waiter state machine offers no X-Ray setting; it only polls the deleter.',
    'Serverless-LambdaDLQ':
      'Custom resource functions are invoked synchronously by CloudFormation / the Provider framework; an async dead-letter queue would never receive anything.',
    'Serverless-LambdaDefaultMemorySize':
      'Library-internal deleter functions make one API call per invocation; the default memory fits.',
    'Serverless-LambdaDefaultTimeout':
      'Library-internal deleter functions make one API call per invocation; the Provider framework retries until its total timeout.',
    'Serverless-LambdaTracing':
      'Library-internal deleter functions run only during stack deletion; their logs record each call.',
  };
  for (const child of deleter) {
    acknowledge(child, internals);
    acknowledgeEventSourceDeleterControls(child);
  }
}

/**
 * Control Tower controls the event source deleter of `@cdklabs/cdk-amazonmq` cannot meet (its functions and waiter
 * state machine offer no VPC, logging or tracing settings). Kept apart so it goes away with the deleter when the
 * shared mechanism of the shards work replaces it.
 */
function acknowledgeEventSourceDeleterControls(deleter: IConstruct): void {
  acknowledgeControl(
    deleter,
    CONTROLS.lambdaInVpc,
    "@cdklabs/cdk-amazonmq's event source deleter (its functions and the CDK Provider framework's) calls the Lambda and EC2 APIs and answers CloudFormation's pre-signed S3 URL; the library offers no VPC setting, and the VPC has no NAT, S3 or EC2 endpoint. It runs only while the mapping is deleted.",
  );
  acknowledgeControl(
    deleter,
    CONTROLS.stateMachineLogging,
    "@cdklabs/cdk-amazonmq's deleter waiter (a CDK Provider framework state machine) offers no logging setting; it only polls the deleter's isComplete function, whose log group records every poll.",
  );
  acknowledgeControl(
    deleter,
    CONTROLS.stateMachineTracing,
    "@cdklabs/cdk-amazonmq's deleter waiter (a CDK Provider framework state machine) offers no X-Ray setting; it only polls the deleter's isComplete function while the mapping is deleted.",
  );
}
