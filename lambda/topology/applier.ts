import {
  DEFAULT_EXCHANGE_TYPE,
  queueArguments,
  type PermissionDefinition,
  type TopologyDefinition,
} from '../../lib/config/topology';
import { validateTopology } from '../../lib/config/topology-validation';
import { apiPath, ManagementClient, type ManagementConnection } from './management-client';
import { afterApply, EMPTY_OWNERSHIP, forget, readOwnership, writeOwnership, type OwnershipRecord } from './ownership';
import { removeObject, removeUser } from './remover';
import {
  emptyReport,
  planTopology,
  type ChangeReport,
  type ObservedBinding,
  type ObservedExchange,
  type ObservedQueue,
  type ObservedState,
  type ObservedUser,
  type TopologyAction,
} from './topology-plan';

/**
 * The one applier: brings a RabbitMQ broker to a declared topology through the management HTTP API.
 * The topology custom resource runs it in Lambda against Amazon MQ; the local runtime and the tests run it
 * against the local broker. Reads everything first, refuses forbidden in-place changes before writing anything.
 */

export type { ChangeReport } from './topology-plan';
export type { ManagementConnection } from './management-client';
export { deleteTopology } from './remover';

export interface ApplyOptions extends ManagementConnection {
  /** Password of every user in `definition.users`, by username. Never logged, never returned. */
  readonly userPasswords: Readonly<Record<string, string>>;
  /**
   * The definition applied before (a CloudFormation update's old properties). Users and exchanges it declared
   * that the new one lacks are removed; such queues are kept because they may hold messages.
   * @default - nothing is removed
   */
  readonly previous?: TopologyDefinition;
}

/** Lists every forbidden in-place change; nothing was applied when it is thrown. */
export class TopologyConflictError extends Error {
  constructor(readonly conflicts: readonly string[]) {
    super(`The topology cannot be applied (nothing was changed):\n  - ${conflicts.join('\n  - ')}`);
    this.name = 'TopologyConflictError';
  }
}

export async function applyTopology(definition: TopologyDefinition, options: ApplyOptions): Promise<ChangeReport> {
  validateTopology(definition);
  checkPasswords(definition, options.userPasswords);
  const client = new ManagementClient(options);
  const plan = planTopology(definition, await observe(client, definition), options.userPasswords);
  if (plan.conflicts.length > 0) throw new TopologyConflictError(plan.conflicts);

  const report = emptyReport();
  report.unchanged.push(...plan.unchanged);
  const recorded = await readOwnership(client, definition.vhost);
  for (const { action, change, label } of plan.actions) {
    await execute(client, definition.vhost, action, options.userPasswords);
    report[change].push(label);
  }
  // What this apply created joins the record of what the topology owns (see ownership.ts); the rest is adopted.
  let ownership = afterApply(recorded ?? EMPTY_OWNERSHIP, plan.actions);
  if (options.previous && options.previous.vhost === definition.vhost) {
    ownership = await removeDropped(client, options.previous, definition, ownership, report);
  }
  if (recorded === undefined || JSON.stringify(recorded) !== JSON.stringify(ownership)) {
    await writeOwnership(client, definition.vhost, ownership);
  }
  return report;
}

/** Amazon MQ's password rule, enforced locally too so that local runs catch what the cloud would refuse. */
function checkPasswords(definition: TopologyDefinition, passwords: Readonly<Record<string, string>>): void {
  const problems: string[] = [];
  for (const { name } of definition.users) {
    const password = passwords[name];
    // Report only the length: the value is a secret.
    if (typeof password !== 'string') {
      problems.push(`userPasswords["${name}"]: missing; every user in the topology needs a password`);
    } else if (password.length < 12 || password.length > 250 || new Set(password).size < 4 || /[,:=]/.test(password)) {
      problems.push(
        `userPasswords["${name}"]: a password of ${password.length} characters is not allowed; ` +
          'Amazon MQ requires 12-250 characters, at least 4 distinct, none of "," ":" "="',
      );
    }
  }
  if (problems.length > 0) throw new Error(`Invalid user passwords:\n  - ${problems.join('\n  - ')}`);
}

