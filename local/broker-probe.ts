import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import * as path from 'node:path';

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
  'Start a local RabbitMQ broker with its management plugin:',
  '  Debian/Ubuntu (as root):  bash scripts/ensure-broker.sh',
  '  Docker:                   bash scripts/ensure-broker.sh --print-docker   (prints the docker run line)',
  'or point at another one with --amqp-url amqp://USER:PASS@HOST:5672 --management-url http://HOST:15672',
].join('\n');

const ROOT = path.resolve(__dirname, '..');

/**
 * The broker the two quick-start commands need, brought up when it is the local default one: probes it and, when
 * nothing answers on loopback at ensure-broker.sh's port, runs that script (it installs Debian's package where it
 * can, starts the node and its plugins, or stops within seconds with one message saying exactly what to run), then
 * probes again. A broker elsewhere (`--amqp-url`) is only probed.
 */
export async function ensureBroker(endpoints: BrokerEndpoints, log: (line: string) => void): Promise<void> {
  try {
    await probeBroker(endpoints);
    return;
  } catch (error) {
    if (!(error instanceof BrokerUnavailableError) || !isLocalDefault(endpoints)) throw error;
  }
  log('No local RabbitMQ answers; starting it with scripts/ensure-broker.sh …');
  const { code, output } = await runScript(path.join(ROOT, 'scripts', 'ensure-broker.sh'));
  if (code !== 0) throw new BrokerUnavailableError(output.trim() || `scripts/ensure-broker.sh exited with ${code}`);
  await probeBroker(endpoints);
}

function isLocalDefault(endpoints: BrokerEndpoints): boolean {
  const amqp = new URL(endpoints.amqpUrl);
  const port = Number(amqp.port || 5672);
  return (
    ['127.0.0.1', 'localhost', '[::1]'].includes(amqp.hostname) && port === Number(process.env.LOCAL_AMQP_PORT ?? 5672)
  );
}

function runScript(script: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: 1, output: error.message }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

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
