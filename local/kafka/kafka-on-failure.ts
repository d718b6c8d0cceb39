import type { SQSClient } from '@aws-sdk/client-sqs';
import { KAFKA_PROPERTY_HEADERS } from '../../lambda/kafka-bridge/kafka-event';
import type { DeadLetter } from '../../verify/accounting';
import { drainOnce } from '../../verify/queue-drain';
import type { FetchedRecord, OnFailureRecord } from './kafka-invoke';

/**
 * Reads the MSK event source's on-failure destination. Like AWS's SQS destination it holds metadata only (topic,
 * partition, first and last offset), so a dead letter is the set of records in that range; the ids come from the
 * records the emulator handed over (`remember`), the way an operator would read those offsets back from the topic.
 */
export class KafkaOnFailureReader {
  private readonly idsByPosition = new Map<string, string>();

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Notes the message ids of a batch the event source is giving up on. */
  remember(records: readonly FetchedRecord[]): void {
    for (const { topic, partition, message } of records) {
      const header = message.headers?.[KAFKA_PROPERTY_HEADERS.messageId];
      const id =
        header === undefined ? message.key?.toString('utf8') : String(Array.isArray(header) ? header[0] : header);
      if (id !== undefined) this.idsByPosition.set(`${topic}/${partition}/${message.offset}`, id);
    }
  }

  /** One pass over the destination; the dead letters whose id is in `ids`. */
  async drain(ids: ReadonlySet<string>): Promise<DeadLetter[]> {
    const batches = await drainOnce({
      client: this.client,
      queueUrl: this.queueUrl,
      parse: (m) => parseOnFailureRecord(m.Body),
    });
    const found: DeadLetter[] = [];
    for (const info of batches) {
      for (let offset = BigInt(info.firstOffset); offset <= BigInt(info.lastOffset); offset++) {
        const id = this.idsByPosition.get(`${info.topic}/${info.partition}/${offset}`);
        if (id !== undefined && ids.has(id)) found.push({ id, queue: 'kafka-on-failure' });
      }
    }
    return found;
  }
}

/** The batch an on-failure record names; undefined for anything else. */
export function parseOnFailureRecord(body: string | undefined): OnFailureRecord['KafkaBatchInfo'] | undefined {
  try {
    const info = (JSON.parse(body ?? '') as Partial<OnFailureRecord>).KafkaBatchInfo;
    return info && typeof info.topic === 'string' && /^\d+$/.test(info.firstOffset) && /^\d+$/.test(info.lastOffset)
      ? info
      : undefined;
  } catch {
    return undefined;
  }
}
