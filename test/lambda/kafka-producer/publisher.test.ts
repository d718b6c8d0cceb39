import '../support/quiet';
import type { ProducerRecord, RecordMetadata } from 'kafkajs';
import { createKafkaProducerHandler } from '../../../lambda/kafka-producer/handler';
import type { KafkaProducerSource } from '../../../lambda/kafka-producer/kafka-connection';
import { kafkaRecordOf, produceAcknowledged } from '../../../lambda/kafka-producer/publisher';
import { recordingPartitioner } from '../../../lambda/kafka-producer/record-positions';
import { partitionMetadata } from './partition-metadata';
import type { OutgoingMessage } from '../../../lambda/producer/event';
import { InvalidProducerEventError } from '../../../lambda/shared/errors';
import { quietLogger } from '../support/quiet';

const metrics = { addMetric: () => undefined, publishStoredMetrics: () => undefined };
const message = (i: number, poison = false): OutgoingMessage => ({
  id: `m${i}`,
  correlationId: `m${i}`,
  body: Buffer.from(`{"n":${i}}`),
  poison,
});

/** A producer that acknowledges, rejects or never answers each send, and records them. */
function fakeProducer(answer: (call: number) => 'ack' | Error | 'hang' = () => 'ack') {
  const sends: ProducerRecord[] = [];
  return {
    sends,
    send: (record: ProducerRecord): Promise<RecordMetadata[]> => {
      sends.push(record);
      const a = answer(sends.length);
      if (a === 'hang') return new Promise(() => undefined);
      return a === 'ack' ? Promise.resolve([]) : Promise.reject(a);
    },
  };
}

describe('produceAcknowledged', () => {
  it('sends with acks=all in chunks and counts a message only once its chunk is acknowledged', async () => {
    const producer = fakeProducer();
    const outcome = await produceAcknowledged(
      producer,
      [0, 1, 2, 3, 4].map((i) => message(i)),
      { topic: 't', chunkSize: 2 },
    );
    expect(producer.sends.map((s) => [s.acks, s.topic, s.messages.length])).toEqual([
      [-1, 't', 2],
      [-1, 't', 2],
      [-1, 't', 1],
    ]);
    expect(outcome.acknowledged.map((m) => m.id)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(outcome.failed).toEqual([]);
  });

  it('fails a rejected chunk and every later one, which it no longer sends', async () => {
    const producer = fakeProducer((call) => (call === 2 ? new Error('NOT_ENOUGH_REPLICAS') : 'ack'));
    const outcome = await produceAcknowledged(
      producer,
      [0, 1, 2, 3, 4].map((i) => message(i, i === 4)),
      {
        topic: 't',
        chunkSize: 2,
      },
    );
    expect(producer.sends).toHaveLength(2);
    expect(outcome.acknowledged.map((m) => m.id)).toEqual(['m0', 'm1']);
    expect(outcome.failed).toEqual([
      { id: 'm2', poison: false, code: 'send-failed', reason: 'Error: NOT_ENOUGH_REPLICAS' },
      { id: 'm3', poison: false, code: 'send-failed', reason: 'Error: NOT_ENOUGH_REPLICAS' },
      { id: 'm4', poison: true, code: 'send-failed', reason: 'Error: NOT_ENOUGH_REPLICAS' },
    ]);
  });

  it('fails a chunk that gets no acknowledgement in time', async () => {
    const outcome = await produceAcknowledged(
      fakeProducer(() => 'hang'),
      [message(0)],
      { topic: 't', sendTimeoutMs: 50 },
    );
    expect(outcome.failed).toEqual([
      { id: 'm0', poison: false, code: 'send-timeout', reason: 'SendTimeout: no acknowledgement within 50 ms' },
    ]);
  });

  it('sends no chunk due after the cutoff: it and every later one fail as deadline, the chunk in flight completes', async () => {
    let now = 1_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      // The first chunk is acknowledged 100 ms later, past the cutoff at 1,050.
      const producer = {
        sends: [] as ProducerRecord[],
        send(record: ProducerRecord): Promise<RecordMetadata[]> {
          this.sends.push(record);
          now += 100;
          return Promise.resolve([]);
        },
      };
      const outcome = await produceAcknowledged(
        producer,
        [0, 1, 2, 3, 4].map((i) => message(i, i === 4)),
        { topic: 't', chunkSize: 2, sendUntil: { at: 1_050, reason: 'not sent: deadline near' } },
      );
      expect(producer.sends).toHaveLength(1);
      expect(outcome.acknowledged.map((m) => m.id)).toEqual(['m0', 'm1']);
      expect(outcome.failed).toEqual([
        { id: 'm2', poison: false, code: 'deadline', reason: 'not sent: deadline near' },
        { id: 'm3', poison: false, code: 'deadline', reason: 'not sent: deadline near' },
        { id: 'm4', poison: true, code: 'deadline', reason: 'not sent: deadline near' },
      ]);
    } finally {
      clock.mockRestore();
    }
  });

  it('answers where each acknowledged chunk landed: partition and offsets from the send’s base offsets', async () => {
    // Partitions as kafkajs would choose them (the recording partitioner notes them), base offsets per partition.
    const choose = recordingPartitioner();
    const next = new Map<number, number>();
    const sends: ProducerRecord[] = [];
    const producer = {
      send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
        sends.push(record);
        const counts = new Map<number, number>();
        for (const m of record.messages) {
          const p = choose({ topic: record.topic, partitionMetadata: partitionMetadata(2), message: m });
          counts.set(p, (counts.get(p) ?? 0) + 1);
        }
        return [...counts].map(([partition, count]) => {
          const base = next.get(partition) ?? 0;
          next.set(partition, base + count);
          return { topicName: record.topic, partition, errorCode: 0, baseOffset: String(base) };
        });
      },
    };
    const outcome = await produceAcknowledged(
      producer,
      Array.from({ length: 9 }, (_, i) => message(i)),
      { topic: 't', chunkSize: 4 },
    );
    const placed = outcome.positions.flatMap((run) =>
      run.ids.map((id, i) => `${run.topic}/${run.partition}/${Number(run.firstOffset) + i}=${id}`),
    );
    expect(placed).toHaveLength(9);
    // Every partition's offsets run 0, 1, 2… across chunks, each id exactly once.
    for (const partition of next.keys()) {
      const offsets = placed.filter((p) => p.startsWith(`t/${partition}/`)).map((p) => Number(p.split(/[/=]/)[2]));
      expect(offsets.sort((a, b) => a - b)).toEqual(offsets.map((_, i) => i));
    }
    expect(new Set(placed.map((p) => p.split('=')[1]))).toEqual(new Set(outcome.acknowledged.map((m) => m.id)));
  });

  it('keys each record by its message id and carries the contract ids as headers', () => {
    expect(kafkaRecordOf(message(7))).toEqual({
      key: 'm7',
      value: Buffer.from('{"n":7}'),
      headers: { 'message-id': 'm7', 'correlation-id': 'm7', 'content-type': 'application/json' },
    });
  });
});

