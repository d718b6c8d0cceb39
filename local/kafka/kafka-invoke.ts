import type { KafkaMessage } from 'kafkajs';
import {
  kafkaItemIdentifier,
  type KafkaEventInput,
  type KafkaRecordInput,
} from '../../lambda/kafka-bridge/kafka-event';

/**
 * The pure part of the MSK event-source emulator: building the event Lambda sends for one partition's batch, and
 * reading the function's answer (error, partial batch response or success), as AWS documents them.
 */

/** ARN the local event source stamps on events (shaped like an MSK cluster ARN). */
export const LOCAL_KAFKA_CLUSTER_ARN =
  'arn:aws:kafka:local:000000000000:cluster/local-kafka/00000000-0000-0000-0000-000000000000-1';

/** One record of a partition batch, as fetched. */
export interface FetchedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

function headersOf(message: KafkaMessage): KafkaRecordInput['headers'] {
  const out: Record<string, number[]>[] = [];
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one === undefined) continue;
      out.push({ [name]: [...(Buffer.isBuffer(one) ? one : Buffer.from(String(one), 'utf8'))] });
    }
  }
  return out;
}

/** The MSK event for `records` (one or more partitions), keys `"topic-partition"`, key and value in base64. */
export function buildKafkaEvent(
  records: readonly FetchedRecord[],
  bootstrapServers: string,
  eventSourceArn = LOCAL_KAFKA_CLUSTER_ARN,
): KafkaEventInput {
  const grouped: Record<string, KafkaRecordInput[]> = {};
  for (const { topic, partition, message } of records) {
    (grouped[`${topic}-${partition}`] ??= []).push({
      topic,
      partition,
      offset: Number(message.offset),
      timestamp: Number(message.timestamp),
      timestampType: 'CREATE_TIME',
      key: message.key === null ? null : message.key.toString('base64'),
      value: message.value === null ? null : message.value.toString('base64'),
      headers: headersOf(message),
    });
  }
  return { eventSource: 'aws:kafka', eventSourceArn, bootstrapServers, records: grouped };
}

/** What one invocation's answer means for the batch. */
export type InvocationOutcome =
  | { readonly kind: 'success' }
  | { readonly kind: 'error'; readonly reason: string }
  /** Records from `firstFailed` on are retried; those before it are done. */
  | { readonly kind: 'partial'; readonly firstFailed: number; readonly reason: string };

/**
 * Reads the function's answer. With `ReportBatchItemFailures`, an empty or absent list is success and the batch
 * resumes from the lowest failed record; an identifier that names no record of the batch fails the whole batch
 * (as Lambda treats a malformed response). Without it, any return is success.
 */
export function invocationOutcome(
  batch: readonly FetchedRecord[],
  result: unknown,
  reportBatchItemFailures: boolean,
): InvocationOutcome {
  if (!reportBatchItemFailures || result === null || typeof result !== 'object') return { kind: 'success' };
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success' };
  if (!Array.isArray(failures)) return { kind: 'error', reason: 'batchItemFailures is not a list' };
  if (failures.length === 0) return { kind: 'success' };
  const positions = new Map(
    batch.map((r, i) => [kafkaItemIdentifier({ topic: r.topic, partition: r.partition, offset: r.message.offset }), i]),
  );
  let firstFailed = batch.length;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = typeof id === 'string' ? positions.get(id) : undefined;
    if (index === undefined) {
      return { kind: 'error', reason: `batchItemFailures names ${JSON.stringify(id)}, which is not in the batch` };
    }
    firstFailed = Math.min(firstFailed, index);
  }
  return { kind: 'partial', firstFailed, reason: `${failures.length} records reported failed` };
}

/** What the on-failure destination receives for a batch given up on (metadata only, as for SQS destinations). */
export interface OnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: 'RetryAttemptsExhausted';
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: { readonly statusCode: number; readonly functionError: string };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly KafkaBatchInfo: {
    readonly batchSize: number;
    readonly eventSourceArn: string;
    readonly bootstrapServers: string;
    readonly topic: string;
    readonly partition: number;
    readonly firstOffset: string;
    readonly lastOffset: string;
    readonly reason: string;
  };
}
