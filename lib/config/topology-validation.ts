import type { QueueDefinition, TopologyDefinition, UserDefinition } from './topology';

/**
 * Synth-time (and apply-time) validation of a RabbitMQ topology definition. Pure: no broker, no CDK.
 * Collects every problem so one run shows them all; each names the field path, the value and what is allowed.
 */

/** Thrown by `validateTopology`; `problems` holds one line per invalid field. */
export class TopologyValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid RabbitMQ topology (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n  - ${problems.join('\n  - ')}`,
    );
    this.name = 'TopologyValidationError';
  }
}

const EXCHANGE_TYPES = ['direct', 'fanout', 'topic', 'headers', 'x-consistent-hash'];
/**
 * Binding keys of an `x-consistent-hash` exchange are weights: the plugin parses them as integers ≥ 1 and places that
 * many points per queue on its ring (an unbounded weight allocates that many points on every node; RabbitMQ now caps it too, rabbitmq-server#16118).
 */
const MAX_HASH_WEIGHT = 1000;
const QUEUE_TYPES = ['quorum', 'classic'];
const DEAD_LETTER_STRATEGIES = ['at-most-once', 'at-least-once'];
const OVERFLOWS = ['drop-head', 'reject-publish', 'reject-publish-dlx'];
/** RabbitMQ limits names (vhosts, exchanges, queues, routing keys) to 255 bytes of UTF-8 (AMQP shortstr). */
const MAX_NAME_BYTES = 255;
/** Amazon MQ's rule for broker usernames; a safe subset of what RabbitMQ itself accepts. */
const USERNAME = /^[A-Za-z0-9\-._~]{2,100}$/;
/** RabbitMQ stores message TTLs as unsigned 32-bit milliseconds. */
const MAX_TTL_MS = 2 ** 32 - 1;

/** Throws `TopologyValidationError` listing every problem; returns normally when the topology is valid. */
export function validateTopology(topology: TopologyDefinition): void {
  const problems: string[] = [];
  const fail = (path: string, value: unknown, allowed: string): void => {
    problems.push(`topology.${path}: got ${JSON.stringify(value)}; ${allowed}`);
  };

  checkName(fail, 'vhost', topology.vhost, false);
  const exchangeNames = checkUnique(fail, 'exchanges', topology.exchanges ?? []);
  const queueNames = checkUnique(fail, 'queues', topology.queues ?? []);
  const userNames = checkUnique(fail, 'users', topology.users ?? []);

  (topology.exchanges ?? []).forEach((exchange, i) => {
    checkName(fail, `exchanges[${i}].name`, exchange.name, true);
    if (exchange.type !== undefined && !EXCHANGE_TYPES.includes(exchange.type)) {
      fail(`exchanges[${i}].type`, exchange.type, `allowed: ${EXCHANGE_TYPES.join(', ')}`);
    }
    if (exchange.durable !== undefined && typeof exchange.durable !== 'boolean') {
      fail(`exchanges[${i}].durable`, exchange.durable, 'allowed: true or false');
    }
  });
  (topology.queues ?? []).forEach((queue, i) => checkQueue(fail, `queues[${i}]`, queue, exchangeNames));
  (topology.bindings ?? []).forEach((binding, i) => {
    if (!exchangeNames.has(binding.exchange)) {
      fail(`bindings[${i}].exchange`, binding.exchange, `must be a declared exchange (${list(exchangeNames)})`);
    }
    if (!queueNames.has(binding.queue)) {
      fail(`bindings[${i}].queue`, binding.queue, `must be a declared queue (${list(queueNames)})`);
    }
    if (binding.routingKey !== undefined) checkLength(fail, `bindings[${i}].routingKey`, binding.routingKey);
    const source = (topology.exchanges ?? []).find((e) => e.name === binding.exchange);
    if (source?.type === 'x-consistent-hash') checkHashWeight(fail, `bindings[${i}].routingKey`, binding.routingKey);
  });
  (topology.users ?? []).forEach((user, i) => checkUser(fail, `users[${i}]`, user));

  const mustBeDeclared = (field: keyof TopologyDefinition, names: Set<string>, kind: string): void => {
    if (!names.has(topology[field] as string)) {
      fail(field, topology[field], `must name a declared ${kind} (${list(names)})`);
    }
  };
  mustBeDeclared('producerExchange', exchangeNames, 'exchange');
  if (!Array.isArray(topology.sourceQueues) || topology.sourceQueues.length === 0) {
    fail('sourceQueues', topology.sourceQueues, 'allowed: a non-empty list of declared queues, one per shard');
  } else {
    topology.sourceQueues.forEach((name, i) => {
      if (!queueNames.has(name)) fail(`sourceQueues[${i}]`, name, `must name a declared queue (${list(queueNames)})`);
    });
    if (new Set(topology.sourceQueues).size !== topology.sourceQueues.length) {
      fail('sourceQueues', topology.sourceQueues, 'allowed: distinct queues (one event source mapping each)');
    }
  }
  mustBeDeclared('deadLetterQueue', queueNames, 'queue');
  mustBeDeclared('producerUser', userNames, 'user');
  mustBeDeclared('eventSourceUser', userNames, 'user');

  if (problems.length > 0) throw new TopologyValidationError(problems);
}

type Fail = (path: string, value: unknown, allowed: string) => void;

function checkHashWeight(fail: Fail, path: string, weight: string | undefined): void {
  const n = Number(weight);
  if (!/^[1-9][0-9]*$/.test(weight ?? '') || n > MAX_HASH_WEIGHT) {
    fail(
      path,
      weight,
      `allowed: the queue's weight on a consistent-hash exchange, an integer from 1 to ${MAX_HASH_WEIGHT} as a string`,
    );
  }
}

