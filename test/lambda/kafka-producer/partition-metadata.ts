import type { PartitionMetadata } from 'kafkajs';

/** `count` partitions, each with a leader: what kafkajs hands a partitioner from a healthy topic's metadata. */
export function partitionMetadata(count: number): PartitionMetadata[] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));
}
