import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag';

/** Partition key of the idempotency records (Powertools Idempotency's default). */
export const IDEMPOTENCY_KEY_ATTRIBUTE = 'id';
/** TTL attribute Powertools Idempotency writes (epoch seconds). */
export const IDEMPOTENCY_TTL_ATTRIBUTE = 'expiration';

export interface ConsumerOutcomesProps {
  /** Add the receipts queue the consumer reports every processed message to (for verification). @default false */
  readonly receipts?: boolean;
  /** What happens to the idempotency table when it leaves the stack. @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Where the consumer's results go: the DynamoDB table that makes processing idempotent by message id (Powertools
 * Idempotency; records expire through TTL) and, when verification is on, the SQS queue of receipts
 * `{ id, runId, receivedAt, attempt }` the verify command counts.
 */
export class ConsumerOutcomes extends Construct {
  readonly idempotencyTable: Table;
  /** Present when `receipts` is on. */
  readonly receiptsQueue?: Queue;

  constructor(scope: Construct, id: string, props: ConsumerOutcomesProps = {}) {
    super(scope, id);
    this.idempotencyTable = new Table(this, 'IdempotencyTable', {
      partitionKey: { name: IDEMPOTENCY_KEY_ATTRIBUTE, type: AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TTL_ATTRIBUTE,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    if (props.receipts) {
      this.receiptsQueue = new Queue(this, 'ReceiptsQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        // Receipts are read by the verify command right after a run; a day is plenty and bounds what piles up.
        retentionPeriod: Duration.days(1),
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const reason =
        'Receipts queue: a verification sink read and deleted by the verify command only; no function consumes it, so no receive can fail and a DLQ would never receive anything.';
      acknowledge(this.receiptsQueue, { 'AwsSolutions-SQS3': reason, 'Serverless-SQSRedrivePolicy': reason });
    }
  }

  /** Least privilege for Powertools Idempotency: item reads and writes on this table only. */
  grantIdempotency(grantee: IGrantable): void {
    this.idempotencyTable.grant(
      grantee,
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    );
  }
}
