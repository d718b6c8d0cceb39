import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const ENSURE_KAFKA = resolve(__dirname, '..', '..', '..', 'scripts', 'ensure-kafka.sh');

/**
 * A Kafka broker of a fault test's own, started by the project's script with private ports and data directory,
 * never the shared one on 9092. A small heap and a JVM tuned to start cheaply: the fault tests send hundreds of
 * messages, not millions.
 */
export interface PrivateKafka {
  readonly port: number;
  readonly brokers: string[];
  /** Starts the broker (again, on the same data) and waits until it serves. */
  start(): Promise<void>;
  /** `kill -9` of the broker's JVM: no clean shutdown, like a crashed host. */
  kill(): void;
  /** Stops the broker and removes its directory. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export async function startPrivateKafka(): Promise<PrivateKafka> {
  const port = await freePort();
  const controllerPort = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'fault-kafka-'));
  const env = {
    ...process.env,
    LOCAL_KAFKA_PORT: String(port),
    LOCAL_KAFKA_CONTROLLER_PORT: String(controllerPort),
    LOCAL_KAFKA_DIR: dir,
    LOCAL_KAFKA_HEAP: '384m',
    // The client compiler only and the serial collector: a broker that lives for one test of a few thousand records
    // boots on about 40% less CPU (5 s instead of 9 s measured), which the tests beside it get instead.
    LOCAL_KAFKA_JVM_OPTS: '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC',
  };
  const broker: PrivateKafka = {
    port,
    brokers: [`127.0.0.1:${port}`],
    start: async () => {
      await execFileAsync('bash', [ENSURE_KAFKA, '--quiet'], { env, timeout: 120_000 });
    },
    kill: () => {
      const pid = Number(readFileSync(join(dir, 'kafka.pid'), 'utf8'));
      process.kill(pid, 'SIGKILL');
    },
    destroy: async () => {
      await execFileAsync('bash', [ENSURE_KAFKA, '--stop'], { env, timeout: 60_000 }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await broker.start();
  return broker;
}
