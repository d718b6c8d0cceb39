import { connect, type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { asError, sleep, withTimeout } from './timing';
import { buildRabbitMqEvent, LOCAL_BROKER_ARN, type RabbitMqEvent } from './rabbitmq-event';

/**
 * Emulates Lambda's RabbitMQ event source mapping with its deployed semantics: one consumer (concurrency 1),
 * prefetch = batch size, a batch is invoked when it is full or the batching window has passed since its first
 * record, all records are acked when the function returns and all are nacked with requeue when it throws or times
 * out (there is no partial batch response for Amazon MQ sources) — together with every later delivery, by closing
 * the channel, so nothing overtakes the failed batch — and the consumer reconnects after losing the
 * connection (unacked deliveries go back to the queue, as they do in AWS).
 */

export interface RabbitMqEventSourceOptions {
  /** AMQP URL including the event-source user's credentials and the vhost. */
  readonly url: string;
  readonly queue: string;
  /** Vhost name as it appears in the event key `queue::vhost`. */
  readonly vhost: string;
  /** Mapping `BatchSize`. */
  readonly batchSize: number;
  /** Mapping `MaximumBatchingWindowInSeconds`, in milliseconds. */
  readonly batchingWindowMs: number;
  /** The function; a rejection fails (and requeues) the whole batch. */
  readonly handler: (event: RabbitMqEvent) => Promise<unknown>;
  /** Function timeout: an invocation running longer fails the batch. @default - no timeout */
  readonly functionTimeoutMs?: number;
  /** @default LOCAL_BROKER_ARN */
  readonly eventSourceArn?: string;
  /** Delay before the first reconnect attempt; doubles up to 5 s. @default 250 */
  readonly reconnectDelayMs?: number;
  /** Called for failed invocations and connection losses (the emulator itself never throws them). */
  readonly onError?: (error: Error, context: 'invoke' | 'connection') => void;
}

export interface RabbitMqEventSourceStats {
  readonly invocations: number;
  readonly failedInvocations: number;
  readonly records: number;
  readonly reconnects: number;
  readonly connected: boolean;
}

const MAX_RECONNECT_DELAY_MS = 5_000;

export class RabbitMqEventSource {
  private model?: ChannelModel;
  private channel?: Channel;
  private consumerTag?: string;
  private buffer: ConsumeMessage[] = [];
  private windowTimer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;
  private reconnecting?: Promise<void>;
  private stats = { invocations: 0, failedInvocations: 0, records: 0, reconnects: 0 };

  constructor(private readonly options: RabbitMqEventSourceOptions) {}

  /** Connects and starts consuming; rejects if the first connection fails. */
  async start(): Promise<void> {
    await this.connectAndConsume();
  }

  get statistics(): RabbitMqEventSourceStats {
    return { ...this.stats, connected: this.channel !== undefined };
  }

  /** Stops consuming, finishes the batch in flight and invokes what is already buffered, then disconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    const channel = this.channel;
    if (channel && this.consumerTag) await channel.cancel(this.consumerTag).catch(() => undefined);
    // After cancel-ok no delivery arrives, so no new window starts; finish what is in hand, one batch at a time.
    this.clearWindow();
    await this.inFlight;
    while (this.buffer.length > 0 && this.channel) await this.flush();
    await this.model?.close().catch(() => undefined);
    this.model = undefined;
    this.channel = undefined;
  }

  /**
   * Stops taking deliveries (a stalled mapping) while keeping the connection: the batch in flight finishes, what is
   * buffered goes back to the queue unacked, and nothing more arrives until {@link resume}.
   */
  async pause(): Promise<void> {
    const channel = this.channel;
    if (!channel || !this.consumerTag) return;
    await channel.cancel(this.consumerTag);
    this.consumerTag = undefined;
    this.clearWindow();
    await this.inFlight;
    const held = this.buffer.splice(0);
    settle(held, (m) => channel.nack(m, false, true));
  }

  /** Takes deliveries again after {@link pause}. */
  async resume(): Promise<void> {
    const channel = this.channel;
    if (!channel || this.consumerTag) return;
    const { consumerTag } = await channel.consume(this.options.queue, (msg) => this.onDelivery(channel, msg), {
      noAck: false,
    });
    this.consumerTag = consumerTag;
  }

  private async connectAndConsume(): Promise<void> {
    const model = await connect(this.options.url);
    model.on('error', () => undefined); // 'close' follows and drives the reconnect
    model.on('close', () => this.onConnectionLost(model));
    this.model = model;
    await this.consumeOn(model);
  }

  private async consumeOn(model: ChannelModel): Promise<void> {
    const channel = await model.createChannel();
    channel.on('error', () => undefined);
    await channel.prefetch(this.options.batchSize);
    this.channel = channel;
    const { consumerTag } = await channel.consume(this.options.queue, (msg) => this.onDelivery(channel, msg), {
      noAck: false,
    });
    this.consumerTag = consumerTag;
  }

  /**
   * After a failed invocation: gives back the batch and every later delivery — those held for the next batch and
   * those still on the wire — by closing the channel (the broker requeues all its unacked deliveries, each to its
   * original place), then consumes again on a new one. Forwarding a later delivery before the failed batch comes
   * back would put it ahead of the batch (FIFO order). Nacking only what is in hand would miss the deliveries the
   * broker sent meanwhile.
   */
  private async returnEverything(channel: Channel, batch: readonly ConsumeMessage[]): Promise<void> {
    const model = this.model;
    if (channel !== this.channel || !model || this.stopped) {
      settle(batch, (m) => channel.nack(m, false, true));
      return;
    }
    this.channel = undefined;
    this.consumerTag = undefined;
    this.buffer = [];
    this.clearWindow();
    await channel.close().catch(() => undefined);
    try {
      await this.consumeOn(model);
    } catch (error) {
      // The connection is going away: its 'close' handler reconnects.
      this.options.onError?.(asError(error), 'connection');
    }
  }

  private onDelivery(channel: Channel, msg: ConsumeMessage | null): void {
    if (msg === null) {
      // The broker cancelled the consumer (queue deleted); close so the reconnect loop takes over.
      channel.close().catch(() => undefined);
      return;
    }
    if (channel !== this.channel) return; // a late delivery on a dead channel; the broker requeues it
    this.buffer.push(msg);
    if (this.buffer.length >= this.options.batchSize) {
      this.clearWindow();
      this.scheduleFlush();
    } else if (!this.windowTimer && !this.inFlight) {
      this.windowTimer = setTimeout(() => {
        this.windowTimer = undefined;
        this.scheduleFlush();
      }, this.options.batchingWindowMs);
    }
  }

  private scheduleFlush(): void {
    if (this.inFlight) return; // concurrency 1: the loop in flush() picks the buffer up afterwards
    this.inFlight = this.flushLoop().finally(() => (this.inFlight = undefined));
  }

  private async flushLoop(): Promise<void> {
    await this.flush();
    // Deliveries that arrived during the invocation form the next batch once it is full or its window has passed.
    while (this.buffer.length >= this.options.batchSize && !this.stopped) await this.flush();
    if (this.buffer.length > 0 && !this.windowTimer && !this.stopped) {
      this.windowTimer = setTimeout(() => {
        this.windowTimer = undefined;
        this.scheduleFlush();
      }, this.options.batchingWindowMs);
    }
  }

  private async flush(): Promise<void> {
    const channel = this.channel;
    const batch = this.buffer.splice(0, this.options.batchSize);
    if (batch.length === 0 || !channel) return;
    const event = buildRabbitMqEvent(
      batch,
      this.options.queue,
      this.options.vhost,
      this.options.eventSourceArn ?? LOCAL_BROKER_ARN,
    );
    this.stats.invocations += 1;
    this.stats.records += batch.length;
    try {
      await withTimeout(this.options.handler(event), this.options.functionTimeoutMs);
      settle(batch, (m) => channel.ack(m));
    } catch (error) {
      this.stats.failedInvocations += 1;
      this.options.onError?.(asError(error), 'invoke');
      await this.returnEverything(channel, batch);
    }
  }

  private onConnectionLost(model: ChannelModel): void {
    if (model !== this.model) return;
    this.model = undefined;
    this.channel = undefined;
    this.consumerTag = undefined;
    // Unacked deliveries are requeued by the broker; drop our copies so they are not acked on a dead channel.
    this.buffer = [];
    this.clearWindow();
    if (this.stopped) return;
    this.options.onError?.(new Error('connection to the broker lost; reconnecting'), 'connection');
    this.reconnecting ??= this.reconnectLoop().finally(() => (this.reconnecting = undefined));
  }

  private async reconnectLoop(): Promise<void> {
    let delay = this.options.reconnectDelayMs ?? 250;
    while (!this.stopped) {
      await sleep(delay);
      if (this.stopped) return;
      try {
        await this.connectAndConsume();
        this.stats.reconnects += 1;
        return;
      } catch (error) {
        this.options.onError?.(asError(error), 'connection');
        delay = Math.min(delay * 2, MAX_RECONNECT_DELAY_MS);
      }
    }
  }

  private clearWindow(): void {
    if (this.windowTimer) clearTimeout(this.windowTimer);
    this.windowTimer = undefined;
  }
}

/** Acks or nacks every delivery; a closed channel means the broker already requeued them. */
function settle(batch: readonly ConsumeMessage[], op: (m: ConsumeMessage) => void): void {
  try {
    for (const m of batch) op(m);
  } catch {
    // Channel closed mid-settle: the broker requeues whatever was not settled.
  }
}
