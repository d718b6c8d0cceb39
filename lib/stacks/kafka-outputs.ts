/**
 * Stack output keys of the Kafka source (present only when `kafka.enabled`). A file of its own, free of CDK imports,
 * so that `npm run verify` reads the same keys the stack writes without loading the CDK.
 */
export const KAFKA_OUTPUTS = {
  clusterArn: 'KafkaClusterArn',
  bootstrapBrokers: 'KafkaBootstrapBrokersSaslIam',
  topic: 'KafkaTopic',
  producerFunctionName: 'KafkaProducerFunctionName',
  onFailureQueueUrl: 'KafkaOnFailureQueueUrl',
} as const;
