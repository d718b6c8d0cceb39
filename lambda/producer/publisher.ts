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
  | 'publish-error';

export interface PublishFailure {
  readonly id: string;
  readonly code: PublishFailureCode;
  readonly reason: string;
  readonly poison: boolean;
}

export interface PublishOutcome {
  /** Ids the broker confirmed (in publish order). */
  readonly confirmed: readonly OutgoingMessage[];
  readonly failed: readonly PublishFailure[];
}

export interface PublishOptions {
  readonly exchange: string;
  readonly routingKey: string;
  /** How long each message may wait for its confirm. */
  readonly confirmTimeoutMs: number;
  /** Unconfirmed messages allowed at once; bounds memory and the damage of a dropped connection. @default 1000 */
  readonly maxInFlight?: number;
  /** Reports whether the broker blocks this connection, to explain a timeout. */
  readonly blockedReason?: () => string | undefined;
  /** `appId` property on every message. @default 'mq-cloud-integration-producer' */
  readonly appId?: string;
}

/**
 * Publishes on a confirm channel: persistent, `mandatory`, one confirm tracked per message. A message counts as
 * sent only when the broker acks it and did not return it first (RabbitMQ sends `basic.return` before the
 * `basic.ack` of an unroutable mandatory message). Nack, return, timeout and channel loss are failures.
 */
export async function publishWithConfirms(
  channel: PublishChannel,
  messages: readonly OutgoingMessage[],
  options: PublishOptions,
): Promise<PublishOutcome> {
  const maxInFlight = options.maxInFlight ?? 1_000;
  const returned = new Map<string, string>();
  let channelError: string | undefined;
  let channelClosed = false;
  let drainWaiter: (() => void) | undefined;
  let slotWaiter: (() => void) | undefined;
  let inFlight = 0;
  let backpressure = false;

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
    drainWaiter?.();
  };
  const onDrain = () => drainWaiter?.();
  channel.on('return', onReturn);
  channel.on('error', onError);
  channel.on('close', onClose);
  channel.on('drain', onDrain);

  const closedReason = () =>
    `channel closed before the broker confirmed${channelError ? `: ${channelError}` : ' (connection lost)'}`;

  const publishOne = (message: OutgoingMessage): Promise<PublishFailure | undefined> =>
    new Promise((resolve) => {
      let settled = false;
      const settle = (failure?: Omit<PublishFailure, 'id' | 'poison'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inFlight--;
        slotWaiter?.();
        resolve(failure && { id: message.id, poison: message.poison, ...failure });
      };
      inFlight++;
      const timer = setTimeout(() => {
        const blocked = options.blockedReason?.();
        settle(
          blocked
            ? {
                code: 'broker-blocked',
                reason: `broker blocks publishers (${blocked}: memory or disk alarm); no confirm within ${options.confirmTimeoutMs} ms`,
              }
            : { code: 'confirm-timeout', reason: `no confirm from the broker within ${options.confirmTimeoutMs} ms` },
        );
      }, options.confirmTimeoutMs);
      if (channelClosed) {
        settle({ code: 'channel-closed', reason: closedReason() });
        return;
      }
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
            timestamp: Math.floor(Date.now() / 1000),
            appId: options.appId ?? 'mq-cloud-integration-producer',
          },
          (error) => {
            if (error) {
              const nacked = error instanceof Error && /nack/i.test(error.message);
              settle(
                nacked
                  ? {
                      code: 'nacked',
                      reason: 'the broker nacked the message (it could not take responsibility for it)',
                    }
                  : { code: 'channel-closed', reason: closedReason() },
              );
            } else if (returned.has(message.id)) {
              settle({ code: 'returned', reason: returned.get(message.id) as string });
            } else {
              settle();
            }
          },
        );
        if (!writable) backpressure = true;
      } catch (error) {
        // amqplib throws IllegalOperationError from publish once the channel has closed.
        settle(
          (error as Error).name === 'IllegalOperationError'
            ? { code: 'channel-closed', reason: closedReason() }
            : { code: 'publish-error', reason: `publish failed: ${(error as Error).message}` },
        );
      }
    });

  const waitFor = (register: (wake: () => void) => void, timeoutMs: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      register(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  const pending: Promise<PublishFailure | undefined>[] = [];
  try {
    for (const message of messages) {
      // Respect the socket's backpressure and the in-flight window; both waits are bounded by the confirm timeout.
      if (backpressure && !channelClosed) {
        await waitFor((wake) => (drainWaiter = wake), options.confirmTimeoutMs);
        backpressure = false;
      }
      while (inFlight >= maxInFlight) await waitFor((wake) => (slotWaiter = wake), options.confirmTimeoutMs);
      pending.push(publishOne(message));
    }
    const results = await Promise.all(pending);
    const failed = results.filter((r): r is PublishFailure => r !== undefined);
    const failedIds = new Set(failed.map((f) => f.id));
    return { confirmed: messages.filter((m) => !failedIds.has(m.id)), failed };
  } finally {
    channel.off('return', onReturn);
    channel.off('error', onError);
    channel.off('close', onClose);
    channel.off('drain', onDrain);
  }
}
