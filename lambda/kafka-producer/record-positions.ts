import { Partitioners, type ICustomPartitioner, type Message, type RecordMetadata } from 'kafkajs';

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
 * kafkajs's default (Java-compatible, murmur2 of the key) partitioner, unchanged in its choices, noting each
 * record's partition so the producer can report offsets. Passing it explicitly also silences kafkajs's warning
 * about the default partitioner having changed in v2.
 */
export const recordingPartitioner: ICustomPartitioner = () => {
  const choose = Partitioners.DefaultPartitioner();
  return (args) => {
    const partition = choose(args);
    chosenPartition.set(args.message, partition);
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
