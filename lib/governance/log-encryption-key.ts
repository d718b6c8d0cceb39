import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsServices } from './key-policies';

export interface LogEncryptionKeyProps {
  /** What happens to the key when it leaves the stack; keep it as long as the log groups it encrypts. */
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The customer managed KMS key every log group of a stack is encrypted with (AWS Control Tower CT.CLOUDWATCH.PR.3).
 * Its policy lets CloudWatch Logs use it only for log groups of this account and region
 * (`kms:EncryptionContext:aws:logs:arn`, as the CloudWatch Logs guide prescribes), and lets no one create grants
 * except for AWS services (CT.KMS.PR.3).
 */
export class LogEncryptionKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string, props: LogEncryptionKeyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.key = new Key(this, 'Key', {
      description: `Encrypts the CloudWatch log groups of ${stack.stackName}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccountAndRegion',
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        // "*" = this key.
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
          },
        },
      }),
    );
    denyGrantsExceptForAwsServices(this.key);
  }
}
