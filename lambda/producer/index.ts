import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { integerEnv, optionalEnv, requiredEnv, urlEnv } from '../shared/env';
import { messageSizeLimitFromEnv } from '../shared/message-size';
import { createAmqpConnectionSource } from './amqp-connection';
import { secretsManagerCredentials } from './credentials';
import { createProducerHandler } from './handler';

// Module scope: built once per container, so warm invocations reuse the connection and the cached secret.
const env = process.env;
const endpoint = urlEnv(env, 'BROKER_AMQPS_ENDPOINT', ['amqps:', 'amqp:']);
const secretArn = optionalEnv(env, 'BROKER_SECRET_ARN');

const connection = createAmqpConnectionSource({
  url: endpoint.href,
  // Without a secret (local broker) the URL's own user info is used.
  credentials: secretArn ? secretsManagerCredentials(new SecretsManagerClient({}), secretArn) : undefined,
  vhost: optionalEnv(env, 'VHOST'),
  connectionName: env.AWS_LAMBDA_FUNCTION_NAME ?? 'mq-cloud-integration-producer',
});

export const handler = createProducerHandler({
  connection,
  config: {
    exchange: requiredEnv(env, 'EXCHANGE', 'the exchange to publish to'),
    routingKey: optionalEnv(env, 'ROUTING_KEY') ?? '',
    confirmTimeoutMs: integerEnv(env, 'CONFIRM_TIMEOUT_MS', 10_000, 100, 900_000),
    sizeLimit: messageSizeLimitFromEnv(env),
  },
});
