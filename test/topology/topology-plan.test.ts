import { createHash } from 'node:crypto';
import { defaultTopology, queueArguments } from '../../lib/config/topology';
import {
  exchangeConflicts,
  passwordMatches,
  planTopology,
  queueConflicts,
  type ObservedState,
} from '../../lambda/topology/topology-plan';

const topology = defaultTopology();
const empty: ObservedState = {
  vhostExists: false,
  exchanges: new Map(),
  queues: new Map(),
  bindings: [],
  users: new Map(),
  permissions: new Map(),
};
const passwords = { producer: 'producer-password-1', 'event-source': 'event-source-password-1' };

function sha256Hash(password: string, salt = Buffer.from([1, 2, 3, 4])): string {
  return Buffer.concat([
    salt,
    createHash('sha256')
      .update(Buffer.concat([salt, Buffer.from(password)]))
      .digest(),
  ]).toString('base64');
}

describe('queueArguments', () => {
  test('maps every option to its x- argument and leaves absent ones out', () => {
    expect(queueArguments(topology.queues[0])).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': 5,
      'x-dead-letter-exchange': 'events.dead-letter',
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    });
    expect(
      queueArguments({
        name: 'q',
        type: 'classic',
        maxLength: 10,
        messageTtlMs: 60_000,
        deadLetterExchange: 'd',
        deadLetterRoutingKey: 'k',
        overflow: 'reject-publish-dlx',
      }),
    ).toEqual({
      'x-queue-type': 'classic',
      'x-max-length': 10,
      'x-message-ttl': 60_000,
      'x-dead-letter-exchange': 'd',
      'x-dead-letter-routing-key': 'k',
      'x-overflow': 'reject-publish-dlx',
    });
    expect(queueArguments(topology.queues[1])).toEqual({ 'x-queue-type': 'quorum' });
  });
});

describe('passwordMatches', () => {
  test('recognises a hash the local RabbitMQ 3.10 broker produced', () => {
    const user = {
      password_hash: 'pREedJZgnzd09tsbBs/EhLLdUsILXRjzAmhIJBA/W2LrOH8A',
      hashing_algorithm: 'rabbit_password_hashing_sha256',
      tags: [],
    };
    expect(passwordMatches(user, 'secretpassword1')).toBe(true);
    expect(passwordMatches(user, 'secretpassword2')).toBe(false);
  });

  test('is false for a missing password or an unknown hashing algorithm (the password is then set again)', () => {
    const hash = sha256Hash('pw-123456789012');
    expect(
      passwordMatches(
        { password_hash: hash, hashing_algorithm: 'rabbit_password_hashing_sha256', tags: [] },
        undefined,
      ),
    ).toBe(false);
    expect(passwordMatches({ password_hash: hash, hashing_algorithm: 'custom', tags: [] }, 'pw-123456789012')).toBe(
      false,
    );
  });
});

