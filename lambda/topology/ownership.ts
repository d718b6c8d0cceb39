import { apiPath, type ManagementClient } from './management-client';
import type { ObservedBinding, PlannedAction } from './topology-plan';

/**
 * What the topology created on the broker, as opposed to what it found there and adopted (a queue an operator
 * declared first, the default vhost, a binding an operator added to one of our exchanges). Removal touches only
 * what is recorded here, so deleting the stack never deletes a queue it merely adopted.
 *
 * The record lives on the broker, next to what it describes: in the arguments of an internal exchange of the vhost
 * (internal, so nothing can publish to it; unbound, so it routes nothing). CloudFormation gives a custom resource no
 * state that survives an Update, and the management API offers no other per-vhost store every broker allows.
 */
export interface OwnershipRecord {
  /** The vhost was created by the topology. */
  readonly vhost: boolean;
  readonly exchanges: readonly string[];
  readonly queues: readonly string[];
  readonly bindings: readonly OwnedBinding[];
  /** Users are broker-wide; recorded here by the vhost whose topology created them. */
  readonly users: readonly string[];
}

/** A binding from an exchange to a queue with a routing key and no arguments (all the topology declares). */
export interface OwnedBinding {
  readonly exchange: string;
  readonly queue: string;
  readonly routingKey: string;
}

/** Name of the internal exchange holding the record; operators see it in the vhost and must leave it alone. */
export const OWNERSHIP_EXCHANGE = 'mq-cloud-integration.topology-ownership';
const RECORD_ARGUMENT = 'x-mq-cloud-integration-created';

export const EMPTY_OWNERSHIP: OwnershipRecord = { vhost: false, exchanges: [], queues: [], bindings: [], users: [] };

/** The record of `vhost`; `undefined` when none exists (nothing applied yet, or applied before records were kept). */
export async function readOwnership(client: ManagementClient, vhost: string): Promise<OwnershipRecord | undefined> {
  const exchange = await client.get<{ arguments?: Record<string, unknown> }>(
    apiPath('exchanges', vhost, OWNERSHIP_EXCHANGE),
  );
  const raw = exchange?.arguments?.[RECORD_ARGUMENT];
  if (typeof raw !== 'string') return undefined;
  return { ...EMPTY_OWNERSHIP, ...(JSON.parse(raw) as Partial<OwnershipRecord>) };
}

/** Replaces the record (exchange arguments cannot change in place, so the exchange is declared anew). */
export async function writeOwnership(client: ManagementClient, vhost: string, record: OwnershipRecord): Promise<void> {
  await client.delete(apiPath('exchanges', vhost, OWNERSHIP_EXCHANGE));
  await client.put(apiPath('exchanges', vhost, OWNERSHIP_EXCHANGE), {
    type: 'fanout',
    durable: true,
    auto_delete: false,
    internal: true,
    arguments: { [RECORD_ARGUMENT]: JSON.stringify(record) },
  });
}

/** Removes the record: the last step of a delete. */
export async function removeOwnership(client: ManagementClient, vhost: string): Promise<void> {
  await client.delete(apiPath('exchanges', vhost, OWNERSHIP_EXCHANGE));
}

/** The record after an apply: what its actions created is added, the bindings it removed are forgotten. */
export function afterApply(record: OwnershipRecord, actions: readonly PlannedAction[]): OwnershipRecord {
  const add = (list: readonly string[], name: string) => (list.includes(name) ? list : [...list, name]);
  let next = record;
  for (const { action, change } of actions) {
    if (action.kind === 'removeBinding') {
      next = { ...next, bindings: next.bindings.filter((b) => !isObserved(b, action.binding)) };
    }
    if (change !== 'created') continue;
    if (action.kind === 'putVhost') next = { ...next, vhost: true };
    if (action.kind === 'putExchange') next = { ...next, exchanges: add(next.exchanges, action.exchange.name) };
    if (action.kind === 'putQueue') next = { ...next, queues: add(next.queues, action.queue.name) };
    if (action.kind === 'putUser') next = { ...next, users: add(next.users, action.user.name) };
    if (action.kind === 'addBinding') {
      const { exchange, queue, routingKey = '' } = action.binding;
      const binding = { exchange, queue, routingKey };
      if (!next.bindings.some((b) => sameBinding(b, binding)))
        next = { ...next, bindings: [...next.bindings, binding] };
    }
  }
  return next;
}

/** The record without objects an update removed. */
export function forget(record: OwnershipRecord, removed: { exchanges?: string[]; users?: string[] }): OwnershipRecord {
  return {
    ...record,
    exchanges: record.exchanges.filter((e) => !removed.exchanges?.includes(e)),
    users: record.users.filter((u) => !removed.users?.includes(u)),
  };
}

/** Whether a binding the broker reports is one the topology created. */
export function isOwnedBinding(record: OwnershipRecord, observed: ObservedBinding): boolean {
  return record.bindings.some((b) => isObserved(b, observed));
}

function isObserved(owned: OwnedBinding, observed: ObservedBinding): boolean {
  return (
    observed.source === owned.exchange &&
    observed.destination_type === 'queue' &&
    observed.destination === owned.queue &&
    observed.routing_key === owned.routingKey &&
    Object.keys(observed.arguments ?? {}).length === 0
  );
}

function sameBinding(a: OwnedBinding, b: OwnedBinding): boolean {
  return a.exchange === b.exchange && a.queue === b.queue && a.routingKey === b.routingKey;
}
