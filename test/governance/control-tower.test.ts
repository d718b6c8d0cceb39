import { Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CONTROLS, controlIdOf } from '../../lib/governance/control-tower';
import { denyGrantsExceptForAwsServices } from '../../lib/governance/key-policies';
import { addStage, openViolations, synthWithControls } from './control-tower-fixture';

/**
 * AWS Control Tower's proactive controls run inside the synth (a CDK policy-validation plugin with the cfn-guard rules
 * of @cdklabs/cdk-validator-cfnguard). A template that breaks a control on purpose is reported by the control's name;
 * the project's templates are not.
 */
const LOG_RETENTION = 'cloudwatch/ct-cloudwatch-pr-2.guard';
const LOG_ENCRYPTION = 'cloudwatch/ct-cloudwatch-pr-3.guard';
const KMS_GRANTS = 'keymanagementservice/ct-kms-pr-3.guard';

describe('CT.CLOUDWATCH.PR.2: log groups kept at least a year', () => {
  test('prod with a 30-day log retention is reported, at every log group', () => {
    const findings = synthWithControls([LOG_RETENTION], (app) => addStage(app, 'prod', { logRetentionDays: 30 }));
    const open = openViolations(findings);
    expect(open.length).toBeGreaterThanOrEqual(10);
    expect(open.every((v) => v.startsWith(`${CONTROLS.logRetentionOneYear} at MqCloudIntegration-prod/`))).toBe(true);
    expect(open).toContain(
      `${CONTROLS.logRetentionOneYear} at MqCloudIntegration-prod/Functions/ProducerLogGroup/Resource`,
    );
    expect(findings.violations[0].description).toMatch(/\[CT\.CLOUDWATCH\.PR\.2\]/);
  });

  test('prod by default keeps every log group a year: nothing open, nothing acknowledged', () => {
    const findings = synthWithControls([LOG_RETENTION, LOG_ENCRYPTION], (app) => addStage(app, 'prod'));
    expect(openViolations(findings)).toEqual([]);
    expect(findings.acknowledged).toEqual([]);
  });

  test('dev (retainData false) keeps logs 14 days: acknowledged once, on the stack, with its reason', () => {
    const findings = synthWithControls([LOG_RETENTION], (app) => addStage(app, 'dev'));
    expect(openViolations(findings)).toEqual([]);
    const acks = findings.acknowledged.map((a) => [a.rule, a.acknowledgedAt]);
    expect(new Set(acks.map((a) => a.join(' at ')))).toEqual(
      new Set([`${CONTROLS.logRetentionOneYear} at MqCloudIntegration-dev`]),
    );
    expect(findings.acknowledged[0].reason).toMatch(/disposable stage .*14 days/);
  });
});

describe('CT.KMS.PR.3: only AWS services may create grants', () => {
  test('a key policy without the grant condition is reported', () => {
    const findings = synthWithControls([KMS_GRANTS], (app) => new Key(new Stack(app, 'Keys'), 'PlainKey'));
    expect(openViolations(findings)).toEqual([`${CONTROLS.kmsGrantsForAwsServicesOnly} at Keys/PlainKey/Resource`]);
    expect(controlIdOf(findings.violations[0].rule)).toBe('CT.KMS.PR.3');
  });

  test('denyGrantsExceptForAwsServices satisfies it', () => {
    const findings = synthWithControls([KMS_GRANTS], (app) =>
      denyGrantsExceptForAwsServices(new Key(new Stack(app, 'Keys'), 'LimitedKey')),
    );
    expect(openViolations(findings)).toEqual([]);
  });

  test.each(['dev', 'prod'])('every key of %s satisfies it', (stage) => {
    const findings = synthWithControls([KMS_GRANTS], (app) => addStage(app, stage));
    expect(openViolations(findings)).toEqual([]);
  });
});

describe('CT.CLOUDWATCH.PR.3: encrypted log groups', () => {
  test('a log group without a key is reported', () => {
    const findings = synthWithControls(
      [LOG_ENCRYPTION],
      (app) => new LogGroup(new Stack(app, 'Logs'), 'Plain', { retention: RetentionDays.ONE_YEAR }),
    );
    expect(openViolations(findings)).toEqual([`${CONTROLS.logGroupEncrypted} at Logs/Plain/Resource`]);
  });
});

test('control ids are read from the bundled rules', () => {
  expect(controlIdOf(CONTROLS.lambdaInVpc)).toBe('CT.LAMBDA.PR.3');
  expect(controlIdOf(CONTROLS.logRetentionOneYear)).toBe('CT.CLOUDWATCH.PR.2');
  expect(controlIdOf('no_such_rule')).toBeUndefined();
});

describe('with Kafka enabled: functions outside the VPC and queues without a DLQ', () => {
  const LAMBDA_IN_VPC = 'lambda/ct-lambda-pr-3.guard';
  const SQS_DLQ = 'sqs/ct-sqs-pr-1.guard';

  test.each(['dev', 'prod'])(
    '%s: nothing open; the Kafka bridge, CDK’s SDK-call function and the on-failure queue acknowledged with reasons',
    (stage) => {
      const findings = synthWithControls([LAMBDA_IN_VPC, SQS_DLQ], (app) =>
        addStage(app, stage, { kafka: { enabled: true } }),
      );
      expect(openViolations(findings)).toEqual([]);
      const acknowledgedAt = (rule: string) =>
        findings.acknowledged.filter((a) => a.rule === rule).map((a) => a.acknowledgedAt.split('/').slice(1).join('/'));
      expect(acknowledgedAt(CONTROLS.lambdaInVpc)).toEqual(
        expect.arrayContaining([
          'Kafka/Functions/KafkaBridge',
          expect.stringMatching(/^AWS679f53fac002430cb0da5b7982bd2287/),
        ]),
      );
      expect(acknowledgedAt(CONTROLS.sqsDeadLetterQueue)).toEqual(
        expect.arrayContaining(['Kafka/Functions/OnFailureQueue']),
      );
    },
  );
});
