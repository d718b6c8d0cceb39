/**
 * The RabbitMQ topology declared as code: what lives inside the broker (Amazon MQ has no API for it).
 * Applied by the topology custom resource in AWS and by the same applier against a local broker.
 */

/**
 * Exchange types: RabbitMQ's built-in ones and `x-consistent-hash` (plugin `rabbitmq_consistent_hash_exchange`, enabled
 * on Amazon MQ for RabbitMQ and by scripts/ensure-broker.sh), which picks one bound queue by a hash of the routing key;
 * its binding keys are the queues' integer weights.
 */
export type ExchangeType = 'direct' | 'fanout' | 'topic' | 'headers' | 'x-consistent-hash';

/** Queue types this project declares. Classic queues are allowed for dead-letter sinks; sources should be quorum. */
export type QueueType = 'quorum' | 'classic';

/**
 * How a quorum queue hands a message to its dead-letter exchange (`x-dead-letter-strategy`). `at-most-once` (RabbitMQ's
 * default) publishes and forgets: a message the dead-letter target cannot take is dropped. `at-least-once` keeps the
 * message in the source queue until the target confirms it, retrying meanwhile; it needs overflow `reject-publish`.
 */
export type DeadLetterStrategy = 'at-most-once' | 'at-least-once';

/** What a queue at its length limit does with a new message (`x-overflow`). */
export type QueueOverflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

export interface ExchangeDefinition {
  /** Exchange name. */
  readonly name: string;
  /** Routing semantics. @default 'direct' */
  readonly type?: ExchangeType;
  /** Survives a broker restart. @default true */
  readonly durable?: boolean;
}

export interface QueueDefinition {
  /** Queue name. */
  readonly name: string;
  /** @default 'quorum' */
  readonly type?: QueueType;
  /** Deliveries after which RabbitMQ dead-letters a message (`x-delivery-limit`, quorum only). @default - no limit */
  readonly deliveryLimit?: number;
  /** Exchange that receives dead-lettered messages (`x-dead-letter-exchange`); must be declared. @default - none */
  readonly deadLetterExchange?: string;
  /** Routing key used when dead-lettering (`x-dead-letter-routing-key`). @default - the message's own key */
  readonly deadLetterRoutingKey?: string;
  /** Maximum ready messages (`x-max-length`). @default - unbounded */
  readonly maxLength?: number;
  /** Message TTL in milliseconds (`x-message-ttl`). @default - no TTL */
  readonly messageTtlMs?: number;
  /**
   * Dead-lettering guarantee (`x-dead-letter-strategy`, quorum only); `at-least-once` needs `deadLetterExchange` and
   * `overflow: 'reject-publish'`. @default - RabbitMQ's at-most-once
   */
  readonly deadLetterStrategy?: DeadLetterStrategy;
  /**
   * Behaviour at the length limit (`x-overflow`); `reject-publish` nacks new publishes, which the producer reports as
   * failed. Quorum queues support `drop-head` and `reject-publish` only. @default - RabbitMQ's drop-head
   */
  readonly overflow?: QueueOverflow;
}

export interface BindingDefinition {
  /** Source exchange. */
  readonly exchange: string;
  /** Destination queue. */
  readonly queue: string;
  /** Binding key; for an `x-consistent-hash` exchange the queue's weight on the hash ring (`"1"`). @default '' */
  readonly routingKey?: string;
}

export interface PermissionDefinition {
  /** Regex of resources the user may declare/delete. */
  readonly configure: string;
  /** Regex of resources the user may publish to. */
  readonly write: string;
  /** Regex of resources the user may consume from / bind from. */
  readonly read: string;
}

export interface UserDefinition {
  /** Username; each user gets its own generated secret `{ username, password }`. */
  readonly name: string;
  /** Permissions on the topology's vhost. */
  readonly permissions: PermissionDefinition;
  /** Management tags (e.g. 'monitoring'). @default - none */
  readonly tags?: readonly string[];
}

export interface TopologyDefinition {
  /** Virtual host everything below lives in. */
  readonly vhost: string;
  readonly exchanges: readonly ExchangeDefinition[];
  readonly queues: readonly QueueDefinition[];
  readonly bindings: readonly BindingDefinition[];
  readonly users: readonly UserDefinition[];
  /**
   * Exchange the producer publishes to, with the message's ordering key as routing key (the message id, or the FIFO
   * group field): an `x-consistent-hash` exchange sends one key always to the same source queue.
   */
  readonly producerExchange: string;
  /** Queues the RabbitMQ event sources read (the bridge's input), one event source mapping each, in shard order. */
  readonly sourceQueues: readonly string[];
  /** RabbitMQ dead-letter queue that collects messages past the delivery limit. */
  readonly deadLetterQueue: string;
  /** User the producer function connects as. */
  readonly producerUser: string;
  /** User the Lambda event source mapping connects as. */
  readonly eventSourceUser: string;
}

