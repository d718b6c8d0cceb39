import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import { Peer, Port } from 'aws-cdk-lib/aws-ec2';
import { Architecture } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { privateSubnetAzs } from '../config/kafka-rules';
import { stackNameFor } from '../config/stage-config';
import { KafkaMonitoring } from '../constructs/kafka/kafka-monitoring';
import { KafkaSource } from '../constructs/kafka/kafka-source';
import type { IntegrationStack } from './integration-stack';
import { KAFKA_OUTPUTS } from './kafka-outputs';

export { KAFKA_OUTPUTS } from './kafka-outputs';

/**
 * Adds the Kafka source to a stack whose network, queues and monitoring exist: the MSK cluster and topic, the Kafka
 * functions and mapping, their network access to the AWS APIs, alarms and a dashboard row, and outputs. Kept out of
 * the stack class so that all of Kafka stays in the Kafka files.
 */
export function addKafkaSource(stack: IntegrationStack): KafkaSource {
  const { config, network } = stack;
  const f = config.functions;
  const kafka = new KafkaSource(stack, 'Kafka', {
    vpc: network.vpc,
    vpcSubnets: network.privateSubnets,
    availabilityZones: privateSubnetAzs(config.network),
    clusterName: `mq-cloud-integration-${config.stage}`,
    kafka: config.kafka,
    targetQueue: stack.queues.queue,
    messageGroupIdField: config.queues.messageGroupIdField,
    sendParallelism: f.bridge.sendParallelism,
    runtime: f.runtime,
    architecture: f.architecture === 'x86_64' ? Architecture.X86_64 : Architecture.ARM_64,
    tracing: f.tracing,
    logLevel: f.logLevel,
    metricsNamespace: stackNameFor(config.stage),
    logRetention: config.logRetentionDays as RetentionDays,
    removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
  // The MSK event source's pollers run with the cluster's security group and call STS, Lambda and (on failure) SQS.
  if (network.endpointSecurityGroup) network.allowEndpointAccessFrom(kafka.cluster);
  else kafka.cluster.connections.allowTo(Peer.anyIpv4(), Port.tcp(443), 'AWS APIs through the NAT gateway');

  new KafkaMonitoring(stack, 'KafkaMonitoring', {
    cluster: kafka.cluster,
    functions: kafka.functions,
    brokerCount: config.kafka.cluster.brokerCount,
    thresholds: config.kafka.alarms,
    alarmTopic: stack.monitoring.alarmTopic,
    dashboard: stack.monitoring.dashboard,
  });

  const out = (id: string, value: string, description: string) => new CfnOutput(stack, id, { value, description });
  out(KAFKA_OUTPUTS.clusterArn, kafka.cluster.clusterArn, 'MSK cluster (IAM authentication only)');
  out(
    KAFKA_OUTPUTS.bootstrapBrokers,
    kafka.cluster.bootstrapBrokersSaslIam,
    'host:9098 of the IAM listeners (inside the VPC)',
  );
  out(KAFKA_OUTPUTS.topic, kafka.cluster.topicName, 'Kafka topic the producer writes and the MSK event source reads');
  out(
    KAFKA_OUTPUTS.producerFunctionName,
    kafka.functions.producer.functionName,
    'Kafka producer function (invoke it to produce)',
  );
  out(
    KAFKA_OUTPUTS.onFailureQueueUrl,
    kafka.functions.onFailureQueue.queueUrl,
    'Batches the MSK event source gave up on',
  );
  return kafka;
}
