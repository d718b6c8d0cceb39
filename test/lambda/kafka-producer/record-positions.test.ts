import { randomUUID } from 'node:crypto';
import { Partitioners, type Message, type PartitionerArgs, type RecordMetadata } from 'kafkajs';
import { offsetRunsOf, recordingPartitioner } from '../../../lambda/kafka-producer/record-positions';
import { partitionMetadata } from './partition-metadata';

const args = (message: Message): PartitionerArgs => ({ topic: 't', partitionMetadata: partitionMetadata(3), message });
const record = (key: string): Message => ({ key, value: `{"id":"${key}"}` });
const meta = (partition: number, baseOffset: string): RecordMetadata => ({
  topicName: 't',
  partition,
  errorCode: 0,
  baseOffset,
});

describe('recordingPartitioner', () => {
  test("chooses exactly as kafkajs's default partitioner (murmur2 of the key), so partitioning is unchanged", () => {
    const recording = recordingPartitioner();
    const plain = Partitioners.DefaultPartitioner();
    const keys = [
      ...Array.from({ length: 50 }, (_, i) => `key-${i}`),
      ...Array.from({ length: 500 }, () => randomUUID()),
      ...Array.from({ length: 50 }, (_, i) => `schlüssel-${i}`),
    ];
    for (const count of [1, 3, 7, 12]) {
      const many: PartitionerArgs = { topic: 't', partitionMetadata: partitionMetadata(count), message: record('') };
      const on = (choose: typeof plain, key: string | Buffer) => choose({ ...many, message: { key, value: 'v' } });
      expect(keys.map((k) => on(recording, k))).toEqual(keys.map((k) => on(plain, k)));
      expect(keys.map((k) => on(recording, Buffer.from(k)))).toEqual(keys.map((k) => on(plain, Buffer.from(k))));
    }
    expect(new Set(keys.map((k) => plain(args(record(k))))).size).toBe(3);
  });

  test('a record with an explicit partition keeps it; one without a key goes round robin, as in kafkajs', () => {
    const recording = recordingPartitioner();
    expect(recording(args({ key: 'k', value: 'v', partition: 2 }))).toBe(2);
    const unkeyed = Array.from({ length: 6 }, () => recording(args({ value: 'v' })));
    expect(new Set(unkeyed)).toEqual(new Set([0, 1, 2]));
    expect(unkeyed.slice(3)).toEqual(unkeyed.slice(0, 3));
  });
});

describe('offsetRunsOf', () => {
  test('numbers each partition’s records from its base offset, in send order', () => {
    const choose = recordingPartitioner();
    const records = Array.from({ length: 12 }, (_, i) => record(`m${i}`));
    const partitions = records.map((r) => choose(args(r)));
    const ids = records.map((r) => String(r.key));
    const runs = offsetRunsOf('t', records, ids, [meta(0, '100'), meta(1, '7'), meta(2, '9007199254740993')]);
    expect(runs.map((r) => r.partition).sort()).toEqual([...new Set(partitions)].sort());
    for (const run of runs) {
      expect(run.topic).toBe('t');
      expect(run.ids).toEqual(ids.filter((_, i) => partitions[i] === run.partition));
    }
    // 64-bit offsets stay exact: decimal strings, never JavaScript numbers.
    expect(runs.find((r) => r.partition === 2)?.firstOffset).toBe('9007199254740993');
    expect(runs.find((r) => r.partition === 0)?.firstOffset).toBe('100');
  });

  test('leaves out records whose partition was not noted or whose partition has no usable base offset', () => {
    const choose = recordingPartitioner();
    const noted = [record('a'), record('b'), record('c')];
    const partitionOf = noted.map((r) => choose(args(r)));
    const unnoted = record('never-partitioned');
    const all = [...noted, unnoted];
    const ids = all.map((r) => String(r.key));
    // acks=0 answers -1, and a partition may be missing from the answer: neither gives offsets.
    const metadata = [meta(partitionOf[0], '-1')];
    const runs = offsetRunsOf('t', all, ids, metadata);
    expect(runs.flatMap((r) => r.ids)).not.toContain('never-partitioned');
    expect(runs.flatMap((r) => r.ids)).not.toContain('a');
    expect(offsetRunsOf('t', all, ids, undefined)).toEqual([]);
  });
});
