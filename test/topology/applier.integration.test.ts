import type { TopologyDefinition } from '../../lib/config/topology';
import { applyTopology, deleteTopology, TopologyConflictError } from '../../lambda/topology/applier';
import { brokerGet, forceCleanup, LOCAL_BROKER, newPassword, passwordsFor, uniqueTopology } from './fixtures';

// Integration: the applier against the real local broker, a fresh vhost and fresh users per test.
let topology: TopologyDefinition;
let passwords: Record<string, string>;
const v = (): string => encodeURIComponent(topology.vhost);

beforeEach(() => {
  topology = uniqueTopology();
  passwords = passwordsFor(topology);
});
afterEach(async () => forceCleanup(topology));

const apply = (definition: TopologyDefinition = topology, extra: Partial<Parameters<typeof applyTopology>[1]> = {}) =>
  applyTopology(definition, { ...LOCAL_BROKER, userPasswords: passwords, ...extra });

describe('applyTopology', () => {
  test('from empty creates the vhost, exchanges, quorum queues with their arguments, bindings, users and permissions', async () => {
    const report = await apply();

    const [producer, eventSource] = topology.users.map((u) => u.name);
    expect(report.created).toEqual([
      `vhost ${topology.vhost}`,
      'exchange events.by-key',
      'exchange events.dead-letter',
      'queue events.to-sqs',
      'queue events.dead-letter',
      'binding events.by-key -> events.to-sqs [1]',
      'binding events.dead-letter -> events.dead-letter []',
      `user ${producer}`,
      `permissions ${producer}@${topology.vhost}`,
      `user ${eventSource}`,
      `permissions ${eventSource}@${topology.vhost}`,
    ]);
    expect(report.updated).toEqual([]);
    expect(report.unchanged).toEqual([]);

    const source = await brokerGet<{ type: string; durable: boolean; arguments: object }>(
      `/api/queues/${v()}/events.to-sqs`,
    );
    expect(source).toMatchObject({
      type: 'quorum',
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': 5,
        'x-dead-letter-exchange': 'events.dead-letter',
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
    expect(await brokerGet(`/api/exchanges/${v()}/events.dead-letter`)).toMatchObject({
      type: 'fanout',
      durable: true,
    });
    const bindings = await brokerGet<{ routing_key: string }[]>(`/api/bindings/${v()}/e/events.by-key/q/events.to-sqs`);
    expect(bindings?.map((b) => b.routing_key)).toEqual(['1']);
    expect(await brokerGet(`/api/permissions/${v()}/${producer}`)).toMatchObject({
      configure: '^$',
      write: '^events\\.by-key$',
      read: '^$',
    });
  });

  test('applied twice, the second run changes nothing', async () => {
    await apply();
    const second = await apply();
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual([]);
    expect(second.deleted).toEqual([]);
    expect(second.unchanged).toHaveLength(11);
  });

  test('a new binding is added and a dropped one is removed', async () => {
    await apply();
    const withExtra = {
      ...topology,
      bindings: [...topology.bindings, { exchange: 'events.by-key', queue: 'events.to-sqs', routingKey: '2' }],
    };
    expect((await apply(withExtra)).created).toEqual(['binding events.by-key -> events.to-sqs [2]']);
    const keys = async () =>
      (await brokerGet<{ routing_key: string }[]>(`/api/bindings/${v()}/e/events.by-key/q/events.to-sqs`))
        ?.map((b) => b.routing_key)
        .sort();
    expect(await keys()).toEqual(['1', '2']);

    expect((await apply()).deleted).toEqual(['binding events.by-key -> events.to-sqs [2]']);
    expect(await keys()).toEqual(['1']);
  });

  test('a changed queue argument is refused with the documented error and nothing is applied', async () => {
    await apply();
    const changed: TopologyDefinition = {
      ...topology,
      queues: topology.queues.map((q) => (q.name === 'events.to-sqs' ? { ...q, deliveryLimit: 10 } : q)),
      bindings: [...topology.bindings, { exchange: 'events.by-key', queue: 'events.to-sqs', routingKey: '2' }],
    };
    const attempt = apply(changed);
    await expect(attempt).rejects.toThrow(TopologyConflictError);
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `queue "events.to-sqs" in vhost "${topology.vhost}": x-delivery-limit is 5 on the broker but 10 in the definition\\. ` +
          "RabbitMQ cannot change a queue's type or arguments in place: declare a queue with a new name",
      ),
    );
    // Refused before any write: the extra binding from the same definition was not created.
    const bindings = await brokerGet<unknown[]>(`/api/bindings/${v()}/e/events.by-key/q/events.to-sqs`);
    expect(bindings).toHaveLength(1);
  });

  test('a source queue declared at most once (before this default) is refused with the migration advice, untouched', async () => {
    const atMostOnce: TopologyDefinition = {
      ...topology,
      queues: topology.queues.map((q) =>
        q.name === 'events.to-sqs' ? { ...q, deadLetterStrategy: undefined, overflow: undefined } : q,
      ),
    };
    await apply(atMostOnce);
    const attempt = apply();
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `queue "events.to-sqs" in vhost "${topology.vhost}": x-dead-letter-strategy is absent on the broker but "at-least-once" in the definition\\. ` +
          "RabbitMQ cannot change a queue's type or arguments in place",
      ),
    );
    await expect(attempt).rejects.toThrow(/x-overflow is absent on the broker but "reject-publish" in the definition/);
    const source = await brokerGet<{ arguments: Record<string, unknown> }>(`/api/queues/${v()}/events.to-sqs`);
    expect(source?.arguments['x-dead-letter-strategy']).toBeUndefined();
  });

  test('a changed queue type and a changed exchange type are both reported', async () => {
    await apply();
    const changed: TopologyDefinition = {
      ...topology,
      exchanges: topology.exchanges.map((e) => (e.name === 'events.by-key' ? { ...e, type: 'topic' } : e)),
      queues: topology.queues.map((q) => (q.name === 'events.dead-letter' ? { ...q, type: 'classic' } : q)),
    };
    const attempt = apply(changed);
    await expect(attempt).rejects.toThrow(
      /exchange "events.by-key" in vhost "[^"]+": type is x-consistent-hash on the broker but topic in the definition\. RabbitMQ cannot change an exchange's type/,
    );
    await expect(attempt).rejects.toThrow(
      /queue "events.dead-letter" in vhost "[^"]+": type is quorum on the broker but classic in the definition/,
    );
  });

  test("a user's new password and tags are updated in place", async () => {
    await apply();
    const producer = topology.producerUser;
    passwords = { ...passwords, [producer]: newPassword() };
    const tagged = {
      ...topology,
      users: topology.users.map((u) => (u.name === producer ? u : { ...u, tags: ['monitoring'] })),
    };
    const report = await apply(tagged);
    expect(report.updated.sort()).toEqual([`user ${producer}`, `user ${topology.eventSourceUser}`].sort());
    expect(await brokerGet(`/api/users/${topology.eventSourceUser}`)).toMatchObject({ tags: ['monitoring'] });
  });

  test('changed permissions are updated in place', async () => {
    await apply();
    const widened = {
      ...topology,
      users: topology.users.map((u) =>
        u.name === topology.producerUser ? { ...u, permissions: { ...u.permissions, write: '^events.*$' } } : u,
      ),
    };
    expect((await apply(widened)).updated).toEqual([`permissions ${topology.producerUser}@${topology.vhost}`]);
  });

  test('with the previous definition, dropped users and exchanges are removed and dropped queues retained', async () => {
    const extended: TopologyDefinition = {
      ...topology,
      exchanges: [...topology.exchanges, { name: 'audit', type: 'fanout' }],
      queues: [...topology.queues, { name: 'audit' }],
      bindings: [...topology.bindings, { exchange: 'audit', queue: 'audit' }],
      users: [
        ...topology.users,
        { name: `${topology.producerUser}-old`, permissions: { configure: '^$', write: '^$', read: '^$' } },
      ],
    };
    passwords[`${topology.producerUser}-old`] = newPassword();
    await apply(extended);
    try {
      const report = await apply(topology, { previous: extended });
      // The exchange takes its bindings with it.
      expect(report.deleted).toEqual([
        'exchange audit',
        `permissions ${topology.producerUser}-old@${topology.vhost}`,
        `user ${topology.producerUser}-old`,
      ]);
      expect(report.retained).toEqual(['queue audit (dropped from the definition; delete it by hand once drained)']);
      expect(await brokerGet(`/api/users/${topology.producerUser}-old`)).toBeUndefined();
      expect(await brokerGet(`/api/queues/${v()}/audit`)).toBeDefined();
    } finally {
      await forceCleanup({ ...topology, users: extended.users });
    }
  });

  test('a user without a password, or with one Amazon MQ refuses, is rejected before anything is applied', async () => {
    await expect(apply(topology, { userPasswords: {} })).rejects.toThrow(
      new RegExp(`userPasswords\\["${topology.producerUser}"\\]: missing; every user in the topology needs a password`),
    );
    const weak = { ...passwords, [topology.producerUser]: 'short:pw' };
    await expect(apply(topology, { userPasswords: weak })).rejects.toThrow(
      /a password of 8 characters is not allowed; Amazon MQ requires 12-250 characters, at least 4 distinct, none of "," ":" "="/,
    );
    expect(await brokerGet(`/api/vhosts/${v()}`)).toBeUndefined();
  });
});

