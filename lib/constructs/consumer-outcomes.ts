import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { checkIntegerRange, throwIfIssues } from '../config/config-issue';
import {
  DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  MAX_IDEMPOTENCY_EXPIRY_SECONDS,
  MIN_IDEMPOTENCY_EXPIRY_SECONDS,
} from '../config/idempotency';
import { acknowledgeControl, CONTROLS } from '../governance/control-tower';
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
  /**
   * How long a processed message id is remembered: the expiry the consumer writes into each record's TTL attribute
   * (`IDEMPOTENCY_EXPIRY_SECONDS`). Must cover every copy SQS can still bring back (see lib/config/idempotency.ts).
   * @default Duration.days(29) - the longest redelivery window any SQS configuration allows, plus a day
   */
  readonly idempotencyExpiry?: Duration;
}

/**
 * Where the consumer's results go: the DynamoDB table that makes processing idempotent by message id (Powertools
 * Idempotency; each record carries its expiry, `idempotencyExpiry` after it was written, in the TTL attribute, and
 * DynamoDB deletes it some time after that) and, when verification is on, the SQS queue of receipts
 * `{ id, runId, receivedAt, attempt }` the verify command counts.
 */
export class ConsumerOutcomes extends Construct {
  readonly idempotencyTable: Table;
  /** How long an idempotency record lives; pass it to the consumer as `IDEMPOTENCY_EXPIRY_SECONDS`. */
  readonly idempotencyExpiry: Duration;
  /** Present when `receipts` is on. */
  readonly receiptsQueue?: Queue;

  constructor(scope: Construct, id: string, props: ConsumerOutcomesProps = {}) {
    super(scope, id);
    this.idempotencyExpiry = props.idempotencyExpiry ?? Duration.seconds(DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS);
    throwIfIssues(
      `Invalid ConsumerOutcomes '${id}'`,
      checkIntegerRange(
        'props.idempotencyExpiry',
        this.idempotencyExpiry.toSeconds(),
        MIN_IDEMPOTENCY_EXPIRY_SECONDS,
        MAX_IDEMPOTENCY_EXPIRY_SECONDS,
        'seconds (1 minute to 365 days)',
      ),
    );
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
      acknowledgeControl(this.receiptsQueue, CONTROLS.sqsDeadLetterQueue, reason);
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
