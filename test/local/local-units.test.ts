import { EventEmitter } from 'node:events';
import type { ConfirmChannel } from 'amqplib';
import type { AmqpConnectionSource } from '../../lambda/producer/amqp-connection';
import { defaultTopology } from '../../lib/config/topology';
import { brokerFrom } from '../../local/cli';
import { createLocalLogger, logCounts, timedConnectionSource } from '../../local/local-adapters';
import { scaledVisibilityTimeout } from '../../local/sqs-setup';
import { amqpUrlFor, generateLocalPassword, isolateTopology } from '../../local/topology-setup';

describe('isolateTopology', () => {
  test('renames the vhost and every user reference, keeps queues and permissions', () => {
    const base = defaultTopology();
    const t = isolateTopology(base, { vhost: 'v1', userSuffix: 'abc' });
    expect(t.vhost).toBe('v1');
    expect(t.users.map((u) => u.name)).toEqual(['producer-abc', 'event-source-abc']);
    expect([t.producerUser, t.eventSourceUser]).toEqual(['producer-abc', 'event-source-abc']);
    expect(t.users[0].permissions).toEqual(base.users[0].permissions);
    expect(t.queues).toBe(base.queues);
  });

  test('without options it is the template topology', () => {
    const base = defaultTopology();
    expect(isolateTopology(base, {})).toEqual(base);
  });
});

describe('amqpUrlFor', () => {
  test('encodes credentials and the vhost, default port added', () => {
    expect(amqpUrlFor('amqp://guest:guest@127.0.0.1', 'u@x', 'p/w', '/')).toBe('amqp://u%40x:p%2Fw@127.0.0.1:5672/%2F');
    expect(amqpUrlFor('amqps://h:5999', 'u', 'p', 'integration')).toBe('amqps://u:p@h:5999/integration');
  });
});

test('generated passwords are long and free of the characters Amazon MQ refuses', () => {
  for (let i = 0; i < 20; i++) expect(generateLocalPassword()).toMatch(/^[A-Za-z0-9_-]{32}$/);
});

describe('scaledVisibilityTimeout', () => {
  test.each([
    [180, 1, 180],
    [180, 0.01, 2],
    [30, 0.01, 1],
    [180, 0.5, 90],
  ])('%d s × %d = %d s (whole seconds, at least 1)', (seconds, scale, expected) => {
    expect(scaledVisibilityTimeout(seconds, scale)).toBe(expected);
  });
});

describe('brokerFrom', () => {
  test('administrator credentials come from the management URL, else the AMQP URL, else guest', () => {
    expect(brokerFrom('amqp://a:b@h:5672', 'http://m:n@h:15672/')).toEqual({
      amqpUrl: 'amqp://a:b@h:5672',
      managementUrl: 'http://h:15672',
      username: 'm',
      password: 'n',
    });
    expect(brokerFrom('amqp://a:b@h:5672', 'http://h:15672')).toMatchObject({ username: 'a', password: 'b' });
    expect(brokerFrom('amqp://h', 'http://h:15672')).toMatchObject({ username: 'guest', password: 'guest' });
  });

  test('refuses a malformed URL or wrong scheme, naming the option and hiding credentials', () => {
    expect(() => brokerFrom('not a url', 'http://h')).toThrow(
      /--amqp-url is "not a url"; expected a URL starting with amqp: or amqps:\/\//,
    );
    expect(() => brokerFrom('http://u:secret@h', 'http://h')).toThrow(
      /--amqp-url uses http:; expected amqp: or amqps:/,
    );
    expect(() => brokerFrom('amqp://h', 'amqp://u:secret@h')).toThrow(/--management-url uses amqp:/);
  });
});

describe('local adapters', () => {
  test('the quiet logger counts warnings and errors and prints nothing', () => {
    const lines: string[] = [];
    const log = createLocalLogger({ component: 'unit-quiet', verbose: false, write: (l) => lines.push(l) });
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines).toEqual([]);
    expect(logCounts['unit-quiet']).toEqual({ warn: 1, error: 1 });
  });

  test('the verbose logger prints one line per call with component and attributes', () => {
    const lines: string[] = [];
    const log = createLocalLogger({ component: 'unit-verbose', verbose: true, write: (l) => lines.push(l) });
    log.warn('careful', { id: 'x' });
    log.debug('hidden');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ WARN {2}\[unit-verbose\] careful \{"id":"x"\}\n$/);
  });

  test('the timed connection records each publish by message id and passes everything through', async () => {
    const calls: unknown[][] = [];
    const channel = Object.assign(new EventEmitter(), {
      publish: (...args: unknown[]) => calls.push(args) > 0,
    }) as unknown as ConfirmChannel;
    const source: AmqpConnectionSource = {
      confirmChannel: async () => channel,
      hasCachedChannel: () => true,
      blockedReason: () => 'memory',
      onBlocked: (listener) => {
        listener('memory');
        return () => undefined;
      },
      discard: () => undefined,
      close: async () => undefined,
    };
    const publishedAt = new Map<string, number>();
    const timed = timedConnectionSource(source, publishedAt);
    const ch = await timed.confirmChannel();
    expect(await timed.confirmChannel()).toBe(ch);
    const callback = () => undefined;
    ch.publish('ex', 'rk', Buffer.from('x'), { messageId: 'm-1' }, callback);
    expect(calls).toEqual([['ex', 'rk', Buffer.from('x'), { messageId: 'm-1' }, callback]]);
    expect(publishedAt.get('m-1')).toEqual(expect.any(Number));
    const seen: string[] = [];
    ch.on('return', (m: string) => seen.push(m));
    (channel as unknown as EventEmitter).emit('return', 'returned');
    expect(seen).toEqual(['returned']);
    expect(timed.blockedReason()).toBe('memory');
    expect(timed.hasCachedChannel()).toBe(true);
    const blocked: string[] = [];
    timed.onBlocked((reason) => blocked.push(reason));
    expect(blocked).toEqual(['memory']);
  });
});
