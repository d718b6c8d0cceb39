import '../support/quiet';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { ConfirmChannel } from 'amqplib';
import type { AmqpConnectionSource } from '../../../lambda/producer/amqp-connection';
import { createAmqpConnectionSource } from '../../../lambda/producer/amqp-connection';
import { parseCredentialsSecret, secretsManagerCredentials } from '../../../lambda/producer/credentials';
import { createProducerHandler } from '../../../lambda/producer/handler';
import { BrokerConnectionError } from '../../../lambda/shared/errors';
import { FakeChannel, type Answer } from '../support/fake-channel';

function fakeSource(channel: FakeChannel | Error, blocked?: string) {
  const discarded: string[] = [];
  const source: AmqpConnectionSource = {
    confirmChannel: async () => {
      if (channel instanceof Error) throw channel;
      return channel as unknown as ConfirmChannel;
    },
    hasCachedChannel: () => false,
    blockedReason: () => blocked,
    onBlocked: () => () => undefined,
    discard: (reason) => discarded.push(reason),
    close: async () => undefined,
  };
  return { source, discarded };
}

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: jest.fn() };

function producer(channel: FakeChannel | Error, blocked?: string) {
  let n = 0;
  const { source, discarded } = fakeSource(channel, blocked);
  const handler = createProducerHandler({
    connection: source,
    config: { exchange: 'events', routingKey: 'event', confirmTimeoutMs: 100 },
    newId: () => `id-${n++}`,
    logger: silent,
  });
  return { handler, discarded };
}

describe('createProducerHandler', () => {
  it('returns confirmed good ids, confirmed poison ids and timing', async () => {
    const { handler } = producer(new FakeChannel());
    const result = await handler({ count: 3, poison: 1, runId: 'run-1' });
    expect(result).toMatchObject({
      runId: 'run-1',
      ids: ['id-0', 'id-1', 'id-2'],
      poisonIds: ['id-3'],
      published: 4,
      confirmed: 4,
      failed: [],
      exchange: 'events',
      routingKey: 'event',
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('lists only confirmed ids; failures carry id, code and reason and are logged as errors', async () => {
    const answers: Record<string, Answer> = { 'id-1': 'nack', 'id-2': 'return-then-ack' };
    const { handler } = producer(new FakeChannel((id) => answers[id] ?? 'ack'));
    const result = await handler({ count: 3, runId: 'r' });
    expect(result.ids).toEqual(['id-0']);
    expect(result.failed.map((f) => [f.id, f.code])).toEqual([
      ['id-1', 'nacked'],
      ['id-2', 'returned'],
    ]);
    expect(silent.error).toHaveBeenCalledWith(
      'Some messages were not confirmed and do not count as sent',
      expect.objectContaining({ failed: 2, byCode: { nacked: 1, returned: 1 } }),
    );
  });

  it('reports every message failed when the broker cannot be reached, without throwing', async () => {
    const { handler } = producer(
      new BrokerConnectionError('Cannot connect to amqp://127.0.0.1:1 vhost "/": ECONNREFUSED'),
    );
    const result = await handler({ count: 2, runId: 'r' });
    expect(result.ids).toEqual([]);
    expect(result.failed).toEqual([
      {
        id: 'id-0',
        poison: false,
        published: false,
        code: 'connection-failed',
        reason: expect.stringMatching(/ECONNREFUSED/),
      },
      {
        id: 'id-1',
        poison: false,
        published: false,
        code: 'connection-failed',
        reason: expect.stringMatching(/ECONNREFUSED/),
      },
    ]);
  });

  it('fails at once without publishing when the broker blocks publishers, and drops the connection', async () => {
    const channel = new FakeChannel(() => 'silence');
    const { handler, discarded } = producer(channel, 'low on memory');
    const started = Date.now();
    const result = await handler({ count: 2, runId: 'r' });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.failed.map((f) => [f.code, f.published])).toEqual([
      ['broker-blocked', false],
      ['broker-blocked', false],
    ]);
    expect(channel.published).toHaveLength(0);
    expect(discarded).toEqual(['the broker blocks publishers (low on memory)']);
  });

  it('throws on an invalid event before publishing anything', async () => {
    const channel = new FakeChannel();
    const { handler } = producer(channel);
    await expect(handler({ count: -1 })).rejects.toThrow(/count is -1; expected an integer from 0 to 100000/);
    expect(channel.published).toHaveLength(0);
  });

  it.each([
    ['a payload the contract refuses', { count: 50, payload: { n: NaN } }, /payload is/],
    ['a payload too large for SQS', { count: 50, payload: 'x'.repeat(1_040_384) }, /encoded message size in bytes/],
  ])('publishes nothing for %s, although bodies are built while publishing', async (_name, event, message) => {
    const channel = new FakeChannel();
    const { handler } = producer(channel);
    await expect(handler(event)).rejects.toThrow(message);
    expect(channel.published).toHaveLength(0);
  });

  it('does nothing for count 0', async () => {
    const { handler } = producer(new Error('must not connect'));
    expect(await handler({ count: 0, runId: 'r' })).toMatchObject({ ids: [], published: 0, failed: [] });
  });
});

describe('credentials', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => sm.reset());

  it('reads the secret once per container and caches it', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"username":"producer","password":"p4ssw0rd-long"}' });
    const provider = secretsManagerCredentials(new SecretsManagerClient({}), 'arn:secret');
    expect(await provider.get()).toEqual({ username: 'producer', password: 'p4ssw0rd-long' });
    await provider.get();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    provider.invalidate();
    await provider.get();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('does not cache a failed read', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretString: '{"username":"u","password":"p"}' });
    const provider = secretsManagerCredentials(new SecretsManagerClient({}), 'arn:secret');
    await expect(provider.get()).rejects.toThrow(/throttled/);
    expect(await provider.get()).toEqual({ username: 'u', password: 'p' });
  });

  it.each([
    [undefined, /it is not JSON/],
    ['not json', /it is not JSON/],
    ['{"username":"u"}', /missing or empty: password/],
    ['{"username":"","password":"secret-value"}', /missing or empty: username/],
  ])('refuses secret %p without quoting it', (secret, message) => {
    expect(() => parseCredentialsSecret(secret, 'arn:s')).toThrow(message);
    try {
      parseCredentialsSecret(secret, 'arn:s');
    } catch (error) {
      expect((error as Error).message).not.toContain('secret-value');
    }
  });
});

describe('createAmqpConnectionSource', () => {
  it('refuses a URL that is not AMQP', () => {
    expect(() => createAmqpConnectionSource({ url: 'http://broker:80' })).toThrow(
      /scheme http: is not supported; expected amqp: or amqps:/,
    );
  });

  it('fails within the connect timeout when nothing answers', async () => {
    const source = createAmqpConnectionSource({ url: 'amqp://127.0.0.1:1', connectTimeoutMs: 1_000, logger: silent });
    await expect(source.confirmChannel()).rejects.toThrow(/Cannot connect to amqp:\/\/127.0.0.1:1 vhost "\/"/);
    await source.close();
  });
});
