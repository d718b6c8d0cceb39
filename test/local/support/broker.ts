import { randomBytes } from 'node:crypto';

/** The shared local broker (scripts/ensure-broker.sh); tests isolate themselves in a fresh vhost each. */
export const AMQP_BASE = process.env.LOCAL_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
export const MANAGEMENT_URL = process.env.LOCAL_MANAGEMENT_URL ?? 'http://127.0.0.1:15672';
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`;

export async function management(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${MANAGEMENT_URL}/api${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 404) {
    throw new Error(`${method} ${path} -> ${response.status} ${await response.text()}`);
  }
  return response;
}

/** Creates a uniquely named vhost with full permissions for guest; returns its name. */
export async function createTestVhost(prefix: string): Promise<string> {
  const vhost = `${prefix}-${randomBytes(4).toString('hex')}`;
  await management('PUT', `/vhosts/${encodeURIComponent(vhost)}`, {});
  await management('PUT', `/permissions/${encodeURIComponent(vhost)}/guest`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  return vhost;
}

export async function deleteTestVhost(vhost: string): Promise<void> {
  await management('DELETE', `/vhosts/${encodeURIComponent(vhost)}`);
}

/** `amqp://guest:guest@host:port/<vhost>` */
export function guestUrl(vhost: string): string {
  return `${AMQP_BASE}/${encodeURIComponent(vhost)}`;
}

/** Closes every client connection to `vhost` from the broker side (what a broker restart does to clients). */
export async function closeConnections(vhost: string): Promise<number> {
  const response = await management('GET', `/vhosts/${encodeURIComponent(vhost)}/connections`);
  const connections = (await response.json()) as { name: string }[];
  for (const c of connections) await management('DELETE', `/connections/${encodeURIComponent(c.name)}`);
  return connections.length;
}

/** Polls `check` every 50 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
