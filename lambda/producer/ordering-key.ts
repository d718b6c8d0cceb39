import { messageGroupId } from '../bridge/sqs-entries';
import type { OutgoingMessage } from './event';

/**
 * The routing key the producer publishes each message with: its ordering key. The exchange is a consistent-hash
 * exchange that hashes the routing key onto one of the shard queues, so messages with one key always share a shard
 * and its single event source mapping, which keeps their order end to end.
 *
 * - Standard queues: the message id (every message is its own key; the hash spreads them evenly).
 * - FIFO queues: the FIFO group, computed exactly as the bridge computes the SQS `MessageGroupId` (same function), so
 *   one SQS message group never spans two shards.
 */
export type RoutingKeyOf = (message: OutgoingMessage) => string;

/** `field` undefined: the message id; otherwise the FIFO group id read from the body's field at that dotted path. */
export function orderingKeyOf(field: string | undefined): RoutingKeyOf {
  if (field === undefined || field === '') return (message) => message.id;
  return (message) => messageGroupId(message.body.toString('utf8'), field);
}

/** What the routing key is, in words (the producer's answer and its log carry it). */
export function describeOrderingKey(field: string | undefined): string {
  return field ? `FIFO group field ${field}` : 'message id';
}
