import type { EventEmitter } from 'node:events';
import type { Message as AmqpMessage, Options } from 'amqplib';
import { MESSAGE_CONTENT_TYPE } from '../shared/message';
import type { OutgoingMessage } from './event';

/** The part of an amqplib `ConfirmChannel` the publisher uses (unit tests pass a fake). */
export interface PublishChannel extends Pick<EventEmitter, 'on' | 'off' | 'once'> {
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
    callback: (error: unknown) => void,
  ): boolean;
}

/** Why a message does not count as sent. */
export type PublishFailureCode =
  | 'nacked'
  | 'returned'
  | 'confirm-timeout'
  | 'broker-blocked'
  | 'channel-closed'
  | 'connection-failed'
  | 'publish-error'
  | 'deadline';

export interface PublishFailure {
  readonly id: string;
  readonly code: PublishFailureCode;
  readonly reason: string;
  readonly poison: boolean;
  /**
   * Whether the message was handed to the connection. One that was may still reach the queue although it failed
   * (its confirm was lost); one that was not never will, so it can be retried with a fresh id without a duplicate.
   */
  readonly published: boolean;
}

/** Why publishing stopped before every message was taken; the ones not taken were never published. */
export interface PublishStop {
  readonly code: PublishFailureCode;
  /** Starts with `not published:`. */
  readonly reason: string;
}

/** A message the broker confirmed. */
export interface ConfirmedMessage {
  readonly id: string;
  readonly poison: boolean;
}

export interface PublishOutcome {
  /** Messages the broker confirmed (in publish order). */
  readonly confirmed: readonly ConfirmedMessage[];
  readonly failed: readonly PublishFailure[];
  /** Messages taken from the iterable (confirmed + failed); the rest were never built nor published. */
  readonly taken: number;
  /** Why the rest were not taken; absent when every message was. */
  readonly stopped?: PublishStop;
}

export interface PublishOptions {
  readonly exchange: string;
  readonly routingKey: string;
  /** How long each message may wait for its confirm. */
  readonly confirmTimeoutMs: number;
  /** Unconfirmed messages allowed at once; bounds memory and the damage of a dropped connection. @default 1000 */
  readonly maxInFlight?: number;
  /**
   * How long the first message may wait for its confirm. Until the broker has answered once, one message is in
   * flight; if the first gets no answer, nothing more is published. @default - `confirmTimeoutMs`
   */
  readonly firstConfirmTimeoutMs?: number;
  /** Why the broker blocks this connection (memory or disk alarm), if it does: nothing is published while it does. */
  readonly blockedReason?: () => string | undefined;
  /** Subscribes to the connection's `connection.blocked`; returns the unsubscribe function. @default - none */
  readonly watchBlocked?: (listener: (reason: string) => void) => () => void;
  /** No message is published from this time (epoch ms) on: the invocation's deadline less the confirm timeout. */
  readonly publishUntil?: { readonly at: number; readonly reason: string };
  /** `appId` property on every message. @default 'mq-cloud-integration-producer' */
  readonly appId?: string;
}

/** A published message awaiting its confirm. */
interface Unconfirmed {
  readonly id: string;
  readonly poison: boolean;
  readonly deadline: number;
  settled: boolean;
}

/**
 * Publishes on a confirm channel: persistent, `mandatory`, one confirm tracked per message. A message counts as
 * sent only when the broker acks it and did not return it first (RabbitMQ sends `basic.return` before the
 * `basic.ack` of an unroutable mandatory message). Nack, return, timeout and channel loss are failures.
 *
 * `messages` is consumed lazily: a message is taken (and built) only when the in-flight window and the socket have
 * room, so building overlaps the broker's work. The window is one message until the broker first answers: RabbitMQ
 * tells a connection it is blocked (memory or disk alarm) only once it reads a publish, and a connection reused after
 * a freeze may be dead; either way one message, not a thousand, is on the wire when the producer learns it. Once
 * blocked, past `publishUntil`, or after the first message failed unanswered, nothing more is taken (`stopped`). Publishing is driven by confirms, like a plain client's pump: no
 * promise or timer per message; one timer watches the oldest unconfirmed message (confirms share one timeout, so
 * publish order is deadline order) and a socket that stays full.
 */
