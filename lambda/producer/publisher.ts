import type { EventEmitter } from 'node:events';
import type { Message as AmqpMessage, Options } from 'amqplib';
import { MESSAGE_CONTENT_TYPE } from '../shared/message';
import type { OutgoingMessage } from './event';
import type { RoutingKeyOf } from './ordering-key';

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
  | 'publish-error';

export interface PublishFailure {
  readonly id: string;
  readonly code: PublishFailureCode;
  readonly reason: string;
  readonly poison: boolean;
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
}

export interface PublishOptions {
  readonly exchange: string;
  /** The routing key of each message: its ordering key (see ordering-key.ts). */
  readonly routingKeyOf: RoutingKeyOf;
  /** How long each message may wait for its confirm. */
  readonly confirmTimeoutMs: number;
  /** Unconfirmed messages allowed at once; bounds memory and the damage of a dropped connection. @default 1000 */
  readonly maxInFlight?: number;
  /** Reports whether the broker blocks this connection, to explain a timeout. */
  readonly blockedReason?: () => string | undefined;
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
 * room, so building overlaps the broker's work. Publishing is driven by confirms, like a plain client's pump: no
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
  let finish: (outcome: PublishOutcome) => void = () => undefined;
  let abort: (error: Error) => void = () => undefined;

  const closedReason = () =>
    `channel closed before the broker confirmed${channelError ? `: ${channelError}` : ' (connection lost)'}`;

  const settle = (index: number, failure?: Omit<PublishFailure, 'id' | 'poison'>) => {
    const message = published[index];
    if (message.settled) return;
    message.settled = true;
    inFlight--;
    failures[index] = failure ? { id: message.id, poison: message.poison, ...failure } : null;
  };

  const timeoutFailure = (): Omit<PublishFailure, 'id' | 'poison'> => {
    const blocked = options.blockedReason?.();
    return blocked
      ? {
          code: 'broker-blocked',
          reason: `broker blocks publishers (${blocked}: memory or disk alarm); no confirm within ${timeoutMs} ms`,
        }
      : { code: 'confirm-timeout', reason: `no confirm from the broker within ${timeoutMs} ms` };
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
      if (!published[i].settled) settle(i, timeoutFailure());
    }
    // A socket that has not drained within the confirm timeout: carry on, as after a drain (bounded wait).
    if (fullSince !== undefined && now - fullSince >= timeoutMs) fullSince = undefined;
    pump();
  }

  const publishNext = (message: OutgoingMessage) => {
    const index = published.length;
    const sentAt = Date.now();
    published.push({ id: message.id, poison: message.poison, deadline: sentAt + timeoutMs, settled: false });
    failures.push(undefined);
    inFlight++;
    if (channelClosed) {
      settle(index, { code: 'channel-closed', reason: closedReason() });
      return;
    }
    try {
      const routingKey = options.routingKeyOf(message);
      const writable = channel.publish(
        options.exchange,
        routingKey,
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
          if (error) {
            const nacked = error instanceof Error && /nack/i.test(error.message);
            settle(
              index,
              nacked
                ? { code: 'nacked', reason: 'the broker nacked the message (it could not take responsibility for it)' }
                : { code: 'channel-closed', reason: closedReason() },
            );
          } else if (returned.size > 0 && returned.has(message.id)) {
            settle(index, { code: 'returned', reason: returned.get(message.id) as string });
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
          ? { code: 'channel-closed', reason: closedReason() }
          : { code: 'publish-error', reason: `publish failed: ${(error as Error).message}` },
      );
    }
  };

  /** Publishes while the window and the socket have room; resolves once everything is published and settled. */
  function pump() {
    // Re-entered from a confirm inside publish(), the loop already running carries on; after the end, late
    // confirms of timed-out messages change nothing.
    if (pumping || finished) return;
    pumping = true;
    try {
      while (!exhausted && inFlight < maxInFlight && (fullSince === undefined || channelClosed)) {
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
    if (exhausted && inFlight === 0) done();
    else arm();
  }

  const onReturn = (message: AmqpMessage) => {
    const { replyCode, replyText } = message.fields as unknown as { replyCode?: number; replyText?: string };
    returned.set(
      String(message.properties.messageId),
      `returned as unroutable (${replyCode ?? 312} ${replyText ?? 'NO_ROUTE'}): no queue is bound to exchange ` +
        `"${options.exchange}" with routing key "${message.fields.routingKey}"`,
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
    finish({ confirmed, failed });
  }

  return new Promise<PublishOutcome>((resolve, reject) => {
    finish = resolve;
    abort = reject;
    channel.on('return', onReturn);
    channel.on('error', onError);
    channel.on('close', onClose);
    channel.on('drain', onDrain);
    pump();
  });
}