describe('createKafkaProducerHandler', () => {
  const source = (producer: ReturnType<typeof fakeProducer> | Error) => {
    const discarded: string[] = [];
    const connection: KafkaProducerSource = {
      producer: async () => {
        if (producer instanceof Error) throw producer;
        return producer as never;
      },
      discard: (reason) => void discarded.push(reason),
      close: async () => undefined,
    };
    return { connection, discarded };
  };
  let n = 0;
  const handler = (connection: KafkaProducerSource) =>
    createKafkaProducerHandler({
      connection,
      config: { topic: 'events' },
      newId: () => `id${n++}`,
      logger: quietLogger,
      metrics,
    });

  it('refuses a body over its size limit before producing anything, naming the field, the value and the limit', async () => {
    const producer = fakeProducer();
    const limited = createKafkaProducerHandler({
      connection: source(producer).connection,
      config: { topic: 'events', sizeLimit: { maxBodyBytes: 1_000 } },
      logger: quietLogger,
      metrics,
    });
    await expect(limited({ count: 1, size: 1_001 })).rejects.toThrow(InvalidProducerEventError);
    await expect(limited({ count: 1, size: 1_001 })).rejects.toThrow(/size.*1001.*an integer from 0 to 1000 bytes/);
    expect(producer.sends).toHaveLength(0);
    expect((await limited({ count: 1, size: 1_000 })).confirmed).toBe(1);
  });

  it('answers like the RabbitMQ producer: run id, good and poison ids acknowledged, the topic', async () => {
    const { connection } = source(fakeProducer());
    const result = await handler(connection)({ count: 2, poison: 1, runId: 'r1' });
    expect(result).toMatchObject({ runId: 'r1', published: 3, confirmed: 3, failed: [], topic: 'events' });
    // The fake producer notes no partitions and answers no base offsets: no positions, rather than wrong ones.
    expect(result.positions).toEqual([]);
    expect(result.ids).toHaveLength(2);
    expect(result.poisonIds).toHaveLength(1);
  });

  it('reports every message as failed when it cannot connect, and discards a producer after a failed send', async () => {
    const down = await handler(source(new Error('ECONNREFUSED')).connection)({ count: 2 });
    expect(down.failed.map((f) => f.code)).toEqual(['connection-failed', 'connection-failed']);
    expect(down.confirmed).toBe(0);
    const broken = source(fakeProducer(() => new Error('boom')));
    const result = await handler(broken.connection)({ count: 1 });
    expect(result.failed[0]).toMatchObject({ code: 'send-failed' });
    expect(broken.discarded).toEqual(['Error: boom']);
  });

  it('with a Lambda context, stops before the deadline less the send timeout and keeps the producer', async () => {
    const producer = fakeProducer();
    const { connection, discarded } = source(producer);
    const timed = createKafkaProducerHandler({
      connection,
      config: { topic: 'events', sendTimeoutMs: 1_000, chunkSize: 2 },
      logger: quietLogger,
      metrics,
    });
    // 1,200 ms left: less the 1,000 ms send timeout and the 250 ms report reserve, nothing may be sent any more.
    const late = await timed({ count: 3 }, { getRemainingTimeInMillis: () => 1_200 });
    expect(producer.sends).toHaveLength(0);
    expect(late.confirmed).toBe(0);
    expect(late.failed.map((f) => f.code)).toEqual(['deadline', 'deadline', 'deadline']);
    expect(late.failed[0].reason).toBe(
      "not sent: the invocation's deadline is near (1200 ms left when it began, less the 1000 ms send timeout and " +
        '250 ms to report)',
    );
    expect(discarded).toEqual([]);
    // With time to spare, everything is sent.
    const early = await timed({ count: 3 }, { getRemainingTimeInMillis: () => 60_000 });
    expect(early.confirmed).toBe(3);
    expect(producer.sends).toHaveLength(2);
  });

  it('refuses an invalid event before sending anything, with the field and the allowed range', async () => {
    const producer = fakeProducer();
    await expect(handler(source(producer).connection)({ count: -1 })).rejects.toThrow(InvalidProducerEventError);
    await expect(handler(source(producer).connection)({ count: -1 })).rejects.toThrow(/count/);
    expect(producer.sends).toHaveLength(0);
  });
});
