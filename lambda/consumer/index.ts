import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { optionalEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { createSqsFailFast } from './fail-fast';
import { createConsumerHandler } from './handler';
import { idempotencyExpirySecondsFromEnv } from './idempotency-expiry';
import { sampleProcessMessage } from './process-message';
import { createSqsReceiptSink } from './receipts';

// Module scope: clients and the idempotency store are built once per container.
const env = process.env;
const receiptsQueueUrl = optionalEnv(env, 'RECEIPTS_QUEUE_URL');
const sourceQueueUrl = optionalEnv(env, 'SOURCE_QUEUE_URL');
const idempotencyTable = optionalEnv(env, 'IDEMPOTENCY_TABLE_NAME');
const idempotencyExpirySeconds = idempotencyExpirySecondsFromEnv(env);
const sqs = new SQSClient({});

if (!idempotencyTable) {
  logger.warn('IDEMPOTENCY_TABLE_NAME is not set: duplicates are absorbed only within this container');
}

export const handler = createConsumerHandler({
  processMessage: sampleProcessMessage,
  persistenceStore: idempotencyTable ? new DynamoDBPersistenceLayer({ tableName: idempotencyTable }) : undefined,
  idempotencyExpirySeconds,
  outcomes: receiptsQueueUrl ? createSqsReceiptSink({ sqs, queueUrl: receiptsQueueUrl }) : undefined,
  failFast: sourceQueueUrl ? createSqsFailFast({ sqs, queueUrl: sourceQueueUrl }) : undefined,
});
