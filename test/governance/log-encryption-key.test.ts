import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { RemovalPolicy } from 'aws-cdk-lib';
import { LogEncryptionKey } from '../../lib/governance/log-encryption-key';

/** The log key: usable by CloudWatch Logs of this account and region only; grants only for AWS services. */
const stack = new Stack();
new LogEncryptionKey(stack, 'LogKey', { removalPolicy: RemovalPolicy.RETAIN });
const template = Template.fromStack(stack);

test('CloudWatch Logs of this region may use it, for log groups of this account and region only', () => {
  template.hasResourceProperties('AWS::KMS::Key', {
    EnableKeyRotation: true,
    KeyPolicy: {
      Statement: Match.arrayWith([
        {
          Sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
          Effect: 'Allow',
          Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
          Action: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
          Resource: '*',
          Condition: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':logs:',
                    { Ref: 'AWS::Region' },
                    ':',
                    { Ref: 'AWS::AccountId' },
                    ':log-group:*',
                  ],
                ],
              },
            },
          },
        },
      ]),
    },
  });
});

test('no principal may create a grant unless it is for, or by, an AWS service', () => {
  template.hasResourceProperties('AWS::KMS::Key', {
    KeyPolicy: {
      Statement: Match.arrayWith([
        {
          Sid: 'DenyGrantsExceptForAwsServices',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
        },
      ]),
    },
  });
});

test('kept or removed with the log groups it encrypts', () => {
  template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
});
