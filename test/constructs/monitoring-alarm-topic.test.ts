import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { devMonitoringDefaults } from '../../lib/config/monitoring';
import { alarmProperties, buildFixture, topicLogicalId } from './monitoring-fixture';

const fixture = buildFixture({ config: { ...devMonitoringDefaults, alarmEmail: 'ops@example.com' } });
const template = fixture.template;

test('the alarm topic is encrypted with a customer managed key that rotates, not alias/aws/sns', () => {
  const keys = template.findResources('AWS::KMS::Key');
  expect(Object.keys(keys)).toHaveLength(1);
  const keyId = Object.keys(keys)[0];
  template.hasResourceProperties('AWS::SNS::Topic', {
    KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
  });
  template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
});

test('the key policy lets CloudWatch alarms generate data keys and decrypt, nothing more', () => {
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    },
  });
});

test('the topic policy denies publishing without TLS and lets only this account’s alarms publish', () => {
  const topic = { Ref: topicLogicalId(template) };
  template.hasResourceProperties('AWS::SNS::TopicPolicy', {
    Topics: [topic],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Effect: 'Deny',
          Action: 'sns:Publish',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Resource: topic,
          Condition: {
            ArnLike: { 'aws:SourceArn': Match.anyValue() },
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          },
        }),
      ]),
    },
  });
});

test('the alarm email from config is subscribed to the topic', () => {
  template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email',
    Endpoint: 'ops@example.com',
    TopicArn: { Ref: topicLogicalId(template) },
  });
});

test('undeliverable notifications go to a dead-letter queue encrypted with the topic key, which has its own alarm', () => {
  const queues = Object.keys(template.findResources('AWS::SQS::Queue')).filter((id) =>
    id.startsWith('MonitoringAlarmTopicUndeliveredNotifications'),
  );
  expect(queues).toHaveLength(1);
  const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
  template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email',
    RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queues[0], 'Arn'] } },
  });
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: {
      Statement: Match.arrayWith([
        Match.objectLike({
          Principal: { Service: 'sns.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      ]),
    },
  });
  expect(alarmProperties(template, 'AlarmNotificationsUndelivered')).toMatchObject({
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queues[0], 'QueueName'] } }],
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [{ Ref: topicLogicalId(template) }],
    OKActions: [{ Ref: topicLogicalId(template) }],
  });
});

test('without an alarm email there is no subscription, no notification DLQ and no alarm for it', () => {
  const bare = buildFixture().template;
  expect(bare.findResources('AWS::SNS::Subscription')).toEqual({});
  expect(() => alarmProperties(bare, 'AlarmNotificationsUndelivered')).toThrow(/expected one alarm/);
});

test('an invalid alarm email is refused naming the field and the value', () => {
  expect(() => buildFixture({ config: { ...devMonitoringDefaults, alarmEmail: 'ops at example' } })).toThrow(
    /monitoring\.alarmEmail: got "ops at example"; allowed: an email address/,
  );
});

test.each([
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['Serverless', () => new ServerlessChecks()],
])('cdk-nag %s reports nothing on the monitoring resources', (_name, pack) => {
  const report = pack().validateScope(fixture.monitoring);
  expect(report.violations).toEqual([]);
  expect(report.success).toBe(true);
});
