import type { OutgoingMessage } from '../../../lambda/producer/event';
import { publishWithConfirms } from '../../../lambda/producer/publisher';
import { FakeChannel, type Answer } from '../support/fake-channel';

const messages = (n: number, poisonFrom = n): OutgoingMessage[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `m${i}`,
    correlationId: `c${i}`,
    body: Buffer.from(`{"n":${i}}`),
    poison: i >= poisonFrom,
  }));

const options = { exchange: 'events', routingKey: 'event', confirmTimeoutMs: 200 };

describe('publishWithConfirms', () => {
  it('publishes persistent, mandatory messages with ids and counts every ack as confirmed', async () => {
    const channel = new FakeChannel();
    const outcome = await publishWithConfirms(channel, messages(3), options);
    expect(outcome.confirmed.map((m) => m.id)).toEqual(['m0', 'm1', 'm2']);
    expect(outcome.failed).toEqual([]);
    expect(channel.published[0].options).toMatchObject({
      persistent: true,
      mandatory: true,
      messageId: 'm0',
      correlationId: 'c0',
      contentType: 'application/json',
    });
  });

  it('publishes nothing for an empty list', async () => {
    const channel = new FakeChannel();
    expect(await publishWithConfirms(channel, [], options)).toEqual({ confirmed: [], failed: [], taken: 0 });
    expect(channel.published).toHaveLength(0);
  });

  it.each<[string, Answer, string, RegExp, boolean]>([
    ['a nack', 'nack', 'nacked', /broker nacked the message/, true],
    [
      'a return before the ack (unroutable)',
      'return-then-ack',
      'returned',
      /returned as unroutable \(312 NO_ROUTE\): no queue is bound to exchange "events" with routing key "event"/,
      true,
    ],
    ['no confirm in time', 'silence', 'confirm-timeout', /no confirm from the broker within 200 ms/, true],
    ['a closed channel', 'throw', 'channel-closed', /channel closed before the broker confirmed/, false],
  ])('reports %s as a failure of that message only', async (_name, answer, code, reason, published) => {
    const channel = new FakeChannel((id) => (id === 'm1' ? answer : 'ack'));
    const outcome = await publishWithConfirms(channel, messages(3), options);
    expect(outcome.confirmed.map((m) => m.id)).toEqual(['m0', 'm2']);
    expect(outcome.failed).toEqual([
      { id: 'm1', code, reason: expect.stringMatching(reason), poison: false, published },
    ]);
  });

  it('publishes nothing while the broker blocks publishers (memory alarm), and says why', async () => {
    const channel = new FakeChannel(() => 'silence');
    const outcome = await publishWithConfirms(channel, messages(2), {
      ...options,
      blockedReason: () => 'low on memory',
    });
    expect(channel.published).toHaveLength(0);
    expect(outcome).toEqual({
      confirmed: [],
      failed: [],
      taken: 0,
      stopped: {
        code: 'broker-blocked',
        reason: 'not published: the broker blocks publishers (low on memory: memory or disk alarm)',
      },
    });
  });

  it('has one message in flight until the broker first answers, then the whole window', async () => {
    const channel = new FakeChannel(() => 'silence');
    const publishing = publishWithConfirms(channel, messages(20), {
      ...options,
      maxInFlight: 8,
      confirmTimeoutMs: 5_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(channel.published.map((p) => p.id)).toEqual(['m0']);
    channel.pending.get('m0')?.(null);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(channel.published).toHaveLength(9);
    channel.closeWithError('test over');
    const outcome = await publishing;
    expect(outcome.confirmed.map((m) => m.id)).toEqual(['m0']);
    expect(outcome.stopped).toMatchObject({ code: 'channel-closed' });
    expect(outcome.taken).toBe(9);
  });

  it('gives the first message its own timeout and publishes nothing more when it goes unanswered', async () => {
    const channel = new FakeChannel(() => 'silence');
    const started = Date.now();
    const outcome = await publishWithConfirms(channel, messages(5), {
      ...options,
      confirmTimeoutMs: 5_000,
      firstConfirmTimeoutMs: 50,
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(channel.published).toHaveLength(1);
    expect(outcome.failed).toEqual([
      {
        id: 'm0',
        code: 'confirm-timeout',
        reason: 'no confirm from the broker within 50 ms',
        poison: false,
        published: true,
      },
    ]);
    expect(outcome.stopped).toEqual({
      code: 'confirm-timeout',
      reason: 'not published: no confirm from the broker within 50 ms',
    });
  });

  it('fails every unconfirmed message when the channel closes mid-flight, quoting the broker', async () => {
    const channel = new FakeChannel((id) => (id === 'm0' ? 'ack' : 'silence'));
    const publishing = publishWithConfirms(channel, messages(3), { ...options, confirmTimeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    channel.closeWithError(
      'Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange \'events\'"',
    );
    const outcome = await publishing;
    expect(outcome.confirmed.map((m) => m.id)).toEqual(['m0']);
    expect(outcome.failed.map((f) => f.code)).toEqual(['channel-closed', 'channel-closed']);
    expect(outcome.failed[0].reason).toMatch(
      /channel closed before the broker confirmed: .*NOT_FOUND - no exchange 'events'/,
    );
  });

  it('keeps poison flags on failures', async () => {
    const channel = new FakeChannel((id) => (id === 'm1' ? 'nack' : 'ack'));
    const outcome = await publishWithConfirms(channel, messages(2, 1), options);
    expect(outcome.failed[0]).toMatchObject({ id: 'm1', poison: true });
  });

  it('waits for drain when the socket buffer is full, then continues', async () => {
    const channel = new FakeChannel();
    channel.fullAfter.add('m0');
    setTimeout(() => channel.emit('drain'), 20);
    const outcome = await publishWithConfirms(channel, messages(3), { ...options, confirmTimeoutMs: 5_000 });
    expect(outcome.confirmed).toHaveLength(3);
  });

  it('bounds unconfirmed messages in flight', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const channel = new FakeChannel(() => 'silence');
    channel.publish = ((original) =>
      function (this: FakeChannel, ...args: Parameters<FakeChannel['publish']>) {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const callback = args[4];
        args[4] = (error: unknown) => {
          inFlight--;
          callback(error);
        };
        const result = original.apply(this, args);
        setTimeout(() => channel.pending.get(String(args[3].messageId))?.(null), 5);
        return result;
      })(channel.publish);
    const outcome = await publishWithConfirms(channel, messages(50), {
      ...options,
      maxInFlight: 8,
      confirmTimeoutMs: 5_000,
    });
    expect(outcome.confirmed).toHaveLength(50);
    expect(maxInFlight).toBeLessThanOrEqual(8);
  });

  it('takes each message from the iterable only when it can publish it (building overlaps confirms)', async () => {
    const taken: number[] = [];
    let count = 0;
    function* lazy() {
      for (const m of messages(20)) {
        count++;
        yield m;
      }
    }
    const channel = new FakeChannel();
    const publish = channel.publish.bind(channel);
    channel.publish = (...args) => {
      taken.push(count);
      return publish(...args);
    };
    const outcome = await publishWithConfirms(channel, lazy(), { ...options, maxInFlight: 4 });
    expect(outcome.confirmed).toHaveLength(20);
    // The n-th publish happens when exactly n messages have been taken: none is built ahead of the window.
    expect(taken).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('uses one confirm timer for the window, not one per message', async () => {
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    try {
      const outcome = await publishWithConfirms(new FakeChannel(), messages(200), options);
      expect(outcome.confirmed).toHaveLength(200);
      expect(setTimeoutSpy.mock.calls.length).toBeLessThanOrEqual(2);
    } finally {
      setTimeoutSpy.mockRestore();
    }
  });

  it('times out each message by its own deadline while later ones are still confirmed', async () => {
    const channel = new FakeChannel((id) => (id === 'm1' || id === 'm3' ? 'silence' : 'ack'));
    const outcome = await publishWithConfirms(channel, messages(5), options);
    expect(outcome.confirmed.map((m) => m.id)).toEqual(['m0', 'm2', 'm4']);
    expect(outcome.failed.map((f) => [f.id, f.code])).toEqual([
      ['m1', 'confirm-timeout'],
      ['m3', 'confirm-timeout'],
    ]);
  });

  it('reports a message that cannot be built as an error, and stops watching the channel', async () => {
    function* broken() {
      yield messages(1)[0];
      throw new Error('template bug');
    }
    const channel = new FakeChannel();
    await expect(publishWithConfirms(channel, broken(), options)).rejects.toThrow(/template bug/);
    expect(channel.listenerCount('return') + channel.listenerCount('close') + channel.listenerCount('drain')).toBe(0);
  });

  it('removes its listeners afterwards (no leak across warm invocations)', async () => {
    const channel = new FakeChannel();
    await publishWithConfirms(channel, messages(1), options);
    expect(channel.listenerCount('return') + channel.listenerCount('close') + channel.listenerCount('error')).toBe(0);
  });
});
