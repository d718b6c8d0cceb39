import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import type { DeadLetter } from '../verify/accounting';

/**
 * Reads the RabbitMQ dead-letter queue (messages past `x-delivery-limit`) as the administrator: this run's
 * messages are taken off the queue and counted, other messages are put back untouched.
 */
export class RabbitMqDeadLetterReader {
  private model?: ChannelModel;
  private channel?: Channel;

  constructor(
    private readonly adminUrl: string,
    private readonly queue: string,
  ) {}

  /** One pass over the queue; returns the dead letters whose id is in `ids`. */
  async drain(ids: ReadonlySet<string>): Promise<DeadLetter[]> {
    const channel = await this.open();
    const found: DeadLetter[] = [];
    const foreign: GetMessage[] = [];
    try {
      for (;;) {
        const message = await channel.get(this.queue, { noAck: false });
        if (message === false) break;
        const id = messageIdOf(message);
        if (id !== undefined && ids.has(id)) {
          channel.ack(message);
          found.push({ id, queue: 'rabbitmq' });
        } else {
          foreign.push(message);
        }
      }
    } finally {
      // Held unacked during the pass so that get() does not hand them out again; now they go back.
      for (const message of foreign) channel.nack(message, false, true);
    }
    return found;
  }

  async close(): Promise<void> {
    await this.model?.close().catch(() => undefined);
    this.model = undefined;
    this.channel = undefined;
  }

  private async open(): Promise<Channel> {
    if (this.channel) return this.channel;
    const model = await connect(this.adminUrl);
    model.on('error', () => undefined);
    model.on('close', () => {
      if (this.model === model) {
        this.model = undefined;
        this.channel = undefined;
      }
    });
    this.model = model;
    this.channel = await model.createChannel();
    this.channel.on('error', () => undefined);
    return this.channel;
  }
}

/** The AMQP `message-id` property, else the body's `id` field. */
function messageIdOf(message: GetMessage): string | undefined {
  if (typeof message.properties.messageId === 'string' && message.properties.messageId)
    return message.properties.messageId;
  try {
    const body: unknown = JSON.parse(message.content.toString('utf8'));
    const id = (body as { id?: unknown }).id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
