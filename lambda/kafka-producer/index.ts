import { integerEnv, requiredEnv } from '../shared/env';
import { messageSizeLimitFromEnv } from '../shared/message-size';
import { createKafkaProducerSource } from './kafka-connection';
import { createKafkaProducerHandler } from './handler';
import { DEFAULT_SEND_TIMEOUT_MS } from './publisher';

// Module scope: one producer per container, so warm invocations reuse the connection and the IAM session.
const env = process.env;

const connection = createKafkaProducerSource({
  brokers: requiredEnv(env, 'KAFKA_BOOTSTRAP_BROKERS', 'comma-separated host:port of the MSK IAM listeners')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== ''),
  clientId: env.AWS_LAMBDA_FUNCTION_NAME ?? 'mq-cloud-integration-kafka-producer',
  // IAM authentication (TLS + SASL OAUTHBEARER signed for the function's region) is the only way into the cluster.
  iamRegion: requiredEnv(env, 'AWS_REGION', 'the region Lambda sets'),
});

export const handler = createKafkaProducerHandler({
  connection,
  config: {
    topic: requiredEnv(env, 'KAFKA_TOPIC', 'the topic to produce to'),
    sendTimeoutMs: integerEnv(env, 'SEND_TIMEOUT_MS', DEFAULT_SEND_TIMEOUT_MS, 100, 900_000),
    sizeLimit: messageSizeLimitFromEnv(env),
  },
});
