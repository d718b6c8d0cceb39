import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * AWS Control Tower's proactive controls, as the cfn-guard rules `@cdklabs/cdk-validator-cfnguard` bundles (with the
 * cfn-guard binary), run by `cdk synth` itself as a CDK policy-validation plugin: a template that breaks a control
 * fails the synth unless the control is acknowledged on the construct, with its reason, like a cdk-nag finding.
 */

/** The plugin's name; CDK prefixes acknowledged rule ids with it (`cdk-validator-cfnguard::<rule>`). */
export const CONTROL_TOWER_PLUGIN = 'cdk-validator-cfnguard';

/** The cfn-guard rule names of the controls this project acknowledges somewhere (see docs/governance.md). */
export const CONTROLS = {
  /** CT.CLOUDWATCH.PR.2: log groups kept at least a year. */
  logRetentionOneYear: 'cloudwatch_log_group_retention_period_check',
  /** CT.CLOUDWATCH.PR.3: log groups encrypted with a KMS key. */
  logGroupEncrypted: 'cloudwatch_log_group_encrypted_check',
  /** CT.KMS.PR.3: key policies let only AWS services create grants. */
  kmsGrantsForAwsServicesOnly: 'kms_create_grant_aws_service_check',
  /** CT.LAMBDA.PR.3: functions in a customer-managed VPC. */
  lambdaInVpc: 'lambda_inside_vpc_check',
  /** CT.MQ.PR.2: RabbitMQ brokers in CLUSTER_MULTI_AZ mode. */
  rabbitMqMultiAz: 'mq_rabbit_deployment_mode_check',
  /** CT.SQS.PR.1: every queue has a dead-letter queue. */
  sqsDeadLetterQueue: 'sqs_dlq_check',
  /** CT.STEPFUNCTIONS.PR.1: state machines log. */
  stateMachineLogging: 'step_functions_state_machine_logging_enabled_check',
  /** CT.STEPFUNCTIONS.PR.2: state machines traced with X-Ray. */
  stateMachineTracing: 'step_functions_state_machine_tracing_enabled_check',
} as const;

export type ControlRule = (typeof CONTROLS)[keyof typeof CONTROLS];

/** Where the package keeps the Control Tower rules (one `.guard` file per control). */
export const CONTROL_TOWER_RULES_DIR = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

/**
 * The validator with every Control Tower rule, or only `ruleFiles` (paths below `CONTROL_TOWER_RULES_DIR`, e.g.
 * `cloudwatch/ct-cloudwatch-pr-2.guard`) for tests that need one control and not the time of all of them.
 */
export function controlTowerValidator(ruleFiles?: readonly string[]): CfnGuardValidator {
  if (ruleFiles === undefined) return new CfnGuardValidator();
  return new CfnGuardValidator({
    controlTowerRulesEnabled: false,
    rules: ruleFiles.map((f) => path.join(CONTROL_TOWER_RULES_DIR, f)),
  });
}

/** Registers the Control Tower rules on `app`: `cdk synth` fails on any unacknowledged violation. */
export function addControlTowerRules(app: App): void {
  Validations.of(app).addPlugins(controlTowerValidator());
}

/** Acknowledges Control Tower `rule` on `scope` and everything below it, with the reason it does not apply. */
export function acknowledgeControl(scope: IConstruct, rule: ControlRule, reason: string): void {
  Validations.of(scope).acknowledge({ id: `${CONTROL_TOWER_PLUGIN}::${rule}`, reason });
}

let controlIds: Map<string, string> | undefined;

/** The Control Tower control id (`CT.LAMBDA.PR.3`) of a cfn-guard rule name, read from the bundled rules. */
export function controlIdOf(rule: string): string | undefined {
  controlIds ??= readControlIds(CONTROL_TOWER_RULES_DIR);
  return controlIds.get(rule);
}

function readControlIds(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(dir)) {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) {
      for (const [rule, id] of readControlIds(file)) out.set(rule, id);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const rule = /^rule (\w+) when is_cfn_template/m.exec(text)?.[1];
    const id = /\[(CT\.[A-Z0-9]+\.PR\.\d+)\]/.exec(text)?.[1];
    if (rule && id) out.set(rule, id);
  }
  return out;
}
