import type { TopologyDefinition } from '../../lib/config/topology';
import { applyTopology, deleteTopology } from '../../lambda/topology/applier';
import { ManagementClient } from '../../lambda/topology/management-client';
import { OWNERSHIP_EXCHANGE, readOwnership, removeOwnership } from '../../lambda/topology/ownership';
import { brokerGet, forceCleanup, LOCAL_BROKER, newPassword, passwordsFor, uniqueTopology } from './fixtures';

// The ownership record against the real local broker: what an apply created is removed later, what it adopted stays.
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

describe('the record', () => {
  test('records what it created, in an internal exchange of the vhost that routes nothing', async () => {
    await apply();
    const client = new ManagementClient(LOCAL_BROKER);
    expect(await readOwnership(client, topology.vhost)).toEqual({
      vhost: true,
      exchanges: ['events', 'events.dead-letter'],
      queues: ['events.to-sqs', 'events.dead-letter'],
      bindings: [
        { exchange: 'events', queue: 'events.to-sqs', routingKey: 'event' },
        { exchange: 'events.dead-letter', queue: 'events.dead-letter', routingKey: '' },
      ],
      users: topology.users.map((u) => u.name),
    });
    expect(await brokerGet(`/api/exchanges/${v()}/${OWNERSHIP_EXCHANGE}`)).toMatchObject({ internal: true });
  });

  test('without a record (applied by an earlier release) it removes nothing and says so', async () => {
    await apply();
    await removeOwnership(new ManagementClient(LOCAL_BROKER), topology.vhost);
    const report = await deleteTopology(topology, LOCAL_BROKER);
    expect(report.deleted).toEqual([]);
    expect(report.retained).toEqual([
      `vhost ${topology.vhost} and everything in it (no record of what the topology created; see docs/topology.md "Delete and retain")`,
    ]);
    expect(await brokerGet(`/api/queues/${v()}/events.to-sqs`)).toBeDefined();
  });
});

describe('updates remove only what the topology created', () => {
  test('an exchange and a user dropped from the definition that existed before the apply are kept', async () => {
    const adoptedUser = `${topology.producerUser}-adopted`;
    const extended: TopologyDefinition = {
      ...topology,
      exchanges: [...topology.exchanges, { name: 'audit', type: 'fanout' }],
      users: [...topology.users, { name: adoptedUser, permissions: { configure: '^$', write: '^$', read: '^$' } }],
    };
    passwords[adoptedUser] = newPassword();
    const guest = {
      authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`,
      'content-type': 'application/json',
    };
    await fetch(`${LOCAL_BROKER.managementUrl}/api/vhosts/${v()}`, { method: 'PUT', headers: guest });
    await fetch(`${LOCAL_BROKER.managementUrl}/api/exchanges/${v()}/audit`, {
      method: 'PUT',
      headers: guest,
      body: JSON.stringify({ type: 'fanout', durable: true }),
    });
    await fetch(`${LOCAL_BROKER.managementUrl}/api/users/${adoptedUser}`, {
      method: 'PUT',
      headers: guest,
      body: JSON.stringify({ password: passwords[adoptedUser], tags: '' }),
    });
    try {
      await apply(extended);
      const report = await apply(topology, { previous: extended });
      expect(report.deleted).toEqual([]);
      expect(report.retained).toEqual([
        'exchange audit (dropped from the definition; adopted, so left in place)',
        `user ${adoptedUser} (dropped from the definition; adopted, so left in place)`,
      ]);
      expect(await brokerGet(`/api/exchanges/${v()}/audit`)).toBeDefined();
      expect(await brokerGet(`/api/users/${adoptedUser}`)).toBeDefined();
    } finally {
      await forceCleanup({ ...topology, users: extended.users });
    }
  });
});
