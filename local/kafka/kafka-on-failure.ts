import { KAFKA_PROPERTY_HEADERS } from '../../lambda/kafka-bridge/kafka-event';
import type { KafkaRecordPosition } from '../../verify/kafka-on-failure';
import type { FetchedRecord } from './kafka-invoke';

/**
 * Locally the event-source emulator knows which records a failed batch held (AWS sends only the offsets); their
 * positions feed the same on-failure reader `npm run verify` uses (verify/kafka-on-failure.ts).
 */
export function positionsOfFetched(records: readonly FetchedRecord[]): KafkaRecordPosition[] {
  const positions: KafkaRecordPosition[] = [];
  for (const { topic, partition, message } of records) {
    const header = message.headers?.[KAFKA_PROPERTY_HEADERS.messageId];
    const id =
      header === undefined ? message.key?.toString('utf8') : String(Array.isArray(header) ? header[0] : header);
    if (id !== undefined) positions.push({ topic, partition, offset: message.offset, id });
  }
  return positions;
}
