import { Partitioners, type ICustomPartitioner, type Message, type RecordMetadata } from 'kafkajs';
import { murmur2 } from './murmur2';

/**
 * Where the acknowledged records landed (topic, partition, offset). The MSK event source's on-failure destination
 * names a failed batch only by topic, partition and offset range, never by record content, so `npm run verify`
 * needs these positions to tell which message ids a failed batch held. kafkajs answers a send with each partition's
 * base offset only; the records of one partition in one send form one record batch with consecutive offsets in send
 * order, so the partition each record went to (noted by {@link recordingPartitioner}) gives every record's offset.
 */

/** Consecutive offsets of one partition: `ids[i]` is at `firstOffset + i`. */
export interface KafkaOffsetRun {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are 64-bit: a decimal string, as the MSK event and the on-failure record carry them. */
  readonly firstOffset: string;
  readonly ids: readonly string[];
}

/** The partition kafkajs last chose for each record object (a retry after a metadata refresh chooses again). */
const chosenPartition = new WeakMap<Message, number>();

/**
 * kafkajs's default (Java-compatible) partitioner, unchanged in its choices, noting each record's partition so the
 * producer can report offsets. A keyed record goes to murmur2(key) made positive, modulo the partition count, as in
 * kafkajs and the Java client, hashed by ./murmur2.ts (the same function without kafkajs's 64-bit `Long` objects);
 * a record with an explicit partition or without a key is left to kafkajs's own partitioner (round robin over the
 * available partitions). Passing it explicitly also silences kafkajs's warning about the default partitioner having
 * changed in v2.
 */
export const recordingPartitioner: ICustomPartitioner = () => {
  const unkeyed = Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    const partition =
      (message.partition === null || message.partition === undefined) &&
      message.key !== null &&
      message.key !== undefined
        ? (murmur2(message.key) & 0x7fffffff) % partitionMetadata.length
        : unkeyed(args);
    chosenPartition.set(message, partition);
    return partition;
  };
};

/**
 * The offset runs of one acknowledged send: `records[i]` carries message id `ids[i]`. A record whose partition was
 * not noted (a producer built without {@link recordingPartitioner}) or whose partition has no base offset in the
 * answer is left out: verify then cannot place it in an on-failure range, and says so if it goes missing.
 */
export function offsetRunsOf(
  topic: string,
  records: readonly Message[],
  ids: readonly string[],
  metadata: readonly RecordMetadata[] | undefined,
): KafkaOffsetRun[] {
  const idsByPartition = new Map<number, string[]>();
  records.forEach((record, i) => {
    const partition = chosenPartition.get(record);
    if (partition === undefined) return;
    const list = idsByPartition.get(partition) ?? [];
    list.push(ids[i]);
    idsByPartition.set(partition, list);
  });
  const runs: KafkaOffsetRun[] = [];
  for (const [partition, partitionIds] of idsByPartition) {
    const base = metadata?.find((m) => m.topicName === topic && m.partition === partition)?.baseOffset;
    // acks=0 answers -1; anything not a non-negative whole number cannot be turned into offsets.
    if (base === undefined || !/^\d+$/.test(base)) continue;
    runs.push({ topic, partition, firstOffset: base, ids: partitionIds });
  }
  return runs;
}
