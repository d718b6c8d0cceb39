import { randomBytes } from 'node:crypto';
import { applyTopology, deleteTopology } from '../lambda/topology/applier';
import type { TopologyDefinition } from '../lib/config/topology';

/**
 * Applies the template's topology to the local broker with the same applier the custom resource runs in AWS, with
 * a freshly generated password per topology user, so the producer and the event source connect as their own
 * least-privilege users locally too. Tests (and parallel runs) isolate themselves with their own vhost and
 * user-name suffix: users are broker-wide.
 */

export interface LocalBroker {
  /** `amqp://host:port` (credentials, if any, are ignored; the users below are used). */
  readonly amqpUrl: string;
  /** `http://host:port` of the management API. */
  readonly managementUrl: string;
  /** An administrator (management API and dead-letter inspection). */
  readonly username: string;
  readonly password: string;
}

export interface IsolationOptions {
  /** Use this vhost instead of the template's. @default - the template's vhost */
  readonly vhost?: string;
  /** Append `-<suffix>` to every user name. @default - the template's names */
  readonly userSuffix?: string;
}

export interface AppliedTopology {
  readonly topology: TopologyDefinition;
  /** AMQP URL of the producer user on the vhost. */
  readonly producerUrl: string;
  /** AMQP URL of the event-source user on the vhost. */
  readonly eventSourceUrl: string;
  /** AMQP URL of the administrator on the vhost. */
  readonly adminUrl: string;
}

/** A password Amazon MQ would also accept: 32 characters, none of `,` `:` `=`. */
export function generateLocalPassword(): string {
  return randomBytes(24).toString('base64url');
}

/** The topology with the isolation applied (pure). */
export function isolateTopology(base: TopologyDefinition, isolation: IsolationOptions): TopologyDefinition {
  const rename = (name: string) => (isolation.userSuffix ? `${name}-${isolation.userSuffix}` : name);
  return {
    ...base,
    vhost: isolation.vhost ?? base.vhost,
    users: base.users.map((u) => ({ ...u, name: rename(u.name) })),
    producerUser: rename(base.producerUser),
    eventSourceUser: rename(base.eventSourceUser),
  };
}

export async function applyLocalTopology(
  base: TopologyDefinition,
  broker: LocalBroker,
  isolation: IsolationOptions = {},
): Promise<AppliedTopology> {
  const topology = isolateTopology(base, isolation);
  const passwords = Object.fromEntries(topology.users.map((u) => [u.name, generateLocalPassword()]));
  const connection = { managementUrl: broker.managementUrl, username: broker.username, password: broker.password };
  await applyTopology(topology, { ...connection, userPasswords: passwords });
  // The administrator reads the RabbitMQ dead-letter queue and lets any local client publish with its credentials.
  await grantAdministrator(broker, topology.vhost);
  const url = (user: string, password: string) => amqpUrlFor(broker.amqpUrl, user, password, topology.vhost);
  return {
    topology,
    producerUrl: url(topology.producerUser, passwords[topology.producerUser]),
    eventSourceUrl: url(topology.eventSourceUser, passwords[topology.eventSourceUser]),
    adminUrl: url(broker.username, broker.password),
  };
}

/** Removes an isolated topology: its queues, users and the vhost itself (tests, runs with their own vhost). */
export async function removeLocalTopology(applied: AppliedTopology, broker: LocalBroker): Promise<void> {
  await deleteTopology(applied.topology, {
    managementUrl: broker.managementUrl,
    username: broker.username,
    password: broker.password,
  });
  // The administrator's grant keeps the vhost alive in deleteTopology's eyes; an isolated vhost goes entirely.
  await management(broker, 'DELETE', `/api/vhosts/${encodeURIComponent(applied.topology.vhost)}`, undefined, [404]);
}

/** `amqp://user:password@host:port/vhost`, every part URL-encoded (the default vhost `/` becomes `%2F`). */
export function amqpUrlFor(base: string, username: string, password: string, vhost: string): string {
  const url = new URL(base);
  const port = url.port || (url.protocol === 'amqps:' ? '5671' : '5672');
  return `${url.protocol}//${encodeURIComponent(username)}:${encodeURIComponent(password)}@${url.hostname}:${port}/${encodeURIComponent(vhost)}`;
}

async function grantAdministrator(broker: LocalBroker, vhost: string): Promise<void> {
  const path = `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(broker.username)}`;
  await management(broker, 'PUT', path, { configure: '.*', write: '.*', read: '.*' });
}

async function management(
  broker: LocalBroker,
  method: string,
  path: string,
  body?: unknown,
  tolerated: number[] = [],
): Promise<void> {
  const response = await fetch(`${broker.managementUrl.replace(/\/+$/, '')}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${broker.username}:${broker.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok && !tolerated.includes(response.status)) {
    throw new Error(`RabbitMQ management API ${method} ${path} answered ${response.status}: ${await response.text()}`);
  }
}