async function observe(client: ManagementClient, definition: TopologyDefinition): Promise<ObservedState> {
  const { vhost } = definition;
  const vhostExists = (await client.get(apiPath('vhosts', vhost))) !== undefined;
  const exchanges = new Map<string, ObservedExchange>();
  const queues = new Map<string, ObservedQueue>();
  const bindings: ObservedBinding[] = [];
  const users = new Map<string, ObservedUser>();
  const permissions = new Map<string, PermissionDefinition>();
  if (vhostExists) {
    for (const { name } of definition.exchanges) {
      const exchange = await client.get<ObservedExchange>(apiPath('exchanges', vhost, name));
      if (exchange) exchanges.set(name, exchange);
      const fromExchange = await client.get<ObservedBinding[]>(`${apiPath('exchanges', vhost, name)}/bindings/source`);
      bindings.push(...(fromExchange ?? []));
    }
    for (const { name } of definition.queues) {
      const queue = await client.get<ObservedQueue>(apiPath('queues', vhost, name));
      if (queue) queues.set(name, queue);
    }
  }
  for (const { name } of definition.users) {
    const user = await client.get<ObservedUser>(apiPath('users', name));
    if (user) users.set(name, user);
    const permission = vhostExists
      ? await client.get<PermissionDefinition>(apiPath('permissions', vhost, name))
      : undefined;
    if (permission) permissions.set(name, permission);
  }
  return { vhostExists, exchanges, queues, bindings, users, permissions };
}

async function execute(
  client: ManagementClient,
  vhost: string,
  action: TopologyAction,
  passwords: Readonly<Record<string, string>>,
): Promise<void> {
  switch (action.kind) {
    case 'putVhost':
      return client.put(apiPath('vhosts', vhost), {});
    case 'putExchange': {
      const { name, type = DEFAULT_EXCHANGE_TYPE, durable = true } = action.exchange;
      return client.put(apiPath('exchanges', vhost, name), {
        type,
        durable,
        auto_delete: false,
        internal: false,
        arguments: {},
      });
    }
    case 'putQueue':
      return client.put(apiPath('queues', vhost, action.queue.name), {
        durable: true,
        auto_delete: false,
        arguments: queueArguments(action.queue),
      });
    case 'addBinding': {
      const { exchange, queue, routingKey = '' } = action.binding;
      return client.post(apiPath('bindings', vhost, 'e', exchange, 'q', queue), {
        routing_key: routingKey,
        arguments: {},
      });
    }
    case 'removeBinding': {
      const b = action.binding;
      const kind = b.destination_type === 'queue' ? 'q' : 'e';
      await client.delete(apiPath('bindings', vhost, 'e', b.source, kind, b.destination, b.properties_key));
      return;
    }
    case 'putUser':
      return client.put(apiPath('users', action.user.name), {
        password: passwords[action.user.name],
        tags: (action.user.tags ?? []).join(','),
      });
    case 'putPermissions': {
      const { configure, write, read } = action.user.permissions;
      return client.put(apiPath('permissions', vhost, action.user.name), { configure, write, read });
    }
  }
}

/**
 * On an update: users and exchanges dropped from the definition go when the topology created them; dropped queues
 * stay (they may hold messages). Returns the ownership record without what was removed.
 */
async function removeDropped(
  client: ManagementClient,
  previous: TopologyDefinition,
  current: TopologyDefinition,
  owned: OwnershipRecord,
  report: ChangeReport,
): Promise<OwnershipRecord> {
  const { vhost } = current;
  const keeps = (list: readonly { name: string }[], name: string): boolean => list.some((o) => o.name === name);
  const removed = { exchanges: [] as string[], users: [] as string[] };
  for (const exchange of previous.exchanges.filter((e) => !keeps(current.exchanges, e.name))) {
    if (!owned.exchanges.includes(exchange.name)) {
      report.retained.push(`exchange ${exchange.name} (dropped from the definition; adopted, so left in place)`);
      continue;
    }
    await removeObject(client, report, `exchange ${exchange.name}`, apiPath('exchanges', vhost, exchange.name));
    removed.exchanges.push(exchange.name);
  }
  for (const queue of previous.queues.filter((q) => !keeps(current.queues, q.name))) {
    report.retained.push(`queue ${queue.name} (dropped from the definition; delete it by hand once drained)`);
  }
  for (const user of previous.users.filter((u) => !keeps(current.users, u.name))) {
    if (!owned.users.includes(user.name)) {
      report.retained.push(`user ${user.name} (dropped from the definition; adopted, so left in place)`);
      continue;
    }
    await removeUser(client, vhost, user.name, report);
    removed.users.push(user.name);
  }
  return forget(owned, removed);
}
