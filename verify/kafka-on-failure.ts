import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter } from './accounting';
import { drainOnce } from './queue-drain';

/**
 * Reads the MSK event source's on-failure destination, for `npm run verify -- --source kafka` and the local Kafka
 * run alike. The SQS destination holds metadata only (topic, partition, first and last offset; Lambda guide,
 * "Capturing discarded batches for an Amazon MSK event source"), so a dead letter is every record in that range;
 * which message ids those are comes from positions noted beforehand (`remember`): the producer's answer in AWS,
 * the records the event-source emulator handed over locally.
 */

/** A message id at a topic position. */
export interface KafkaRecordPosition {
  readonly topic: string;
  readonly partition: number;
  /** Decimal string: Kafka offsets are 64-bit. */
  readonly offset: string;
  readonly id: string;
}

/** The batch an on-failure record names. */
export interface KafkaFailedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: string;
  readonly lastOffset: string;
}

export class KafkaOnFailureReader {
  private readonly idsByPosition = new Map<string, string>();
  private readonly batches: KafkaFailedBatch[] = [];

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Notes which message id sits at each position, so a failed batch's range can be named by ids. */
  remember(positions: Iterable<KafkaRecordPosition>): void {
    for (const { topic, partition, offset, id } of positions) {
      this.idsByPosition.set(positionKey(topic, partition, BigInt(offset)), id);
    }
  }

  /** Every failed batch the drain passes found so far (for the report: topic, partition, offset range). */
  get failedBatches(): readonly KafkaFailedBatch[] {
    return this.batches;
  }

  /**
   * One pass over the destination; the dead letters whose id is in `ids`. Only records naming a remembered position
   * are taken (and deleted, like the run's receipts): another batch stays for whoever owns it (the depth alarm).
   */
  async drain(ids: ReadonlySet<string>): Promise<DeadLetter[]> {
    const batches = await drainOnce({
      client: this.client,
      queueUrl: this.queueUrl,
      parse: (m) => {
        const batch = parseOnFailureRecord(m.Body);
        return batch && this.idsIn(batch).length > 0 ? batch : undefined;
      },
    });
    this.batches.push(...batches);
    return batches.flatMap((batch) =>
      this.idsIn(batch)
        .filter((id) => ids.has(id))
        .map((id) => ({ id, queue: 'kafka-on-failure' as const })),
    );
  }

  /** The remembered ids in a failed batch's offset range. */
  private idsIn(batch: KafkaFailedBatch): string[] {
    const found: string[] = [];
    for (let offset = BigInt(batch.firstOffset); offset <= BigInt(batch.lastOffset); offset++) {
      const id = this.idsByPosition.get(positionKey(batch.topic, batch.partition, offset));
      if (id !== undefined) found.push(id);
    }
    return found;
  }
}

function positionKey(topic: string, partition: number, offset: bigint): string {
  return `${topic}/${partition}/${offset}`;
}

/** The batch an on-failure record names; undefined for anything else. */
export function parseOnFailureRecord(body: string | undefined): KafkaFailedBatch | undefined {
  try {
    const info = (JSON.parse(body ?? '') as { KafkaBatchInfo?: Partial<KafkaFailedBatch> }).KafkaBatchInfo;
    return info &&
      typeof info.topic === 'string' &&
      typeof info.partition === 'number' &&
      /^\d+$/.test(info.firstOffset ?? '') &&
      /^\d+$/.test(info.lastOffset ?? '')
      ? {
          topic: info.topic,
          partition: info.partition,
          firstOffset: info.firstOffset as string,
          lastOffset: info.lastOffset as string,
        }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The positions of a Kafka producer answer's offset runs (`ids[i]` at `firstOffset + i`). */
export function positionsOfRuns(
  runs: readonly {
    readonly topic: string;
    readonly partition: number;
    readonly firstOffset: string;
    readonly ids: readonly string[];
  }[],
): KafkaRecordPosition[] {
  return runs.flatMap(({ topic, partition, firstOffset, ids }) =>
    ids.map((id, i) => ({ topic, partition, offset: String(BigInt(firstOffset) + BigInt(i)), id })),
  );
}
