import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { IHeaders, KafkaMessage } from 'kafkajs';
import type { KafkaEventInput } from '../lambda/kafka-bridge/kafka-event';
import { ATTRIBUTE } from '../lambda/shared/attributes';
import { KAFKA_RECORD_ATTRIBUTE } from '../lambda/kafka-bridge/kafka-entries';
import { buildMessages, parseProducerEvent } from '../lambda/producer/event';
import { kafkaRecordOf } from '../lambda/kafka-producer/publisher';
import { buildKafkaEvent, type FetchedRecord } from '../local/kafka/kafka-invoke';
import { bridgeLikeAttributes } from './sqs-section';

/**
 * MSK events for the Kafka bridge, carrying what our Kafka producer writes (its bodies, its key and its headers),
 * shaped by the local MSK event source's own builder.
 */

const BOOTSTRAP = '127.0.0.1:9092';

/**
 * `messages` producer records spread over `partitions` partitions of `topic` (by index, with consecutive offsets
 * per partition), as each partition's poller would hand them over: per partition, in offset order, events of at
 * most `recordsPerEvent` records of that partition.
 */
export function buildKafkaBridgeEvents(
  messages: number,
  size: number,
  topic: string,
  partitions: number,
  recordsPerEvent: number,
): KafkaEventInput[][] {
  const timestamp = String(Date.now());
  const byPartition: FetchedRecord[][] = Array.from({ length: partitions }, () => []);
  buildMessages(parseProducerEvent({ count: messages, size })).forEach((m, i) => {
    const record = kafkaRecordOf(m);
    const partition = i % partitions;
    const message: KafkaMessage = {
      key: Buffer.from(record.key as string),
      value: record.value as Buffer,
      timestamp,
      attributes: 0,
      offset: String(byPartition[partition].length),
      headers: record.headers as IHeaders,
    };
    byPartition[partition].push({ topic, partition, message });
  });
  return byPartition.map((records) => {
    const events: KafkaEventInput[] = [];
    for (let start = 0; start < records.length; start += recordsPerEvent) {
      events.push(buildKafkaEvent(records.slice(start, start + recordsPerEvent), BOOTSTRAP));
    }
    return events;
  });
}

/**
 * The attributes the Kafka bridge puts on a producer record: the contract's three and `kafka.record` (topic,
 * partition, offset, timestamp, key), so a raw send can carry the same bytes.
 */
export function kafkaBridgeLikeAttributes(topic: string, partitions: number) {
  const timestamp = Date.now();
  return (index: number): Record<string, MessageAttributeValue> => {
    const contract = bridgeLikeAttributes(index);
    const key = contract[ATTRIBUTE.messageId].StringValue;
    const value = { topic, partition: index % partitions, offset: String(index), timestamp, key };
    return { ...contract, [KAFKA_RECORD_ATTRIBUTE]: { DataType: 'String', StringValue: JSON.stringify(value) } };
  };
}
