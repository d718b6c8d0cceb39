import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/**
 * A RabbitMQ node of a fault test's own: private ports, data and log directories, never the shared broker.
 * Debian's wrapper scripts drop to the `rabbitmq` user, so the directories are handed to that user.
 */
export interface PrivateBroker {
  readonly nodeName: string;
  readonly amqpPort: number;
  readonly managementPort: number;
  readonly amqpUrl: string;
  readonly managementUrl: string;
  /** Starts the node (again) and waits until AMQP and the management API answer. */
  start(): Promise<void>;
  /** `kill -9` of the node's Erlang VM: no clean shutdown, like a crashed host. */
  kill(): Promise<void>;
  /** Runs `rabbitmqctl -n NODE ...args`. */
  ctl(...args: string[]): Promise<string>;
  /** Kills the node and removes its directories. */
  destroy(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections on the loopback port. */
function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`private broker: ${what} did not become ready within ${timeoutMs} ms`);
}

function rabbitmqIds(): { uid: number; gid: number } {
  const passwd = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('rabbitmq:'));
  if (!passwd) throw new Error('private broker: no `rabbitmq` user on this machine (install rabbitmq-server)');
  const [, , uid, gid] = passwd.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * Creates (but does not start) a private RabbitMQ node with the management plugin on its own ports; `extraConfig`
 * lines are appended to its rabbitmq.conf (e.g. a stage's `max_message_size`).
 */
export async function createPrivateBroker(
  label = 'fault',
  extraConfig: readonly string[] = [],
): Promise<PrivateBroker> {
  const amqpPort = await freePort();
  const managementPort = await freePort();
  const distPort = await freePort();
  const suffix = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const nodeName = `mqci-${label}-${suffix}@localhost`;
  const base = mkdtempSync(join(tmpdir(), `mqci-${label}-`));
  const { uid, gid } = rabbitmqIds();
  for (const dir of ['mnesia', 'log']) mkdirSync(join(base, dir));
  writeFileSync(join(base, 'enabled_plugins'), '[rabbitmq_management,rabbitmq_consistent_hash_exchange].\n');
  writeFileSync(
    join(base, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = ${amqpPort}`,
      `management.tcp.port = ${managementPort}`,
      'management.tcp.ip = 127.0.0.1',
      'loopback_users = none',
      // Queue depths in the management API fresh within half a second: fault tests wait for an empty pipeline.
      'collect_statistics_interval = 500',
      ...extraConfig,
      '',
    ].join('\n'),
  );
  for (const path of [
    base,
    join(base, 'mnesia'),
    join(base, 'log'),
    join(base, 'enabled_plugins'),
    join(base, 'rabbitmq.conf'),
  ]) {
    chownSync(path, uid, gid);
  }
  const env = {
    ...process.env,
    RABBITMQ_NODENAME: nodeName,
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(base, 'mnesia'),
    RABBITMQ_LOG_BASE: join(base, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(base, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(base, 'rabbit.pid'),
    RABBITMQ_CONFIG_FILE: join(base, 'rabbitmq'),
  };
  const amqpUrl = `amqp://guest:guest@127.0.0.1:${amqpPort}`;
  const managementUrl = `http://127.0.0.1:${managementPort}`;
  let child: ChildProcess | undefined;

  const ctl = async (...args: string[]): Promise<string> => {
    const { stdout } = await execFileAsync('rabbitmqctl', ['-n', nodeName, ...args], { env, timeout: 30_000 });
    return stdout;
  };

  const managementAnswers = async (): Promise<boolean> => {
    const res = await fetch(`${managementUrl}/api/overview`, {
      headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
    });
    return res.ok;
  };

  const pid = (): number | undefined => {
    try {
      return Number(readFileSync(join(base, 'rabbit.pid'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  };

  const start = async (): Promise<void> => {
    child = spawn('rabbitmq-server', [], { env, stdio: 'ignore', detached: true });
    child.unref();
    // Probed over HTTP and TCP, not with `rabbitmqctl await_startup`: every rabbitmqctl call boots an Erlang VM of
    // its own (about a second of CPU, and it is retried until the node's name is registered), CPU the booting node
    // and the tests beside it need. The management listener opens only after the broker's boot steps, AMQP's
    // listener among them; the AMQP port is checked as well.
    await waitFor(`node ${nodeName}: management API on ${managementPort}`, 90_000, managementAnswers);
    await waitFor(`node ${nodeName}: AMQP on ${amqpPort}`, 10_000, () => portAccepts(amqpPort));
  };

  const kill = async (): Promise<void> => {
    const beam = pid();
    if (beam) {
      try {
        process.kill(beam, 'SIGKILL');
      } catch {
        // Already gone: nothing to kill.
      }
    }
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The wrapper exits on its own when the VM dies.
      }
    }
    await waitFor('node to go down', 15_000, async () => {
      const p = pid();
      if (!p) return true;
      try {
        process.kill(p, 0);
        return false;
      } catch {
        return true;
      }
    });
  };

  const destroy = async (): Promise<void> => {
    // The node's data goes with it, so a graceful stop (seconds of Erlang shutdown) buys nothing.
    await kill();
    rmSync(base, { recursive: true, force: true });
  };

  return { nodeName, amqpPort, managementPort, amqpUrl, managementUrl, start, kill, ctl, destroy };
}
