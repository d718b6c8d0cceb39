import '../support/quiet';
import type { ConfirmChannel } from 'amqplib';
import type { AmqpConnectionSource } from '../../../lambda/producer/amqp-connection';
import { MAX_BYTES_PER_INVOCATION } from '../../../lambda/producer/event';
import { createProducerHandler, type ProducerConfig } from '../../../lambda/producer/handler';
import { MAX_BODY_BYTES } from '../../../lambda/shared/sqs-limits';
import { FakeChannel } from '../support/fake-channel';
import { quietLogger } from '../support/quiet';

/**
 * The producer's edge cases (issue 17, items 10–12): a blocked broker, a connection that went stale while the
 * container was frozen, and the Lambda deadline. A scripted connection source hands out one fake channel per
 * connection, remembers whether a channel is cached from an earlier invocation, and can announce `connection.blocked`.
 */
class ScriptedSource implements AmqpConnectionSource {
  readonly discarded: string[] = [];
  /** Channels opened so far (one per connection). */
  readonly opened: FakeChannel[] = [];
  private cached: FakeChannel | undefined;
  private blocked: string | undefined;
  private readonly listeners = new Set<(reason: string) => void>();

  constructor(private readonly nextChannel: () => FakeChannel) {}

  /** A channel cached from an earlier invocation (as after a warm start). */
  preload(channel: FakeChannel): void {
    this.cached = channel;
  }

  async confirmChannel(): Promise<ConfirmChannel> {
    if (!this.cached) {
      this.cached = this.nextChannel();
      this.opened.push(this.cached);
    }
    return this.cached as unknown as ConfirmChannel;
  }

  hasCachedChannel(): boolean {
    return this.cached !== undefined;
  }

  blockedReason(): string | undefined {
    return this.blocked;
  }

