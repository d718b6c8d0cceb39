import { connect as connectTcp, type Socket } from 'node:net';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { BrokerConnectionError } from '../shared/errors';
import { logger as defaultLogger, type LoggerLike } from '../shared/observability';
import type { CredentialsProvider } from './credentials';

/** Where and how to connect. */
export interface AmqpConnectionOptions {
  /** `amqps://HOST:5671` in AWS, `amqp://[user:pass@]HOST:5672[/vhost]` locally. */
  readonly url: string;
  /** Credentials; without them the URL's user info is used. @default - from the URL */
  readonly credentials?: CredentialsProvider;
  /** Virtual host. @default - the URL's path, else `/` */
  readonly vhost?: string;
  /** Upper bound for TCP + TLS + AMQP handshake. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** AMQP heartbeat: a dead peer is noticed within about two intervals. @default 15 */
  readonly heartbeatSeconds?: number;
  /** Shown in the management UI's connection list. @default 'mq-cloud-integration' */
  readonly connectionName?: string;
  /** Structured logger. @default - the shared Powertools logger */
  readonly logger?: Pick<LoggerLike, 'info' | 'warn'>;
}

/**
 * One AMQP connection and confirm channel per container, opened lazily and reused across warm invocations;
 * a closed connection or channel is forgotten so the next call opens a new one.
 */
export interface AmqpConnectionSource {
  /** The cached confirm channel, (re)opened when needed. Rejects with `BrokerConnectionError` within the timeout. */
  confirmChannel(): Promise<ConfirmChannel>;
  /**
   * True when a channel opened earlier (by an earlier invocation of a warm container) is cached: it may have died
   * unnoticed while the container was frozen.
   */
  hasCachedChannel(): boolean;
  /** Why the broker blocks publishers on this connection (memory or disk alarm), if it does. */
  blockedReason(): string | undefined;
  /** Calls `listener` when the broker blocks publishers on the current connection; returns the unsubscribe. */
  onBlocked(listener: (reason: string) => void): () => void;
  /**
   * Drops the connection (after a confirm timeout, a blocked broker, a stale connection) so that nothing stale is
   * reused. The TCP connection is reset, not closed: a graceful close waits behind the publishes a blocked broker
   * has not read and lets it read them once the alarm clears, while a reset makes it drop them.
   */
  discard(reason: string): void;
  /** Closes the connection for good (tests, local runtime shutdown). */
  close(): Promise<void>;
}

/** Creates the per-container connection source. */
export function createAmqpConnectionSource(options: AmqpConnectionOptions): AmqpConnectionSource {
  const url = new URL(options.url);
  if (url.protocol !== 'amqp:' && url.protocol !== 'amqps:') {
    throw new BrokerConnectionError(`Broker URL scheme ${url.protocol} is not supported; expected amqp: or amqps:`);
  }
  const log = options.logger ?? defaultLogger;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const vhost = options.vhost ?? (url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/');
  const target = `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'amqps:' ? 5671 : 5672)} vhost "${vhost}"`;

  let connection: ChannelModel | undefined;
  /** The TCP socket under each connection (under TLS for amqps), the one a discard resets. */
  const sockets = new WeakMap<ChannelModel, Socket>();
  const blockedListeners = new Set<(reason: string) => void>();
  let channel: ConfirmChannel | undefined;
  let opening: Promise<ConfirmChannel> | undefined;
  let blocked: string | undefined;
  let closed = false;

  const forget = (model: ChannelModel) => {
    if (connection !== model) return;
    connection = undefined;
    channel = undefined;
    blocked = undefined;
  };

  async function openConnection(): Promise<ChannelModel> {
    const credentials = options.credentials
      ? await options.credentials.get()
      : {
          username: decodeURIComponent(url.username || 'guest'),
          password: decodeURIComponent(url.password || 'guest'),
        };
    // For amqps the TCP socket is opened here and TLS runs over it, so that a discard can reset it (Node resets
    // only plain TCP sockets).
    const tcp =
      url.protocol === 'amqps:' ? connectTcp({ host: url.hostname, port: Number(url.port) || 5671 }) : undefined;
    const attempt = connect(
      {
        protocol: url.protocol.slice(0, -1),
        hostname: url.hostname,
        port: Number(url.port) || (url.protocol === 'amqps:' ? 5671 : 5672),
        username: credentials.username,
        password: credentials.password,
        vhost,
        heartbeat: options.heartbeatSeconds ?? 15,
      },
      {
        timeout: connectTimeoutMs,
        clientProperties: { connection_name: options.connectionName ?? 'mq-cloud-integration' },
        ...(tcp ? { socket: tcp } : {}),
      },
    ).then((model) => {
      sockets.set(model, tcp ?? (model as unknown as { connection: { stream: Socket } }).connection.stream);
      return model;
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new BrokerConnectionError(`No AMQP connection to ${target} within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
    });
    try {
      return await Promise.race([attempt, timeout]);
    } catch (error) {
      // A handshake that completes after we gave up must not leak a connection.
      attempt.then((late) => late.close()).catch(() => undefined);
      tcp?.destroy();
      const message = (error as Error).message;
      if (/ACCESS_REFUSED|403/.test(message)) options.credentials?.invalidate();
      if (error instanceof BrokerConnectionError) throw error;
      throw new BrokerConnectionError(`Cannot connect to ${target}: ${message}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  async function open(): Promise<ConfirmChannel> {
    if (closed) throw new BrokerConnectionError('The AMQP connection source is closed');
    if (!connection) {
      const model = await openConnection();
      model.on('error', (error: Error) => log.warn('AMQP connection error', { target, error: error.message }));
      model.on('close', (error?: Error) => {
        log.warn('AMQP connection closed; the next invocation reconnects', { target, error: error?.message });
        forget(model);
      });
      model.on('blocked', (reason: string) => {
        log.warn('Broker blocks publishers on this connection', { target, reason });
        if (connection !== model) return;
        blocked = reason;
        for (const listener of blockedListeners) listener(reason);
      });
      model.on('unblocked', () => {
        log.info('Broker unblocked publishers', { target });
        if (connection === model) blocked = undefined;
      });
      connection = model;
    }
    const model = connection;
    const created = await model.createConfirmChannel();
    created.on('error', (error: Error) => log.warn('AMQP channel error', { target, error: error.message }));
    created.on('close', () => {
      if (channel === created) channel = undefined;
    });
    channel = created;
    return created;
  }

  return {
    confirmChannel() {
      if (channel) return Promise.resolve(channel);
      opening ??= open().finally(() => {
        opening = undefined;
      });
      return opening;
    },
    hasCachedChannel: () => channel !== undefined,
    blockedReason: () => blocked,
    onBlocked(listener) {
      blockedListeners.add(listener);
      return () => blockedListeners.delete(listener);
    },
    discard(reason) {
      const model = connection;
      if (!model) return;
      log.warn('Discarding the AMQP connection (TCP reset)', { target, reason });
      forget(model);
      const socket = sockets.get(model);
      if (socket && !socket.destroyed) socket.resetAndDestroy();
      else model.close().catch(() => undefined);
    },
    async close() {
      closed = true;
      const model = connection;
      if (model) {
        forget(model);
        await model.close().catch(() => undefined);
      }
    },
  };
}
