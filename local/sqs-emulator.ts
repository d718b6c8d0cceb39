import path from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { FauxqsServer } from 'fauxqs';

/**
 * The embedded SQS emulator (fauxqs) and a client pointed at it. It runs in this thread ({@link startSqsEmulator}),
 * where tests can inspect its queues, or on a worker thread of its own ({@link startSqsEmulatorOnThread}), the way
 * SQS is a service apart from the functions that call it: its HTTP and queue work then neither waits behind the
 * handlers on one event loop nor delays them, and a second core can carry it (the bench's shard-scaling runs).
 */
export interface SqsEmulator {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  /** Region the emulator answers for. */
  readonly region: string;
  /** A client for the emulator (dummy credentials; the emulator does not check them). */
  readonly client: SQSClient;
  /** Creates a client with extra options (e.g. a custom `maxAttempts`). */
  createClient(options?: { maxAttempts?: number }): SQSClient;
  /** Where the emulator runs. */
  readonly runsOn: 'worker-thread' | 'in-process';
  stop(): Promise<void>;
}

/** An emulator in this thread, open to non-destructive inspection (`server.inspectQueue`) in tests. */
export interface InProcessSqsEmulator extends SqsEmulator {
  readonly server: FauxqsServer;
}

export const EMULATOR_REGION = 'us-east-1';
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const WORKER_SCRIPT = path.join(__dirname, 'sqs-emulator-worker.mjs');
/** How long a stopping emulator thread may take to close its server before it is terminated. */
const WORKER_STOP_TIMEOUT_MS = 5_000;

type WorkerMessage = { type: 'ready'; port: number } | { type: 'failed' | 'stopped'; error?: string };

/**
 * Starts fauxqs on its own worker thread, on a free loopback port (or `port`). Loading fauxqs into a new thread
 * takes about a second, so only runs that measure throughput take this one.
 */
export async function startSqsEmulatorOnThread(options: { port?: number } = {}): Promise<SqsEmulator> {
  const worker = new Worker(WORKER_SCRIPT, { workerData: { port: options.port ?? 0 } });
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (message: WorkerMessage) => {
      if (message.type === 'ready') resolve(message.port);
      else reject(new Error(`SQS emulator thread failed to start: ${message.error ?? 'no reason given'}`));
    };
    worker.once('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new Error(`SQS emulator thread exited with code ${code} before it was ready`)),
    );
  });
  worker.removeAllListeners('error');
  worker.removeAllListeners('exit');
  // A crash after start surfaces to the callers as refused connections; keep it from crashing this process.
  worker.on('error', () => undefined);
  const clients = clientsFor(port);
  let stopping: Promise<void> | undefined;
  return {
    ...clients,
    runsOn: 'worker-thread',
    stop() {
      stopping ??= (async () => {
        clients.client.destroy();
        const exited = once(worker, 'exit');
        worker.postMessage({ type: 'stop' });
        const stopped = once(worker, 'message');
        const timer = setTimeout(() => void worker.terminate(), WORKER_STOP_TIMEOUT_MS);
        await Promise.race([stopped, exited]);
        clearTimeout(timer);
        await worker.terminate();
      })();
      return stopping;
    },
  };
}

/** Starts fauxqs in this thread, on a free loopback port (or `port`). */
export async function startSqsEmulator(options: { port?: number } = {}): Promise<InProcessSqsEmulator> {
  // Dynamic import: fauxqs ships ESM only (see docs/module-boundaries.md).
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port: options.port ?? 0, logger: false });
  const clients = clientsFor(server.port);
  return {
    ...clients,
    runsOn: 'in-process',
    server,
    stop: async () => {
      clients.client.destroy();
      await server.stop();
    },
  };
}

function clientsFor(port: number): Pick<SqsEmulator, 'endpoint' | 'region' | 'client' | 'createClient'> {
  const endpoint = `http://127.0.0.1:${port}`;
  const createClient = (opts: { maxAttempts?: number } = {}) =>
    new SQSClient({ endpoint, region: EMULATOR_REGION, credentials: EMULATOR_CREDENTIALS, ...opts });
  return { endpoint, region: EMULATOR_REGION, client: createClient(), createClient };
}