  onBlocked(listener: (reason: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The broker sends `connection.blocked`. */
  block(reason: string): void {
    this.blocked = reason;
    for (const listener of this.listeners) listener(reason);
  }

  discard(reason: string): void {
    this.discarded.push(reason);
    this.cached = undefined;
    this.blocked = undefined;
  }

  async close(): Promise<void> {
    this.cached = undefined;
  }
}

function producer(source: ScriptedSource, config: Partial<ProducerConfig> = {}) {
  let n = 0;
  return createProducerHandler({
    connection: source,
    config: { exchange: 'events', routingKey: 'event', confirmTimeoutMs: 300, ...config },
    newId: () => `id-${n++}`,
    logger: quietLogger,
  });
}

/** A Lambda context with `remainingMs` left at the start of the invocation. */
function lambdaContext(remainingMs: number) {
  const deadline = Date.now() + remainingMs;
  return { getRemainingTimeInMillis: () => deadline - Date.now() };
}

describe('producer on a blocked broker (memory or disk alarm)', () => {
  it('publishes nothing on a connection the broker blocks, fails every message broker-blocked and drops it', async () => {
    const channel = new FakeChannel();
    const source = new ScriptedSource(() => channel);
    source.preload(channel);
    source.block('low on memory');
    const started = Date.now();
    const result = await producer(source)({ count: 5, runId: 'r' });
    expect(Date.now() - started).toBeLessThan(200);
    expect(channel.published).toHaveLength(0);
    expect(result.confirmed).toBe(0);
    expect(result.failed).toHaveLength(5);
    for (const failure of result.failed) {
      expect(failure).toMatchObject({ code: 'broker-blocked', published: false });
      expect(failure.reason).toMatch(/not published: the broker blocks publishers \(low on memory: memory or disk/);
    }
    expect(source.discarded).toEqual([expect.stringMatching(/broker blocks publishers/)]);
  });

  it('stops at the first publish the broker blocks: one message on the wire, not the whole window', async () => {
    // RabbitMQ blocks a connection (and says so) only when it reads a publish; until the first confirm the
    // producer has one message in flight, so that is all a blocked broker holds.
    const source = new ScriptedSource(() => new FakeChannel(() => 'silence'));
    const publishing = producer(source, { confirmTimeoutMs: 5_000 })({ count: 1_000, runId: 'r' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(source.opened[0].published).toHaveLength(1);
    source.block('low on disk');
    const result = await publishing;
    expect(result.confirmed).toBe(0);
    expect(result.failed).toHaveLength(1_000);
    expect(result.failed[0]).toMatchObject({ id: 'id-0', code: 'broker-blocked', published: true });
    expect(result.failed[0].reason).toMatch(/the connection is reset so that the broker drops what it has not read/);
    expect(result.failed.slice(1).every((f) => f.code === 'broker-blocked' && !f.published)).toBe(true);
    expect(source.discarded).toHaveLength(1);
  });

  it('opens the in-flight window once the first confirm arrives', async () => {
    const source = new ScriptedSource(() => new FakeChannel());
    const result = await producer(source)({ count: 50, runId: 'r' });
    expect(result.confirmed).toBe(50);
    expect(source.discarded).toEqual([]);
  });
});

describe('producer on a connection that went stale while the container was frozen', () => {
  it('reconnects and publishes once more with the same ids when the reused channel closes before any confirm', async () => {
    const stale = new FakeChannel(() => 'silence');
    const source = new ScriptedSource(() => new FakeChannel());
    source.preload(stale);
    const publishing = producer(source, { confirmTimeoutMs: 5_000 })({ count: 20, runId: 'r' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    stale.closeWithError('Socket closed abruptly during opening handshake');
    const result = await publishing;
    expect(result.confirmed).toBe(20);
    expect(result.failed).toEqual([]);
    expect(result.ids).toEqual(Array.from({ length: 20 }, (_, i) => `id-${i}`));
    expect(source.opened).toHaveLength(1);
    expect(source.opened[0].published.map((p) => p.id)).toEqual(result.ids);
    // What reached the stale channel carried the same id, so a copy that did arrive is absorbed downstream.
    expect(stale.published.map((p) => p.id)).toEqual(['id-0']);
    expect(source.discarded).toEqual([expect.stringMatching(/stale/)]);
  });

  it('gives a silent reused connection the stale-connection timeout, not the confirm timeout, then reconnects', async () => {
    const silent = new FakeChannel(() => 'silence');
    const source = new ScriptedSource(() => new FakeChannel());
    source.preload(silent);
    const started = Date.now();
    const result = await producer(source, { confirmTimeoutMs: 5_000, staleConnectionTimeoutMs: 100 })({
      count: 10,
      runId: 'r',
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result.confirmed).toBe(10);
    expect(silent.published).toHaveLength(1);
    expect(source.opened[0].published.map((p) => p.id)).toEqual(result.ids);
  });

  it('does not retry on a connection it has just opened', async () => {
    const source = new ScriptedSource(() => new FakeChannel(() => 'silence'));
    const result = await producer(source, { confirmTimeoutMs: 100 })({ count: 3, runId: 'r' });
    expect(source.opened).toHaveLength(1);
    expect(result.failed.map((f) => [f.code, f.published])).toEqual([
      ['confirm-timeout', true],
      ['confirm-timeout', false],
      ['confirm-timeout', false],
    ]);
  });

  it('does not retry once the broker has answered on the reused connection', async () => {
    const reused = new FakeChannel((id) => (id === 'id-0' ? 'ack' : 'silence'));
    const source = new ScriptedSource(() => new FakeChannel());
    source.preload(reused);
    const result = await producer(source, { confirmTimeoutMs: 100 })({ count: 3, runId: 'r' });
    expect(source.opened).toHaveLength(0);
    expect(result.ids).toEqual(['id-0']);
    expect(result.failed.map((f) => f.code)).toEqual(['confirm-timeout', 'confirm-timeout']);
  });

  it.each([100, 5_000])(
    'defaults the stale-connection timeout to 2 s, capped by a confirm timeout of %i ms',
    async (confirmTimeoutMs) => {
      const source = new ScriptedSource(() => new FakeChannel());
      source.preload(new FakeChannel(() => 'silence'));
      const started = Date.now();
      await producer(source, { confirmTimeoutMs })({ count: 1, runId: 'r' });
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(Math.min(2_000, confirmTimeoutMs) - 20);
      expect(elapsed).toBeLessThan(Math.min(2_000, confirmTimeoutMs) + 500);
    },
  );
});

describe('producer and the Lambda deadline', () => {
  it('stops publishing at the deadline less the confirm timeout and reports the rest as not published', async () => {
    // Confirms take 5 ms each, one at a time: far too slow for 100,000 messages in 700 ms.
    const channel = new FakeChannel(() => 'silence');
    const ack = setInterval(() => {
      const [first] = channel.pending.keys();
      if (first !== undefined) {
        channel.pending.get(first)?.(null);
        channel.pending.delete(first);
      }
    }, 5);
    try {
      const source = new ScriptedSource(() => channel);
      const started = Date.now();
      const result = await producer(source, { confirmTimeoutMs: 300, maxInFlight: 1 })(
        { count: 100_000, runId: 'r' },
        lambdaContext(700),
      );
      const elapsed = Date.now() - started;
      expect(elapsed).toBeLessThan(700);
      expect(result.confirmed).toBeGreaterThan(0);
      expect(result.confirmed + result.failed.length).toBe(100_000);
      expect(result.ids).toHaveLength(result.confirmed);
      const notPublished = result.failed.filter((f) => f.code === 'deadline');
      expect(notPublished.length).toBeGreaterThan(99_000);
      expect(notPublished.every((f) => !f.published)).toBe(true);
      expect(notPublished[0].reason).toMatch(
        /not published: the invocation's deadline is near \(\d+ ms left when it began, less the 300 ms confirm timeout/,
      );
    } finally {
      clearInterval(ack);
    }
  });

  it('publishes nothing when the time left does not cover one confirm timeout', async () => {
    const channel = new FakeChannel();
    const source = new ScriptedSource(() => channel);
    const result = await producer(source, { confirmTimeoutMs: 1_000 })({ count: 3, runId: 'r' }, lambdaContext(800));
    expect(channel.published).toHaveLength(0);
    expect(result.failed.map((f) => [f.code, f.published])).toEqual([
      ['deadline', false],
      ['deadline', false],
      ['deadline', false],
    ]);
  });

  it('has no deadline without a Lambda context (local runtime)', async () => {
    const source = new ScriptedSource(() => new FakeChannel());
    expect((await producer(source)({ count: 30, runId: 'r' })).confirmed).toBe(30);
  });

  it('refuses count × size above the per-invocation byte budget, naming both and the limit', async () => {
    const channel = new FakeChannel();
    const source = new ScriptedSource(() => channel);
    const allowed = `at most ${MAX_BYTES_PER_INVOCATION} bytes`;
    await expect(producer(source)({ count: 100_000, size: 1_040_384 })).rejects.toThrow(
      new RegExp(`count × size is 104038400000; expected ${allowed}`),
    );
    expect(channel.published).toHaveLength(0);
  });

  it('refuses count × the encoded size of a given payload above the same budget', async () => {
    const channel = new FakeChannel();
    const source = new ScriptedSource(() => channel);
    await expect(producer(source)({ count: 1_000, payload: 'x'.repeat(300_000) })).rejects.toThrow(
      new RegExp(`count × encoded message size in bytes is \\d+; expected at most ${MAX_BYTES_PER_INVOCATION} bytes`),
    );
    expect(channel.published).toHaveLength(0);
  });

  it('accepts a request exactly at the budget', async () => {
    const source = new ScriptedSource(() => new FakeChannel());
    const result = await producer(source)({ count: 256, size: MAX_BODY_BYTES, runId: 'r' });
    expect(result.confirmed).toBe(256);
  });

  it('derives the byte budget from the largest body the producer may publish', () => {
    expect(MAX_BYTES_PER_INVOCATION).toBe(256 * MAX_BODY_BYTES);
  });
});
