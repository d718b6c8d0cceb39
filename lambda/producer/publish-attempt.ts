import type { AmqpConnectionSource } from './amqp-connection';
import type { PreparedMessages } from './event';
import {
  publishWithConfirms,
  type ConfirmedMessage,
  type PublishFailure,
  type PublishFailureCode,
  type PublishOptions,
  type PublishStop,
} from './publisher';

/** Every message of one invocation, confirmed or failed. */
export interface InvocationOutcome {
  readonly confirmed: readonly ConfirmedMessage[];
  readonly failed: readonly PublishFailure[];
}

/** What one publish of the invocation's messages needs besides the connection. */
export type AttemptOptions = Omit<PublishOptions, 'blockedReason' | 'watchBlocked' | 'firstConfirmTimeoutMs'> & {
  /** How long the first confirm on a connection cached from an earlier invocation may take before it is stale. */
  readonly staleConnectionTimeoutMs: number;
};

/** Failures that say nothing about the broker, only that the connection did not work. */
const CONNECTION_LOST: ReadonlySet<PublishFailureCode> = new Set(['channel-closed', 'confirm-timeout']);

/** Failures after which the connection is dropped so that the next invocation does not reuse it. */
const DISCARD_AFTER: ReadonlySet<PublishFailureCode> = new Set(['confirm-timeout', 'broker-blocked']);

/** Every message from `from` on, failed as never published. */
function notPublished(messages: PreparedMessages, from: number, stop: PublishStop): PublishFailure[] {
  const failed: PublishFailure[] = [];
  for (let i = from; i < messages.ids.length; i++) {
    failed.push({ id: messages.ids[i], poison: i >= messages.count, published: false, ...stop });
  }
  return failed;
}

/** One publish of every message on the source's current (or a new) connection. */
async function attempt(
  connection: AmqpConnectionSource,
  messages: PreparedMessages,
  options: PublishOptions,
): Promise<InvocationOutcome> {
  const blocked = connection.blockedReason();
  if (blocked) {
    connection.discard(`the broker blocks publishers (${blocked})`);
    return {
      confirmed: [],
      failed: notPublished(messages, 0, {
        code: 'broker-blocked',
        reason: `not published: the broker blocks publishers (${blocked}: memory or disk alarm)`,
      }),
    };
  }
  const channel = await connection.confirmChannel().catch((error: Error) => error);
  if (channel instanceof Error) {
    return {
      confirmed: [],
      failed: notPublished(messages, 0, { code: 'connection-failed', reason: channel.message }),
    };
  }
  const outcome = await publishWithConfirms(channel, messages, {
    ...options,
    blockedReason: () => connection.blockedReason(),
    watchBlocked: (listener) => connection.onBlocked(listener),
  });
  const failed = outcome.stopped
    ? [...outcome.failed, ...notPublished(messages, outcome.taken, outcome.stopped)]
    : outcome.failed;
  // A blocked broker holds the unread publishes, a timed-out channel may still hold unconfirmed ones: neither
  // connection is reused, and the reset makes the broker drop what it has not read.
  const discardFor = failed.find((f) => DISCARD_AFTER.has(f.code));
  if (discardFor) connection.discard(discardFor.reason);
  return { confirmed: outcome.confirmed, failed };
}

/**
 * Publishes the invocation's messages. A connection cached from an earlier invocation may have died while the
 * container was frozen (closed by the broker, or a path that dropped silently): if it fails before any confirm —
 * closed, or no confirm within `staleConnectionTimeoutMs` — it is dropped and every message is published once more,
 * with the same ids, on a new connection. A message that did reach the broker the first time then arrives twice
 * with one id, which the idempotent consumer absorbs.
 */
export async function publishInvocation(
  connection: AmqpConnectionSource,
  messages: PreparedMessages,
  options: AttemptOptions,
): Promise<InvocationOutcome> {
  const { staleConnectionTimeoutMs, ...publish } = options;
  if (!connection.hasCachedChannel()) return attempt(connection, messages, publish);
  const first = await attempt(connection, messages, {
    ...publish,
    firstConfirmTimeoutMs: Math.min(staleConnectionTimeoutMs, publish.confirmTimeoutMs),
  });
  const stale =
    first.confirmed.length === 0 && first.failed.length > 0 && first.failed.every((f) => CONNECTION_LOST.has(f.code));
  if (!stale) return first;
  connection.discard(`stale connection: it failed before any confirm (${first.failed[0].reason})`);
  return attempt(connection, messages, publish);
}
