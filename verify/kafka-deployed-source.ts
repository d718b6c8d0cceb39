import { KAFKA_OUTPUTS } from '../lib/stacks/kafka-outputs';
import type { DeployedSourceFactory } from './deployed-source';
import { KafkaOnFailureReader, positionsOfRuns } from './kafka-on-failure';
import { StackOutputsError } from './stack-outputs';

/**
 * Kafka: the Kafka producer function (the RabbitMQ producer's event and answer, plus where each message landed),
 * the shared receipts queue and SQS DLQ (poison records are forwarded by the bridge and dead-lettered by the
 * consumer, as for RabbitMQ), and the MSK event source's on-failure destination, whose records name failed batches
 * by topic, partition and offset range only: the producer's positions turn those ranges back into message ids.
 */

/** The config that switches the Kafka source on (docs/configuration.md, "kafka"). */
export const ENABLE_KAFKA = `-c config='{"kafka":{"enabled":true}}'`;

/** The Kafka outputs verify needs; refuses a stack without the Kafka source with how to enable it. */
export function kafkaStackOutputs(
  stackName: string,
  outputs: ReadonlyMap<string, string>,
): { producerFunctionName: string; onFailureQueueUrl: string; topic?: string; clusterArn?: string } {
  const kafkaKeys = Object.values(KAFKA_OUTPUTS) as string[];
  if (!kafkaKeys.some((key) => outputs.get(key))) {
    throw new StackOutputsError(
      `Stack ${stackName} has no Kafka outputs (${KAFKA_OUTPUTS.producerFunctionName}, ${KAFKA_OUTPUTS.onFailureQueueUrl}): ` +
        `Kafka is not enabled in it. Deploy it with ${ENABLE_KAFKA} to add the Kafka source, ` +
        `or verify its RabbitMQ source without --source kafka.`,
    );
  }
  const required = (key: string): string => {
    const value = outputs.get(key);
    if (value) return value;
    const present = [...outputs.keys()].sort().join(', ');
    throw new StackOutputsError(
      `Stack ${stackName} has no output ${key} (outputs present: ${present}); redeploy it with this version to add it.`,
    );
  };
  return {
    producerFunctionName: required(KAFKA_OUTPUTS.producerFunctionName),
    onFailureQueueUrl: required(KAFKA_OUTPUTS.onFailureQueueUrl),
    topic: outputs.get(KAFKA_OUTPUTS.topic) || undefined,
    clusterArn: outputs.get(KAFKA_OUTPUTS.clusterArn) || undefined,
  };
}

export const kafkaDeployedSource: DeployedSourceFactory = async (clients, outputs, stackName) => {
  const kafka = kafkaStackOutputs(stackName, outputs.all);
  const onFailure = new KafkaOnFailureReader(clients.sqs, kafka.onFailureQueueUrl);
  let unplaced = 0;
  return {
    producerFunctionName: kafka.producerFunctionName,
    noteAnswer: (answer) => {
      const { positions, ids, poisonIds } = answer as {
        positions?: Parameters<typeof positionsOfRuns>[0];
        ids: readonly string[];
        poisonIds: readonly string[];
      };
      const placed = positionsOfRuns(Array.isArray(positions) ? positions : []);
      onFailure.remember(placed);
      unplaced += ids.length + poisonIds.length - placed.length;
    },
    drainDeadLetters: (ids) => onFailure.drain(ids),
    facts: () => ({
      source: 'kafka',
      ...(kafka.clusterArn ? { kafkaCluster: kafka.clusterArn.split('/')[1] ?? kafka.clusterArn } : {}),
      ...(kafka.topic ? { topic: kafka.topic } : {}),
      onFailureBatches: onFailure.failedBatches.length,
      ...(onFailure.failedBatches.length > 0
        ? {
            onFailureRanges: onFailure.failedBatches
              .map((b) => `${b.topic}/${b.partition}@${b.firstOffset}-${b.lastOffset}`)
              .join(' '),
          }
        : {}),
      // Messages whose position the producer did not report cannot be matched to an on-failure range.
      ...(unplaced > 0 ? { messagesWithoutPosition: unplaced } : {}),
    }),
  };
};
