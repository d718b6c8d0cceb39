import { MAX_SHARDS } from '../../lib/config/shards';
import { loadStageConfig } from '../../lib/config/stages';
import { defaultTopology, exactNames, shardQueueName } from '../../lib/config/topology';

describe('eventSources.rabbitMq.shards', () => {
  test('defaults: 1 in dev, 3 in prod (one quorum-queue leader per cluster node)', () => {
    expect(loadStageConfig('dev').eventSources.rabbitMq.shards).toBe(1);
    expect(loadStageConfig('prod').eventSources.rabbitMq.shards).toBe(3);
    expect(loadStageConfig('prod').topology.sourceQueues).toEqual([
      'events.to-sqs',
      'events.to-sqs.1',
      'events.to-sqs.2',
    ]);
  });

  test('the default topology follows the shard count: one quorum queue, binding and permission per shard', () => {
    const { topology } = loadStageConfig('dev', { eventSources: { rabbitMq: { shards: 4 } } });
    expect(topology.sourceQueues).toEqual(['events.to-sqs', 'events.to-sqs.1', 'events.to-sqs.2', 'events.to-sqs.3']);
    expect(topology).toEqual(defaultTopology({ shards: 4 }));
    for (const name of topology.sourceQueues) {
      expect(topology.queues.find((q) => q.name === name)).toEqual({
        name,
        type: 'quorum',
        deliveryLimit: 5,
        deadLetterExchange: 'events.dead-letter',
        deadLetterStrategy: 'at-least-once',
        overflow: 'reject-publish',
      });
      expect(topology.bindings).toContainEqual({ exchange: 'events.by-key', queue: name, routingKey: '1' });
    }
    const eventSource = topology.users.find((u) => u.name === topology.eventSourceUser);
    expect(eventSource?.permissions).toEqual({ configure: '^$', write: '^$', read: exactNames(topology.sourceQueues) });
  });

  test('shard 0 keeps the unsharded queue name and permission, so a deployed one-queue stack keeps its queue', () => {
    expect(shardQueueName('events.to-sqs', 0)).toBe('events.to-sqs');
    expect(shardQueueName('events.to-sqs', 7)).toBe('events.to-sqs.7');
    expect(exactNames(['events.to-sqs'])).toBe('^events\\.to-sqs$');
    expect(defaultTopology().queues[0].name).toBe('events.to-sqs');
  });

  test.each([0, -1, 1.5, MAX_SHARDS + 1, '4'])('refuses %p with the field, the value and what is allowed', (shards) => {
    expect(() => loadStageConfig('dev', { eventSources: { rabbitMq: { shards: shards as number } } })).toThrow(
      new RegExp(
        `eventSources\\.rabbitMq\\.shards: got ${JSON.stringify(shards).replace(/[.]/g, '\\.')}; allowed: an integer from 1 to ${MAX_SHARDS} \\(one RabbitMQ quorum queue and event source mapping each`,
      ),
    );
  });

  test(`accepts the upper bound, ${MAX_SHARDS}`, () => {
    expect(
      loadStageConfig('dev', { eventSources: { rabbitMq: { shards: MAX_SHARDS } } }).topology.sourceQueues,
    ).toHaveLength(MAX_SHARDS);
  });

  test('a topology given in full must declare one source queue per shard', () => {
    expect(() =>
      loadStageConfig('dev', { eventSources: { rabbitMq: { shards: 2 } }, topology: defaultTopology({ shards: 3 }) }),
    ).toThrow(
      /topology\.sourceQueues: got \["events\.to-sqs","events\.to-sqs\.1","events\.to-sqs\.2"\]; declares 3 source queue\(s\) but eventSources\.rabbitMq\.shards is 2; allowed: exactly one source queue per shard/,
    );
  });
});
