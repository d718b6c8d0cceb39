import { type App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
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