describe('queueConflicts', () => {
  const source = topology.queues[0];
  const observed = { type: 'quorum', durable: true, arguments: queueArguments(source) };

  test('none when type and arguments match, even if the broker omits x-queue-type', () => {
    expect(queueConflicts('v', source, observed)).toEqual([]);
    const classic = { name: 'c', type: 'classic' as const };
    expect(queueConflicts('v', classic, { type: 'classic', durable: true, arguments: {} })).toEqual([]);
  });

  test('an argument only the broker has is a conflict that names it and says what to do', () => {
    const conflicts = queueConflicts('v', source, {
      ...observed,
      arguments: { ...observed.arguments, 'x-max-length': 100 },
    });
    expect(conflicts).toEqual([
      expect.stringMatching(
        /^queue "events.to-sqs" in vhost "v": x-max-length is 100 on the broker but absent in the definition\. RabbitMQ cannot change a queue's type or arguments in place: declare a queue with a new name .* or delete the queue first \(its messages are lost\) and apply again\./,
      ),
    ]);
  });

  test('a source queue declared before at-least-once dead-lettering conflicts on both arguments, naming them', () => {
    const before = Object.fromEntries(
      Object.entries(observed.arguments).filter(([key]) => key !== 'x-dead-letter-strategy' && key !== 'x-overflow'),
    );
    const conflicts = queueConflicts('v', source, { ...observed, arguments: before });
    expect(conflicts).toEqual([
      expect.stringMatching(
        /^queue "events.to-sqs" in vhost "v": x-dead-letter-strategy is absent on the broker but "at-least-once" in the definition\. RabbitMQ cannot change a queue's type or arguments in place: declare a queue with a new name/,
      ),
      expect.stringMatching(
        /^queue "events.to-sqs" in vhost "v": x-overflow is absent on the broker but "reject-publish" in the definition\. RabbitMQ cannot change/,
      ),
    ]);
  });

  test('a changed dead-letter strategy or overflow is a conflict', () => {
    const conflicts = queueConflicts('v', source, {
      ...observed,
      arguments: { ...observed.arguments, 'x-dead-letter-strategy': 'at-most-once', 'x-overflow': 'drop-head' },
    });
    expect(conflicts[0]).toMatch(
      /x-dead-letter-strategy is "at-most-once" on the broker but "at-least-once" in the definition/,
    );
    expect(conflicts[1]).toMatch(/x-overflow is "drop-head" on the broker but "reject-publish" in the definition/);
  });

  test('a changed type and a non-durable queue are each reported', () => {
    const conflicts = queueConflicts('v', source, { ...observed, type: 'classic', durable: false });
    expect(conflicts[0]).toMatch(/type is classic on the broker but quorum in the definition/);
    expect(conflicts[1]).toMatch(/durable is false on the broker but true in the definition/);
  });
});

describe('exchangeConflicts', () => {
  test('type, durability, auto-delete and internal differences are reported with advice', () => {
    const conflicts = exchangeConflicts(
      'v',
      { name: 'e', type: 'direct' },
      { type: 'fanout', durable: false, auto_delete: true, internal: true },
    );
    expect(conflicts).toHaveLength(4);
    expect(conflicts[0]).toMatch(
      /^exchange "e" in vhost "v": type is fanout on the broker but direct in the definition\. RabbitMQ cannot change an exchange's type or durability in place: declare an exchange with a new name/,
    );
    expect(conflicts.slice(1).join('\n')).toMatch(
      /durable is false on the broker but true[\s\S]*auto_delete is true[\s\S]*internal is true/,
    );
  });
});

describe('planTopology', () => {
  test('on an empty broker everything is created, vhost first and permissions after their user', () => {
    const plan = planTopology(topology, empty, passwords);
    expect(plan.conflicts).toEqual([]);
    expect(plan.actions.map((a) => `${a.change} ${a.label}`)).toEqual([
      'created vhost integration',
      'created exchange events.by-key',
      'created exchange events.dead-letter',
      'created queue events.to-sqs',
      'created queue events.dead-letter',
      'created binding events.by-key -> events.to-sqs [1]',
      'created binding events.dead-letter -> events.dead-letter []',
      'created user producer',
      'created permissions producer@integration',
      'created user event-source',
      'created permissions event-source@integration',
    ]);
  });

  test('users with the same password and tags (old comma-string form) are unchanged; a new password updates', () => {
    const users = new Map([
      [
        'producer',
        {
          password_hash: sha256Hash(passwords.producer),
          hashing_algorithm: 'rabbit_password_hashing_sha256',
          tags: '',
        },
      ],
      [
        'event-source',
        { password_hash: sha256Hash('old-password-1'), hashing_algorithm: 'rabbit_password_hashing_sha256', tags: [] },
      ],
    ]);
    const plan = planTopology(topology, { ...empty, vhostExists: true, users }, passwords);
    expect(plan.unchanged).toContain('user producer');
    expect(plan.actions.filter((a) => a.change === 'updated').map((a) => a.label)).toEqual(['user event-source']);
  });

  test('a binding with arguments from a declared exchange is not ours and is removed', () => {
    const stray = {
      source: 'events.by-key',
      destination: 'events.to-sqs',
      destination_type: 'queue' as const,
      routing_key: '1',
      properties_key: '1~x',
      arguments: { x: 1 },
    };
    const plan = planTopology(topology, { ...empty, vhostExists: true, bindings: [stray] }, passwords);
    expect(plan.actions.filter((a) => a.change === 'deleted').map((a) => a.label)).toEqual([
      'binding events.by-key -> events.to-sqs [1]',
    ]);
  });
});