describe('deleteTopology', () => {
  test('removes the queues, exchanges, users and the vhost, and a second run finds everything absent', async () => {
    await apply();
    const report = await deleteTopology(topology, LOCAL_BROKER);
    expect(report.deleted).toEqual(
      expect.arrayContaining([
        'queue events.to-sqs',
        'exchange events.by-key',
        `user ${topology.producerUser}`,
        `vhost ${topology.vhost}`,
      ]),
    );
    expect(await brokerGet(`/api/vhosts/${v()}`)).toBeUndefined();
    for (const user of topology.users) expect(await brokerGet(`/api/users/${user.name}`)).toBeUndefined();

    const again = await deleteTopology(topology, LOCAL_BROKER);
    expect(again.deleted).toEqual([]);
    expect(again.unchanged).toContain(`vhost ${topology.vhost} (already absent)`);
  });

  test('keeps the vhost when it holds objects the topology did not declare, and users with other vhosts', async () => {
    await apply();
    const other = uniqueTopology();
    const sharedUser = topology.producerUser;
    await fetch(`${LOCAL_BROKER.managementUrl}/api/queues/${v()}/foreign`, {
      method: 'PUT',
      headers: {
        authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ durable: true, arguments: {} }),
    });
    await apply(
      {
        ...other,
        users: other.users.map((u, i) => (i === 0 ? { ...u, name: sharedUser } : u)),
        producerUser: sharedUser,
      },
      {
        userPasswords: { [sharedUser]: passwords[sharedUser], [other.eventSourceUser]: newPassword() },
      },
    );
    try {
      const report = await deleteTopology(topology, LOCAL_BROKER);
      expect(report.retained).toEqual([
        `user ${sharedUser} (still has permissions on vhost ${other.vhost})`,
        `vhost ${topology.vhost} (still holds objects the topology did not declare)`,
      ]);
      expect(await brokerGet(`/api/users/${sharedUser}`)).toBeDefined();
    } finally {
      await forceCleanup(other);
    }
  });
});