export function publishWithConfirms(
  channel: PublishChannel,
  messages: Iterable<OutgoingMessage>,
  options: PublishOptions,
): Promise<PublishOutcome> {
  const maxInFlight = options.maxInFlight ?? 1_000;
  const timeoutMs = options.confirmTimeoutMs;
  const firstTimeoutMs = options.firstConfirmTimeoutMs ?? timeoutMs;
  const appId = options.appId ?? 'mq-cloud-integration-producer';
  const source = messages[Symbol.iterator]();
  // Per message in publish order: its confirm state, and its failure (undefined while unconfirmed, null if confirmed).
  const published: Unconfirmed[] = [];
  const failures: (PublishFailure | null | undefined)[] = [];
  const returned = new Map<string, string>();
  let oldest = 0;
  let inFlight = 0;
  let exhausted = false;
  let pumping = false;
  let channelError: string | undefined;
  let channelClosed = false;
  /** When the socket buffer filled (publish returned false); undefined while it has room. */
  let fullSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let finished = false;
  /** The broker acked, nacked or returned a message: the connection is alive, the window opens. */
  let answered = false;
  let stopped: PublishStop | undefined;
  let unwatchBlocked: () => void = () => undefined;
  let finish: (outcome: PublishOutcome) => void = () => undefined;
  let abort: (error: Error) => void = () => undefined;

  const closedReason = () =>
    `channel closed before the broker confirmed${channelError ? `: ${channelError}` : ' (connection lost)'}`;

  type Failure = Omit<PublishFailure, 'id' | 'poison'>;
  const settle = (index: number, failure?: Failure) => {
    const message = published[index];
    if (message.settled) return;
    message.settled = true;
    inFlight--;
    failures[index] = failure ? { id: message.id, poison: message.poison, ...failure } : null;
    if (index === 0 && !answered && failure?.published && !stopped) {
      // The first message failed without any answer from the broker: the connection is dead or silent.
      stopped = { code: failure.code, reason: `not published: ${failure.reason}` };
    }
  };

  const blockedText = (reason: string) => `the broker blocks publishers (${reason}: memory or disk alarm)`;

  /** The broker blocks the connection: publish nothing more, and fail what is in flight at once. */
  const onBlocked = (reason: string) => {
    if (finished) return;
    stopped ??= { code: 'broker-blocked', reason: `not published: ${blockedText(reason)}` };
    for (let i = oldest; i < published.length; i++) {
      settle(i, {
        code: 'broker-blocked',
        published: true,
        reason: `published before the broker said it blocks publishers (${reason}: memory or disk alarm); the connection is reset so that the broker drops what it has not read`,
      });
    }
    pump();
  };

  /** Arms the one timer for the next thing that can time out: the oldest unconfirmed message, or a full socket. */
  const arm = () => {
    if (timer) return;
    while (oldest < published.length && published[oldest].settled) oldest++;
    let wakeAt = oldest < published.length ? published[oldest].deadline : Infinity;
    if (fullSince !== undefined) wakeAt = Math.min(wakeAt, fullSince + timeoutMs);
    if (wakeAt === Infinity) return;
    timer = setTimeout(onTimer, Math.max(1, wakeAt - Date.now()));
  };

  function onTimer() {
    timer = undefined;
    const now = Date.now();
    for (let i = oldest; i < published.length && published[i].deadline <= now; i++) {
      const waited = i === 0 ? firstTimeoutMs : timeoutMs;
      const failure: Failure = {
        code: 'confirm-timeout',
        published: true,
        reason: `no confirm from the broker within ${waited} ms`,
      };
      if (!published[i].settled) settle(i, failure);
    }
    // A socket that has not drained within the confirm timeout: carry on, as after a drain (bounded wait).
    if (fullSince !== undefined && now - fullSince >= timeoutMs) fullSince = undefined;
    pump();
  }

  const publishNext = (message: OutgoingMessage) => {
    const index = published.length;
    const sentAt = Date.now();
    const deadline = sentAt + (index === 0 ? firstTimeoutMs : timeoutMs);
    published.push({ id: message.id, poison: message.poison, deadline, settled: false });
    failures.push(undefined);
    inFlight++;
    try {
      const writable = channel.publish(
        options.exchange,
        options.routingKey,
        message.body,
        {
          persistent: true,
          mandatory: true,
          messageId: message.id,
          correlationId: message.correlationId,
          contentType: MESSAGE_CONTENT_TYPE,
          timestamp: Math.floor(sentAt / 1000),
          appId,
        },
        (error) => {
          const nacked = error instanceof Error && /nack/i.test(error.message);
          if (!error || nacked) answered = true;
          if (error) {
            settle(
              index,
              nacked
                ? {
                    code: 'nacked',
                    published: true,
                    reason: 'the broker nacked the message (it could not take responsibility for it)',
                  }
                : { code: 'channel-closed', published: true, reason: closedReason() },
            );
          } else if (returned.size > 0 && returned.has(message.id)) {
            settle(index, { code: 'returned', published: true, reason: returned.get(message.id) as string });
          } else {
            settle(index);
          }
          pump();
        },
      );
      if (!writable && fullSince === undefined) fullSince = Date.now();
    } catch (error) {
      // amqplib throws IllegalOperationError from publish once the channel has closed.
      settle(
        index,
        (error as Error).name === 'IllegalOperationError'
          ? { code: 'channel-closed', published: false, reason: closedReason() }
          : { code: 'publish-error', published: false, reason: `publish failed: ${(error as Error).message}` },
      );
    }
  };

  /** Why nothing more may be published now, if so. */
  const stopReason = (): PublishStop | undefined => {
    if (stopped) return stopped;
    const blocked = options.blockedReason?.();
    if (blocked) return { code: 'broker-blocked', reason: `not published: ${blockedText(blocked)}` };
    if (channelClosed) return { code: 'channel-closed', reason: `not published: ${closedReason()}` };
    if (options.publishUntil && Date.now() >= options.publishUntil.at) {
      return { code: 'deadline', reason: options.publishUntil.reason };
    }
    return undefined;
  };

  /** Publishes while the window and the socket have room; resolves once everything is published and settled. */
  function pump() {
    // Re-entered from a confirm inside publish(), the loop already running carries on; after the end, late
    // confirms of timed-out messages change nothing.
    if (pumping || finished) return;
    pumping = true;
    try {
      while (!exhausted && inFlight < (answered ? maxInFlight : 1) && fullSince === undefined) {
        stopped = stopReason();
        if (stopped) break;
        const next = source.next();
        if (next.done) exhausted = true;
        else publishNext(next.value);
      }
    } catch (error) {
      // Building a message threw: a bug, not a publish outcome (the request was validated before the first publish).
      stopWatching();
      abort(error as Error);
      return;
    } finally {
      pumping = false;
    }
    if ((exhausted || stopped) && inFlight === 0) done();
    else arm();
  }

  const onReturn = (message: AmqpMessage) => {
    const { replyCode, replyText } = message.fields as unknown as { replyCode?: number; replyText?: string };
    returned.set(
      String(message.properties.messageId),
      `returned as unroutable (${replyCode ?? 312} ${replyText ?? 'NO_ROUTE'}): no queue is bound to exchange ` +
        `"${options.exchange}" with routing key "${options.routingKey}"`,
    );
  };
  const onError = (error: Error) => {
    channelError = error.message;
  };
  const onClose = () => {
    channelClosed = true;
    pump();
  };
  const onDrain = () => {
    fullSince = undefined;
    pump();
  };

  function stopWatching() {
    finished = true;
    unwatchBlocked();
    if (timer) clearTimeout(timer);
    timer = undefined;
    channel.off('return', onReturn);
    channel.off('error', onError);
    channel.off('close', onClose);
    channel.off('drain', onDrain);
  }

  function done() {
    stopWatching();
    const confirmed: ConfirmedMessage[] = [];
    const failed: PublishFailure[] = [];
    for (let i = 0; i < published.length; i++) {
      const failure = failures[i];
      if (failure) failed.push(failure);
      else confirmed.push({ id: published[i].id, poison: published[i].poison });
    }
    finish({ confirmed, failed, taken: published.length, ...(stopped && !exhausted ? { stopped } : {}) });
  }

  return new Promise<PublishOutcome>((resolve, reject) => {
    finish = resolve;
    abort = reject;
    channel.on('return', onReturn);
    channel.on('error', onError);
    channel.on('close', onClose);
    channel.on('drain', onDrain);
    if (options.watchBlocked) unwatchBlocked = options.watchBlocked(onBlocked);
    pump();
  });
}
