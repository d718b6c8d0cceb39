import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { denyGrantsExceptForAwsServices } from '../governance/key-policies';

export interface AlarmTopicProps {
  /**
   * Address subscribed to the topic.
   * @default - no subscription
   */
  readonly email?: string;
}

/**
 * SNS topic the alarms notify: encrypted with a customer managed KMS key, TLS-only, publishable by CloudWatch alarms
 * of this account only.
 *
 * Why not the AWS managed key `alias/aws/sns`: CloudWatch alarms must call kms:GenerateDataKey / kms:Decrypt on the
 * topic's key, and the AWS managed key's policy cannot be edited to allow them — alarm actions would fail with
 * "CloudWatch Alarms does not have authorization to access the SNS topic encryption key".
 */
export class AlarmTopic extends Construct {
  /** The topic alarm actions publish to. */
  public readonly topic: sns.Topic;
  /** The key the topic is encrypted with. */
  public readonly key: kms.Key;
  /** Where notifications SNS could not deliver to the email subscription end up; only with an email. */
  public readonly undeliveredNotifications?: sqs.Queue;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: 'Encrypts the alarm topic; usable by CloudWatch alarms',
      enableKeyRotation: true,
      // Deleting the key would make undelivered notifications unreadable; a retained key costs little. Not kept when
      // the stack's first create rolls back: nothing was encrypted with it yet.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    denyGrantsExceptForAwsServices(this.key);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // In a key policy "*" means this key only. No source condition: who may publish is decided by the topic
        // policy below, and a condition CloudWatch does not send would silently stop every notification.
        resources: ['*'],
      }),
    );

    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'mq-cloud-integration alarms',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The TLS-only policy replaces SNS's default topic policy, so CloudWatch needs an explicit grant, limited to
    // alarms of this account and region.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );

    if (props.email !== undefined) {
      this.undeliveredNotifications = this.undeliveredNotificationsQueue(stack);
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(props.email, { deadLetterQueue: this.undeliveredNotifications }),
      );
    }
  }

  /** The subscription's dead-letter queue, encrypted with the topic's key (SNS cannot use an AWS managed SQS key). */
  private undeliveredNotificationsQueue(stack: Stack): sqs.Queue {
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowSnsToWriteUndeliveredNotifications',
        principals: [new iam.ServicePrincipal('sns.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        // "*" = this key. The topic ARN cannot be named here: the topic already depends on the key.
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    );
    const queue = new sqs.Queue(this, 'UndeliveredNotifications', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const reason = 'This queue is itself a dead-letter queue (of the alarm email subscription); it needs no DLQ.';
    Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
    Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
    return queue;
  }
}
