import { SQSClient } from '@aws-sdk/client-sqs';
import type { FauxqsServer } from 'fauxqs';

/** A running in-process SQS emulator and a client pointed at it. */
export interface SqsEmulator {
  /** `http://127.0.0.1:PORT` */
  readonly endpoint: string;
  /** Region the emulator answers for. */
  readonly region: string;
  /** A client for the emulator (dummy credentials; the emulator does not check them). */
  readonly client: SQSClient;
  /** Creates a client with extra options (e.g. a custom `maxAttempts`). */
  createClient(options?: { maxAttempts?: number }): SQSClient;
  /** The emulator itself, for non-destructive inspection (`inspectQueue`) in tests. */
  readonly server: FauxqsServer;
  stop(): Promise<void>;
}

export const EMULATOR_REGION = 'us-east-1';
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Starts `fauxqs` on a free loopback port (or `port`). */
export async function startSqsEmulator(options: { port?: number } = {}): Promise<SqsEmulator> {
  // Dynamic import: fauxqs ships ESM only (see docs/module-boundaries.md).
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port: options.port ?? 0, logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const createClient = (opts: { maxAttempts?: number } = {}) =>
    new SQSClient({ endpoint, region: EMULATOR_REGION, credentials: EMULATOR_CREDENTIALS, ...opts });
  const client = createClient();
  return {
    endpoint,
    region: EMULATOR_REGION,
    client,
    createClient,
    server,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
