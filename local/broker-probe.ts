import { Socket } from 'node:net';

/**
 * Checks, before anything else runs, that a RabbitMQ broker answers on the AMQP port and its management API answers
 * with the given credentials — so a missing broker becomes one clear message within seconds, never a stack trace.
 */

export interface BrokerEndpoints {
  /** `amqp://user:pass@host:port` (credentials of an administrator). */
  readonly amqpUrl: string;
  /** `http://host:port` of the management API. */
  readonly managementUrl: string;
  readonly username: string;
  readonly password: string;
}

/** The broker is not usable; the message says why and how to start one. */
export class BrokerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnavailableError';
  }
}

export const START_BROKER_HINT = [
  'Start a local RabbitMQ broker with its management plugin, for example:',
  '  Debian/Ubuntu:  sudo apt-get install rabbitmq-server && sudo rabbitmq-server -detached && sudo rabbitmq-plugins enable rabbitmq_management',
  '  (or, in this repository:  bash scripts/ensure-broker.sh)',
  '  Container:      docker run -d -p 5672:5672 -p 15672:15672 rabbitmq:3-management',
  'or point at another one with --amqp-url amqp://USER:PASS@HOST:5672 --management-url http://HOST:15672',
].join('\n');

/** Resolves when both endpoints answer; rejects with {@link BrokerUnavailableError} within about `timeoutMs`. */
export async function probeBroker(endpoints: BrokerEndpoints, timeoutMs = 3_000): Promise<void> {
  const amqp = new URL(endpoints.amqpUrl);
  const host = amqp.hostname;
  const port = Number(amqp.port || (amqp.protocol === 'amqps:' ? 5671 : 5672));
  const amqpShown = `${amqp.protocol}//${host}:${port}`;
  try {
    await tcpConnect(host, port, timeoutMs);
  } catch (error) {
    throw new BrokerUnavailableError(
      `No RabbitMQ broker answers on ${amqpShown} (${(error as Error).message}).\n${START_BROKER_HINT}`,
    );
  }

  const overview = `${endpoints.managementUrl.replace(/\/+$/, '')}/api/overview`;
  let response: Response;
  try {
    response = await fetch(overview, {
      headers: {
        authorization: `Basic ${Buffer.from(`${endpoints.username}:${endpoints.password}`).toString('base64')}`,
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new BrokerUnavailableError(
      `RabbitMQ answers on ${amqpShown} but its management API at ${endpoints.managementUrl} does not (${why}).\n` +
        'Enable it with:  rabbitmq-plugins enable rabbitmq_management\n' +
        START_BROKER_HINT,
    );
  }
  if (response.status === 401 || response.status === 403) {
    throw new BrokerUnavailableError(
      `The management API at ${endpoints.managementUrl} refused user "${endpoints.username}" (HTTP ${response.status}); ` +
        'pass an administrator with --management-url and --amqp-url (user:password in the AMQP URL).',
    );
  }
  if (!response.ok) {
    throw new BrokerUnavailableError(
      `The management API at ${endpoints.managementUrl} answered HTTP ${response.status}.`,
    );
  }
}

function tcpConnect(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const done = (error?: Error) => {
      socket.destroy();
      if (error) reject(error);
      else resolve();
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once('error', (error: NodeJS.ErrnoException) => done(new Error(error.code ?? error.message)));
    socket.connect(port, host, () => done());
  });
}
