import { EventEmitter } from 'node:events';
import type { Options } from 'amqplib';
import type { PublishChannel } from '../../../lambda/producer/publisher';

/** How the fake broker answers one publish. */
export type Answer = 'ack' | 'nack' | 'return-then-ack' | 'silence' | 'throw';

/**
 * A confirm channel whose broker answers are scripted per message id: unit tests of the publisher's bookkeeping
 * (the integration tests use the real broker).
 */
export class FakeChannel extends EventEmitter implements PublishChannel {
  readonly published: { id: string; routingKey: string; options: Options.Publish; body: Buffer }[] = [];
  readonly pending = new Map<string, (error: unknown) => void>();
  /** Return false (socket buffer full) for these ids. */
  readonly fullAfter = new Set<string>();

  constructor(private readonly answer: (id: string) => Answer = () => 'ack') {
    super();
  }

  publish(
    _exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish,
    callback: (error: unknown) => void,
  ): boolean {
    const id = String(options.messageId);
    const answer = this.answer(id);
    if (answer === 'throw') {
      const error = new Error('Channel closed');
      error.name = 'IllegalOperationError';
      throw error;
    }
    this.published.push({ id, routingKey, options, body: content });
    queueMicrotask(() => {
      if (answer === 'ack') callback(null);
      else if (answer === 'nack') callback(new Error('message nacked'));
      else if (answer === 'return-then-ack') {
        this.emit('return', {
          fields: { replyCode: 312, replyText: 'NO_ROUTE', routingKey },
          properties: { messageId: id },
          content,
        });
        callback(null);
      } else this.pending.set(id, callback);
    });
    return !this.fullAfter.has(id);
  }

  /** The broker closes the channel: amqplib fails every unconfirmed publish with "channel closed". */
  closeWithError(message: string): void {
    this.emit('error', new Error(message));
    this.emit('close');
    for (const callback of this.pending.values()) callback(new Error('channel closed'));
    this.pending.clear();
  }
}