/** Queue type a queue is declared with when the definition leaves it out. */
export const DEFAULT_QUEUE_TYPE: QueueType = 'quorum';

/** Exchange type an exchange is declared with when the definition leaves it out. */
export const DEFAULT_EXCHANGE_TYPE: ExchangeType = 'direct';

/** The `x-` arguments RabbitMQ declares a queue with, derived from its definition (absent options are left out). */
export function queueArguments(queue: QueueDefinition): Record<string, string | number> {
  const args: Record<string, string | number> = { 'x-queue-type': queue.type ?? DEFAULT_QUEUE_TYPE };
  if (queue.deliveryLimit !== undefined) args['x-delivery-limit'] = queue.deliveryLimit;
  if (queue.deadLetterExchange !== undefined) args['x-dead-letter-exchange'] = queue.deadLetterExchange;
  if (queue.deadLetterRoutingKey !== undefined) args['x-dead-letter-routing-key'] = queue.deadLetterRoutingKey;
  if (queue.maxLength !== undefined) args['x-max-length'] = queue.maxLength;
  if (queue.messageTtlMs !== undefined) args['x-message-ttl'] = queue.messageTtlMs;
  if (queue.deadLetterStrategy !== undefined) args['x-dead-letter-strategy'] = queue.deadLetterStrategy;
  if (queue.overflow !== undefined) args['x-overflow'] = queue.overflow;
  return args;
}

/** Escapes a name for use inside a RabbitMQ permission regex. */
export function exactName(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}

/** Queue name of shard `index`: shard 0 keeps the unsharded name, so a deployed one-queue stack keeps its queue. */
export function shardQueueName(base: string, index: number): string {
  return index === 0 ? base : `${base}.${index}`;
}

/** A permission regex matching exactly these names (one name: the same regex as `exactName`). */
export function exactNames(names: readonly string[]): string {
  if (names.length === 1) return exactName(names[0]);
  return `^(${names.map((n) => exactName(n).slice(1, -1)).join('|')})$`;
}

/** Binding key of every shard queue on the consistent-hash exchange: equal weights, so equal shares of the keys. */
export const SHARD_WEIGHT = '1';

/**
 * The default topology: the producer's consistent-hash exchange → `shards` quorum queues with a delivery limit, each
 * dead-lettered at least once to one fanout DLX and one RabbitMQ DLQ (a message past the limit stays in its source
 * queue until the dead-letter queue has confirmed it).
 */
export function defaultTopology(overrides: { deliveryLimit?: number; shards?: number } = {}): TopologyDefinition {
  const exchange = 'events.by-key';
  const deadLetterExchange = 'events.dead-letter';
  const deadLetterQueue = 'events.dead-letter';
  const sourceQueues = Array.from({ length: overrides.shards ?? 1 }, (_, i) => shardQueueName('events.to-sqs', i));
  return {
    vhost: 'integration',
    exchanges: [
      { name: exchange, type: 'x-consistent-hash', durable: true },
      { name: deadLetterExchange, type: 'fanout', durable: true },
    ],
    queues: [
      ...sourceQueues.map((name): QueueDefinition => ({
        name,
        type: 'quorum',
        deliveryLimit: overrides.deliveryLimit ?? 5,
        deadLetterExchange,
        deadLetterStrategy: 'at-least-once',
        // RabbitMQ dead-letters at least once only with reject-publish; without a length limit nothing is rejected.
        overflow: 'reject-publish',
      })),
      { name: deadLetterQueue, type: 'quorum' },
    ],
    bindings: [
      ...sourceQueues.map((queue) => ({ exchange, queue, routingKey: SHARD_WEIGHT })),
      { exchange: deadLetterExchange, queue: deadLetterQueue, routingKey: '' },
    ],
    users: [
      // Publishing needs write on the exchange only; no configure, no read.
      { name: 'producer', permissions: { configure: '^$', write: exactName(exchange), read: '^$' } },
      // Consuming needs read on the shard queues only; the event sources declare nothing.
      { name: 'event-source', permissions: { configure: '^$', write: '^$', read: exactNames(sourceQueues) } },
    ],
    producerExchange: exchange,
    sourceQueues,
    deadLetterQueue,
    producerUser: 'producer',
    eventSourceUser: 'event-source',
  };
}
