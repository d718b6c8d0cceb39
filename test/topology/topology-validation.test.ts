import { defaultTopology, type TopologyDefinition } from '../../lib/config/topology';
import { TopologyValidationError, validateTopology } from '../../lib/config/topology-validation';

const base = defaultTopology();
const withQueue = (patch: object): TopologyDefinition => ({
  ...base,
  queues: base.queues.map((q, i) => (i === 0 ? { ...q, ...patch } : q)),
});
const withDeadLetterQueue = (patch: object): TopologyDefinition => ({
  ...base,
  queues: base.queues.map((q, i) => (i === 1 ? { ...q, ...patch } : q)),
});
const withUser = (patch: object): TopologyDefinition => ({
  ...base,
  users: base.users.map((u, i) => (i === 0 ? { ...u, ...patch } : u)),
});
const messageOf = (topology: TopologyDefinition): string => {
  try {
    validateTopology(topology);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected validateTopology to throw');
};

test('the default topology is valid', () => {
  expect(() => validateTopology(base)).not.toThrow();
});

test('every problem is listed in one error, with a count', () => {
  const error = (() => {
    try {
      validateTopology({ ...base, vhost: '', producerUser: 'nobody' });
    } catch (e) {
      return e as TopologyValidationError;
    }
    return undefined;
  })();
  expect(error).toBeInstanceOf(TopologyValidationError);
  expect(error?.problems).toHaveLength(2);
  expect(error?.message).toMatch(/^Invalid RabbitMQ topology \(2 problems\):\n {2}- topology.vhost/);
});

test.each<[string, TopologyDefinition, RegExp]>([
  ['empty vhost', { ...base, vhost: '' }, /topology.vhost: got ""; must be a non-empty string/],
  [
    'vhost over 255 bytes',
    { ...base, vhost: 'é'.repeat(128) },
    /topology.vhost: got "é+"; at most 255 bytes of UTF-8 \(this one is 256\)/,
  ],
  [
    'reserved exchange name',
    { ...base, exchanges: [...base.exchanges, { name: 'amq.mine' }] },
    /topology.exchanges\[2\].name: got "amq.mine"; names starting with "amq." are reserved by RabbitMQ/,
  ],
  [
    'empty exchange name',
    { ...base, exchanges: [...base.exchanges, { name: '' }] },
    /topology.exchanges\[2\].name: got ""; must be a non-empty string/,
  ],
  [
    'unknown exchange type',
    { ...base, exchanges: [{ ...base.exchanges[0], type: 'x-delayed' as never }, base.exchanges[1]] },
    /topology.exchanges\[0\].type: got "x-delayed"; allowed: direct, fanout, topic, headers/,
  ],
  [
    'non-boolean durable',
    { ...base, exchanges: [{ ...base.exchanges[0], durable: 'yes' as never }, base.exchanges[1]] },
    /topology.exchanges\[0\].durable: got "yes"; allowed: true or false/,
  ],
  [
    'duplicate exchange',
    { ...base, exchanges: [...base.exchanges, { name: 'events.by-key' }] },
    /topology.exchanges\[2\].name: got "events.by-key"; must be unique among exchanges/,
  ],
  [
    'reserved queue name',
    withQueue({ name: 'amq.q' }),
    /topology.queues\[0\].name: got "amq.q"; names starting with "amq." are reserved/,
  ],
  [
    'unknown queue type',
    withQueue({ type: 'stream' }),
    /topology.queues\[0\].type: got "stream"; allowed: quorum, classic/,
  ],
  [
    'zero delivery limit',
    withQueue({ deliveryLimit: 0 }),
    /topology.queues\[0\].deliveryLimit: got 0; allowed: a positive integer/,
  ],
  [
    'fractional delivery limit',
    withQueue({ deliveryLimit: 1.5 }),
    /topology.queues\[0\].deliveryLimit: got 1.5; allowed: a positive integer/,
  ],
  [
    'delivery limit on a classic queue',
    withQueue({ type: 'classic' }),
    /topology.queues\[0\].deliveryLimit: got 5; x-delivery-limit is a quorum-queue argument; use type "quorum" or leave deliveryLimit out/,
  ],
  [
    'undeclared dead-letter exchange',
    withQueue({ deadLetterExchange: 'nowhere' }),
    /topology.queues\[0\].deadLetterExchange: got "nowhere"; must be a declared exchange \("events.by-key", "events.dead-letter"\)/,
  ],
  [
    'dead-letter routing key without exchange',
    { ...base, queues: [base.queues[0], { ...base.queues[1], deadLetterRoutingKey: 'k' }] },
    /topology.queues\[1\].deadLetterRoutingKey: got "k"; only allowed together with deadLetterExchange/,
  ],
  [
    'zero max length',
    withQueue({ maxLength: 0 }),
    /topology.queues\[0\].maxLength: got 0; allowed: a positive integer/,
  ],
  [
    'negative TTL',
    withQueue({ messageTtlMs: -1 }),
    /topology.queues\[0\].messageTtlMs: got -1; allowed: an integer from 0 to 4294967295 \(milliseconds\)/,
  ],
  [
    'unknown dead-letter strategy',
    withQueue({ deadLetterStrategy: 'exactly-once' }),
    /topology.queues\[0\].deadLetterStrategy: got "exactly-once"; allowed: at-most-once, at-least-once/,
  ],
  [
    'dead-letter strategy on a classic queue',
    withDeadLetterQueue({ type: 'classic', deadLetterStrategy: 'at-most-once' }),
    /topology.queues\[1\].deadLetterStrategy: got "at-most-once"; x-dead-letter-strategy is a quorum-queue argument \(classic queues always dead-letter at most once\); use type "quorum" or leave deadLetterStrategy out/,
  ],
  [
    'at-least-once without a dead-letter exchange',
    withDeadLetterQueue({ deadLetterStrategy: 'at-least-once', overflow: 'reject-publish' }),
    /topology.queues\[1\].deadLetterStrategy: got "at-least-once"; at-least-once dead-lettering needs a deadLetterExchange to deliver to/,
  ],
  [
    'at-least-once without an overflow',
    withQueue({ overflow: undefined }),
    /topology.queues\[0\].overflow: got undefined; deadLetterStrategy "at-least-once" requires overflow "reject-publish" \(with any other overflow RabbitMQ silently dead-letters at most once\)/,
  ],
  [
    'at-least-once with drop-head',
    withQueue({ overflow: 'drop-head' }),
    /topology.queues\[0\].overflow: got "drop-head"; deadLetterStrategy "at-least-once" requires overflow "reject-publish"/,
  ],
  [
    'unknown overflow',
    withDeadLetterQueue({ overflow: 'block' }),
    /topology.queues\[1\].overflow: got "block"; allowed: drop-head, reject-publish, reject-publish-dlx/,
  ],
  [
    'reject-publish-dlx on a quorum queue',
    withDeadLetterQueue({ overflow: 'reject-publish-dlx' }),
    /topology.queues\[1\].overflow: got "reject-publish-dlx"; quorum queues do not support "reject-publish-dlx" \(RabbitMQ falls back to drop-head, dropping the oldest message\); allowed for quorum queues: drop-head, reject-publish/,
  ],
  [
    'duplicate queue',
    { ...base, queues: [...base.queues, { name: 'events.to-sqs' }] },
    /topology.queues\[2\].name: got "events.to-sqs"; must be unique among queues/,
  ],
  [
    'binding to an undeclared exchange',
    { ...base, bindings: [{ exchange: 'other', queue: 'events.to-sqs' }] },
    /topology.bindings\[0\].exchange: got "other"; must be a declared exchange/,
  ],
  [
    'binding to an undeclared queue',
    { ...base, bindings: [{ exchange: 'events.dead-letter', queue: 'other' }] },
    /topology.bindings\[0\].queue: got "other"; must be a declared queue \("events.to-sqs", "events.dead-letter"\)/,
  ],
  [
    'binding key over 255 bytes',
    { ...base, bindings: [{ exchange: 'events.dead-letter', queue: 'events.to-sqs', routingKey: 'k'.repeat(256) }] },
    /topology.bindings\[0\].routingKey: got "k+"; at most 255 bytes of UTF-8 \(this one is 256\)/,
  ],
  [
    'user named guest',
    withUser({ name: 'guest' }),
    /topology.users\[0\].name: got "guest"; the name "guest" is refused by Amazon MQ/,
  ],
  [
    'user named GUEST',
    withUser({ name: 'GUEST' }),
    /topology.users\[0\].name: got "GUEST"; the name "guest" is refused/,
  ],
  [
    'username with a colon',
    withUser({ name: 'pro:ducer' }),
    /topology.users\[0\].name: got "pro:ducer"; allowed: 2-100 characters of A-Z a-z 0-9 - . _ ~ \(Amazon MQ username rule\)/,
  ],
  [
    'duplicate user',
    { ...base, users: [...base.users, base.users[0]] },
    /topology.users\[2\].name: got "producer"; must be unique among users/,
  ],
  [
    'invalid permission regex',
    withUser({ permissions: { configure: '^$', write: '(events', read: '^$' } }),
    /topology.users\[0\].permissions.write: got "\(events"; must be a valid regular expression \(Invalid regular expression/,
  ],
  [
    'missing permission',
    withUser({ permissions: { configure: '^$', write: '^$' } }),
    /topology.users\[0\].permissions.read: got undefined; must be a regular expression string \(use "\^\$" for none\)/,
  ],
  [
    'tag with a comma',
    withUser({ tags: ['a,b'] }),
    /topology.users\[0\].tags\[0\]: got "a,b"; allowed: a non-empty word of A-Z a-z 0-9 _ -/,
  ],
  [
    'undeclared producer exchange',
    { ...base, producerExchange: 'nope' },
    /topology.producerExchange: got "nope"; must name a declared exchange \("events.by-key", "events.dead-letter"\)/,
  ],
  [
    'undeclared source queue',
    { ...base, sourceQueues: ['events.to-sqs', 'nope'] },
    /topology.sourceQueues\[1\]: got "nope"; must name a declared queue/,
  ],
  [
    'no source queue',
    { ...base, sourceQueues: [] },
    /topology.sourceQueues: got \[\]; allowed: a non-empty list of declared queues, one per shard/,
  ],
  [
    'the same source queue twice',
    { ...base, sourceQueues: ['events.to-sqs', 'events.to-sqs'] },
    /topology.sourceQueues: got \["events.to-sqs","events.to-sqs"\]; allowed: distinct queues \(one event source mapping each\)/,
  ],
  [
    'a consistent-hash binding key that is not a weight',
    {
      ...base,
      bindings: [{ exchange: 'events.by-key', queue: 'events.to-sqs', routingKey: 'event' }, base.bindings[1]],
    },
    /topology.bindings\[0\].routingKey: got "event"; allowed: the queue's weight on a consistent-hash exchange, an integer from 1 to 1000 as a string/,
  ],
  [
    'a consistent-hash weight above 1000',
    {
      ...base,
      bindings: [{ exchange: 'events.by-key', queue: 'events.to-sqs', routingKey: '1001' }, base.bindings[1]],
    },
    /topology.bindings\[0\].routingKey: got "1001"; allowed: the queue's weight/,
  ],
  [
    'undeclared dead-letter queue',
    { ...base, deadLetterQueue: 'nope' },
    /topology.deadLetterQueue: got "nope"; must name a declared queue/,
  ],
  [
    'undeclared producer user',
    { ...base, producerUser: 'nope' },
    /topology.producerUser: got "nope"; must name a declared user \("producer", "event-source"\)/,
  ],
  [
    'undeclared event-source user',
    { ...base, eventSourceUser: 'nope' },
    /topology.eventSourceUser: got "nope"; must name a declared user/,
  ],
])('%s is refused', (_name, topology, message) => {
  expect(messageOf(topology)).toMatch(message);
});

test('optional queue settings within range are accepted', () => {
  expect(() =>
    validateTopology(withQueue({ maxLength: 10_000, messageTtlMs: 0, deadLetterRoutingKey: 'dead' })),
  ).not.toThrow();
});

test('the default source queue dead-letters at least once, with the reject-publish overflow that requires', () => {
  expect(base.queues[0]).toMatchObject({
    name: base.sourceQueues[0],
    deadLetterExchange: 'events.dead-letter',
    deadLetterStrategy: 'at-least-once',
    overflow: 'reject-publish',
  });
});

test('dead-letter strategies and overflows RabbitMQ honours as declared are accepted', () => {
  expect(() =>
    validateTopology(withQueue({ deadLetterStrategy: 'at-most-once', overflow: 'drop-head' })),
  ).not.toThrow();
  expect(() => validateTopology(withQueue({ deadLetterStrategy: undefined, overflow: undefined }))).not.toThrow();
  expect(() =>
    validateTopology(withDeadLetterQueue({ type: 'classic', overflow: 'reject-publish-dlx' })),
  ).not.toThrow();
  expect(() => validateTopology(withDeadLetterQueue({ maxLength: 10_000, overflow: 'reject-publish' }))).not.toThrow();
});
