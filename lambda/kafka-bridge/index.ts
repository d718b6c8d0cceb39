import { SQSClient } from '@aws-sdk/client-sqs';
import { integerEnv, optionalEnv, requiredEnv } from '../shared/env';
import { createKafkaBridgeHandler } from './handler';

// Module scope: one SQS client (and its connection pool) per container.
const env = process.env;

export const handler = createKafkaBridgeHandler({
  sqs: new SQSClient({}),
  config: {
    queueUrl: requiredEnv(env, 'TARGET_QUEUE_URL', 'the URL of the SQS queue to forward to'),
    parallelism: integerEnv(env, 'SEND_PARALLELISM', 4, 1, 50),
    messageGroupIdField: optionalEnv(env, 'MESSAGE_GROUP_ID_FIELD'),
  },
});