function checkQueue(fail: Fail, path: string, queue: QueueDefinition, exchangeNames: Set<string>): void {
  checkName(fail, `${path}.name`, queue.name, true);
  const type = queue.type ?? 'quorum';
  if (!QUEUE_TYPES.includes(type)) fail(`${path}.type`, queue.type, `allowed: ${QUEUE_TYPES.join(', ')}`);
  if (queue.deliveryLimit !== undefined) {
    if (!isPositiveInteger(queue.deliveryLimit)) {
      fail(`${path}.deliveryLimit`, queue.deliveryLimit, 'allowed: a positive integer');
    } else if (type === 'classic') {
      fail(
        `${path}.deliveryLimit`,
        queue.deliveryLimit,
        'x-delivery-limit is a quorum-queue argument; use type "quorum" or leave deliveryLimit out',
      );
    }
  }
  if (queue.deadLetterExchange !== undefined && !exchangeNames.has(queue.deadLetterExchange)) {
    fail(
      `${path}.deadLetterExchange`,
      queue.deadLetterExchange,
      `must be a declared exchange (${list(exchangeNames)})`,
    );
  }
  if (queue.deadLetterRoutingKey !== undefined) {
    if (queue.deadLetterExchange === undefined) {
      fail(`${path}.deadLetterRoutingKey`, queue.deadLetterRoutingKey, 'only allowed together with deadLetterExchange');
    }
    checkLength(fail, `${path}.deadLetterRoutingKey`, queue.deadLetterRoutingKey);
  }
  if (queue.maxLength !== undefined && !isPositiveInteger(queue.maxLength)) {
    fail(`${path}.maxLength`, queue.maxLength, 'allowed: a positive integer');
  }
  if (queue.messageTtlMs !== undefined) {
    const ttl = queue.messageTtlMs;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > MAX_TTL_MS) {
      fail(`${path}.messageTtlMs`, ttl, `allowed: an integer from 0 to ${MAX_TTL_MS} (milliseconds)`);
    }
  }
  checkDeadLetterStrategy(fail, path, queue, type);
}

/**
 * Dead-letter strategy and overflow. RabbitMQ accepts some combinations it then honours differently: at-least-once
 * without reject-publish silently falls back to at-most-once, and a quorum queue declared with reject-publish-dlx
 * behaves as drop-head (drops the oldest message). Both are refused here rather than discovered in production.
 */
