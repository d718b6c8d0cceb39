import type { TopologyDefinition } from '../../lib/config/topology';
import { apiPath, ManagementClient, type ManagementConnection } from './management-client';
import { isOwnedBinding, readOwnership, removeOwnership, type OwnershipRecord } from './ownership';
import { bindingLabel, emptyReport, type ChangeReport, type ObservedBinding } from './topology-plan';

/**
 * Removes what the topology created, as its ownership record (ownership.ts) says: its bindings, then its queues and
 * exchanges unless they hold bindings it did not create (an operator's), its users unless they hold permissions on
 * another vhost, and the vhost when it created it and nothing else is left in it (never the default vhost `/`).
 * What it adopted (found on the broker before it applied) stays. Without a record (a topology applied before
 * records were kept) nothing is removed. The definition is not validated: it was valid when it was applied.
 */
export async function deleteTopology(
  definition: TopologyDefinition,
  connection: ManagementConnection,
): Promise<ChangeReport> {
  const client = new ManagementClient(connection);
  const { vhost } = definition;
  const report = emptyReport();
  if ((await client.get(apiPath('vhosts', vhost))) === undefined) {
    report.unchanged.push(`vhost ${vhost} (already absent)`);
    return report;
  }
  const owned = await readOwnership(client, vhost);
  if (owned === undefined) {
    report.retained.push(
      `vhost ${vhost} and everything in it (no record of what the topology created; see docs/topology.md "Delete and retain")`,
    );
    return report;
  }
  const adopted = (label: string) =>
    report.retained.push(`${label} (adopted: it existed before the topology was applied)`);
  const keptFor = (label: string, foreign: string) =>
    report.retained.push(`${label} (holds bindings the topology did not create: ${foreign})`);
  await removeOwnedBindings(client, vhost, owned, report);

  for (const { name } of definition.queues) {
    const path = apiPath('queues', vhost, name);
    if (!owned.queues.includes(name)) adopted(`queue ${name}`);
    else {
      const foreign = await foreignBindings(
        client,
        owned,
        `${path}/bindings`,
        (b) => `${b.source} -> [${b.routing_key}]`,
      );
      if (foreign) keptFor(`queue ${name}`, foreign);
      else await removeObject(client, report, `queue ${name}`, path);
    }
  }
  for (const { name } of definition.exchanges) {
    const path = apiPath('exchanges', vhost, name);
    if (!owned.exchanges.includes(name)) adopted(`exchange ${name}`);
    else {
      const foreign = await foreignBindings(
        client,
        owned,
        `${path}/bindings/source`,
        (b) => `-> ${b.destination} [${b.routing_key}]`,
      );
      if (foreign) keptFor(`exchange ${name}`, foreign);
      else await removeObject(client, report, `exchange ${name}`, path);
    }
  }
  for (const { name } of definition.users) {
    if (owned.users.includes(name)) await removeUser(client, vhost, name, report);
    else adopted(`user ${name}`);
  }
  await removeOwnership(client, vhost);
  await removeVhost(client, vhost, owned, report);
  return report;
}

async function removeVhost(
  client: ManagementClient,
  vhost: string,
  owned: OwnershipRecord,
  report: ChangeReport,
): Promise<void> {
  if (vhost === '/') {
    report.unchanged.push('vhost / (the broker default vhost is never deleted)');
    return;
  }
  if (!owned.vhost) {
    report.retained.push(`vhost ${vhost} (adopted: it existed before the topology was applied)`);
    return;
  }
  const queues = (await client.get<unknown[]>(apiPath('queues', vhost))) ?? [];
  const exchanges = (await client.get<{ name: string }[]>(apiPath('exchanges', vhost))) ?? [];
  const foreignExchanges = exchanges.filter((e) => e.name !== '' && !e.name.startsWith('amq.'));
  if (queues.length > 0 || foreignExchanges.length > 0) {
    report.retained.push(`vhost ${vhost} (still holds objects the topology did not declare)`);
  } else {
    await removeObject(client, report, `vhost ${vhost}`, apiPath('vhosts', vhost));
  }
}

/** Deletes the bindings the topology created, wherever they are. */
async function removeOwnedBindings(
  client: ManagementClient,
  vhost: string,
  owned: OwnershipRecord,
  report: ChangeReport,
): Promise<void> {
  for (const exchange of new Set(owned.bindings.map((b) => b.exchange))) {
    const observed = await client.get<ObservedBinding[]>(`${apiPath('exchanges', vhost, exchange)}/bindings/source`);
    for (const b of (observed ?? []).filter((o) => isOwnedBinding(owned, o))) {
      const path = apiPath('bindings', vhost, 'e', b.source, 'q', b.destination, b.properties_key);
      await removeObject(client, report, bindingLabel(b.source, b.destination, b.routing_key), path);
    }
  }
}

/** The bindings at `path` the topology did not create (the default exchange's implicit ones aside), described. */
async function foreignBindings(
  client: ManagementClient,
  owned: OwnershipRecord,
  path: string,
  describe: (binding: ObservedBinding) => string,
): Promise<string> {
  const observed = (await client.get<ObservedBinding[]>(path)) ?? [];
  return observed
    .filter((b) => b.source !== '' && !isOwnedBinding(owned, b))
    .map(describe)
    .join(', ');
}

/** Removes the user's permissions on `vhost`, and the user unless it has permissions on another vhost. */
export async function removeUser(
  client: ManagementClient,
  vhost: string,
  name: string,
  report: ChangeReport,
): Promise<void> {
  await removeObject(client, report, `permissions ${name}@${vhost}`, apiPath('permissions', vhost, name));
  const elsewhere = ((await client.get<{ vhost: string }[]>(`${apiPath('users', name)}/permissions`)) ?? []).filter(
    (p) => p.vhost !== vhost,
  );
  if (elsewhere.length > 0) {
    const vhosts = elsewhere.map((p) => p.vhost).join(', ');
    report.retained.push(`user ${name} (still has permissions on vhost ${vhosts})`);
    return;
  }
  await removeObject(client, report, `user ${name}`, apiPath('users', name));
}

export async function removeObject(
  client: ManagementClient,
  report: ChangeReport,
  label: string,
  path: string,
): Promise<void> {
  if (await client.delete(path)) report.deleted.push(label);
  else report.unchanged.push(`${label} (already absent)`);
}
