import { randomBytes } from 'node:crypto';
import { defaultTopology, exactName, type TopologyDefinition } from '../../lib/config/topology';
import type { ManagementConnection } from '../../lambda/topology/management-client';

/** The shared local broker's management API (scripts/ensure-broker.sh enables it). */
export const LOCAL_BROKER: ManagementConnection = {
  managementUrl: process.env.LOCAL_MANAGEMENT_URL ?? 'http://127.0.0.1:15672',
  username: 'guest',
  password: 'guest',
};
export const LOCAL_AMQP_PORT = Number(process.env.LOCAL_AMQP_PORT ?? 5672);

/**
 * The default topology with a vhost and user names unique to one test: users are broker-wide, so tests running
 * in parallel (or other engineers' tests on the shared broker) must never share them.
 */
export function uniqueTopology(overrides: { deliveryLimit?: number; shards?: number } = {}): TopologyDefinition {
  const suffix = randomBytes(4).toString('hex');
  const base = defaultTopology(overrides);
  const rename = (name: string): string => `${name}-${suffix}`;
  return {
    ...base,
    vhost: `topology-test-${suffix}`,
    users: base.users.map((u) => ({ ...u, name: rename(u.name) })),
    producerUser: rename(base.producerUser),
    eventSourceUser: rename(base.eventSourceUser),
  };
}

/** A password Amazon MQ would accept (base64url: no `,` `:` `=`). */
export function newPassword(): string {
  return randomBytes(24).toString('base64url');
}

export function passwordsFor(topology: TopologyDefinition): Record<string, string> {
  return Object.fromEntries(topology.users.map((u) => [u.name, newPassword()]));
}

/** Management API GET as guest; `undefined` on 404. */
export async function brokerGet<T>(path: string): Promise<T | undefined> {
  const response = await fetch(`${LOCAL_BROKER.managementUrl}${path}`, { headers: { authorization: basicAuth() } });
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Removes a test's vhost and users whatever state the test left them in. */
export async function forceCleanup(topology: TopologyDefinition): Promise<void> {
  const paths = [
    `/api/vhosts/${encodeURIComponent(topology.vhost)}`,
    ...topology.users.map((u) => `/api/users/${encodeURIComponent(u.name)}`),
  ];
  for (const path of paths) {
    await fetch(`${LOCAL_BROKER.managementUrl}${path}`, { method: 'DELETE', headers: { authorization: basicAuth() } });
  }
}

export function amqpUrl(username: string, password: string, vhost: string): string {
  return `amqp://${encodeURIComponent(username)}:${encodeURIComponent(password)}@127.0.0.1:${LOCAL_AMQP_PORT}/${encodeURIComponent(vhost)}`;
}

function basicAuth(): string {
  return `Basic ${Buffer.from(`${LOCAL_BROKER.username}:${LOCAL_BROKER.password}`).toString('base64')}`;
}

export { exactName };