function checkDeadLetterStrategy(fail: Fail, path: string, queue: QueueDefinition, type: string): void {
  const { deadLetterStrategy: strategy, overflow } = queue;
  if (strategy !== undefined) {
    if (!DEAD_LETTER_STRATEGIES.includes(strategy)) {
      fail(`${path}.deadLetterStrategy`, strategy, `allowed: ${DEAD_LETTER_STRATEGIES.join(', ')}`);
    } else if (type === 'classic') {
      fail(
        `${path}.deadLetterStrategy`,
        strategy,
        'x-dead-letter-strategy is a quorum-queue argument (classic queues always dead-letter at most once); use type "quorum" or leave deadLetterStrategy out',
      );
    } else if (strategy === 'at-least-once') {
      if (queue.deadLetterExchange === undefined) {
        fail(
          `${path}.deadLetterStrategy`,
          strategy,
          'at-least-once dead-lettering needs a deadLetterExchange to deliver to; declare one or leave deadLetterStrategy out',
        );
      }
      if (overflow !== 'reject-publish') {
        fail(
          `${path}.overflow`,
          overflow,
          'deadLetterStrategy "at-least-once" requires overflow "reject-publish" (with any other overflow RabbitMQ silently dead-letters at most once)',
        );
      }
    }
  }
  if (overflow !== undefined) {
    if (!OVERFLOWS.includes(overflow)) {
      fail(`${path}.overflow`, overflow, `allowed: ${OVERFLOWS.join(', ')}`);
    } else if (overflow === 'reject-publish-dlx' && type === 'quorum') {
      fail(
        `${path}.overflow`,
        overflow,
        'quorum queues do not support "reject-publish-dlx" (RabbitMQ falls back to drop-head, dropping the oldest message); allowed for quorum queues: drop-head, reject-publish',
      );
    }
  }
}

function checkUser(fail: Fail, path: string, user: UserDefinition): void {
  if (typeof user.name !== 'string' || !USERNAME.test(user.name)) {
    fail(`${path}.name`, user.name, 'allowed: 2-100 characters of A-Z a-z 0-9 - . _ ~ (Amazon MQ username rule)');
  } else if (user.name.toLowerCase() === 'guest') {
    fail(`${path}.name`, user.name, 'the name "guest" is refused by Amazon MQ; choose another name');
  }
  const permissions: Record<string, unknown> = { ...(user.permissions ?? {}) };
  for (const kind of ['configure', 'write', 'read'] as const) {
    const pattern = permissions[kind];
    if (typeof pattern !== 'string') {
      fail(`${path}.permissions.${kind}`, pattern, 'must be a regular expression string (use "^$" for none)');
      continue;
    }
    try {
      new RegExp(pattern);
    } catch (error) {
      fail(`${path}.permissions.${kind}`, pattern, `must be a valid regular expression (${(error as Error).message})`);
    }
  }
  (user.tags ?? []).forEach((tag, t) => {
    if (typeof tag !== 'string' || !/^[A-Za-z0-9_-]+$/.test(tag)) {
      fail(`${path}.tags[${t}]`, tag, 'allowed: a non-empty word of A-Z a-z 0-9 _ - (e.g. "monitoring")');
    }
  });
}

function checkName(fail: Fail, path: string, name: unknown, declared: boolean): void {
  if (typeof name !== 'string' || name.length === 0) {
    fail(path, name, 'must be a non-empty string');
    return;
  }
  checkLength(fail, path, name);
  if (declared && name.startsWith('amq.')) {
    fail(path, name, 'names starting with "amq." are reserved by RabbitMQ; choose another prefix');
  }
}

function checkLength(fail: Fail, path: string, value: string): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_NAME_BYTES) fail(path, value, `at most ${MAX_NAME_BYTES} bytes of UTF-8 (this one is ${bytes})`);
}

function checkUnique(fail: Fail, field: string, items: readonly { readonly name: string }[]): Set<string> {
  const names = new Set<string>();
  items.forEach((item, i) => {
    if (names.has(item.name)) fail(`${field}[${i}].name`, item.name, `must be unique among ${field}`);
    names.add(item.name);
  });
  return names;
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function list(names: Set<string>): string {
  return names.size === 0 ? 'none declared' : [...names].map((n) => JSON.stringify(n)).join(', ');
}
