import { createHash } from 'node:crypto';
import {
  DEFAULT_EXCHANGE_TYPE,
  DEFAULT_QUEUE_TYPE,
  queueArguments,
  type BindingDefinition,
  type ExchangeDefinition,
  type PermissionDefinition,
  type QueueDefinition,
  type TopologyDefinition,
  type UserDefinition,
} from '../../lib/config/topology';

/**
 * Pure planning: compares what the broker has (observed through the management API) with the definition and
 * returns the writes to make, or every change RabbitMQ forbids in place. No I/O, so it is unit-tested directly.
 */

/** What an apply or delete did, as readable labels such as `queue events.to-sqs`. */
export interface ChangeReport {
  readonly created: string[];
  readonly updated: string[];
  readonly deleted: string[];
  readonly unchanged: string[];
  /** Objects removed from the definition but kept on purpose (queues may hold messages). */
  readonly retained: string[];
}

export function emptyReport(): ChangeReport {
  return { created: [], updated: [], deleted: [], unchanged: [], retained: [] };
}

/** Management API shapes, reduced to the fields the plan reads. */
export interface ObservedExchange {
  readonly type: string;
  readonly durable: boolean;
  readonly auto_delete?: boolean;
  readonly internal?: boolean;
}
export interface ObservedQueue {
  readonly type: string;
  readonly durable: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
}
export interface ObservedBinding {
  readonly source: string;
  readonly destination: string;
  readonly destination_type: 'queue' | 'exchange';
  readonly routing_key: string;
  readonly properties_key: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}
export interface ObservedUser {
  readonly password_hash: string;
  readonly hashing_algorithm: string;
  /** An array since RabbitMQ 3.9, a comma-separated string before. */
  readonly tags: readonly string[] | string;
}

/** The broker's current state for the names the definition declares (absent = does not exist). */
export interface ObservedState {
  readonly vhostExists: boolean;
  readonly exchanges: ReadonlyMap<string, ObservedExchange>;
  readonly queues: ReadonlyMap<string, ObservedQueue>;
  /** Every binding whose source is a declared exchange. */
  readonly bindings: readonly ObservedBinding[];
  readonly users: ReadonlyMap<string, ObservedUser>;
  /** Permissions of the declared users on the topology's vhost. */
  readonly permissions: ReadonlyMap<string, PermissionDefinition>;
}

export type TopologyAction =
  | { readonly kind: 'putVhost' }
  | { readonly kind: 'putExchange'; readonly exchange: ExchangeDefinition }
  | { readonly kind: 'putQueue'; readonly queue: QueueDefinition }
  | { readonly kind: 'addBinding'; readonly binding: BindingDefinition }
  | { readonly kind: 'removeBinding'; readonly binding: ObservedBinding }
  | { readonly kind: 'putUser'; readonly user: UserDefinition }
  | { readonly kind: 'putPermissions'; readonly user: UserDefinition };

export interface PlannedAction {
  readonly action: TopologyAction;
  readonly change: 'created' | 'updated' | 'deleted';
  readonly label: string;
}

export interface TopologyPlan {
  readonly actions: readonly PlannedAction[];
  readonly unchanged: readonly string[];
  /** Changes RabbitMQ forbids in place, one self-contained explanation each; non-empty means apply nothing. */
  readonly conflicts: readonly string[];
}

export function planTopology(
  definition: TopologyDefinition,
  observed: ObservedState,
  userPasswords: Readonly<Record<string, string>>,
): TopologyPlan {
  const actions: PlannedAction[] = [];
  const unchanged: string[] = [];
  const conflicts: string[] = [];
  const vhost = definition.vhost;
  const track = (label: string, exists: boolean, differs: boolean, action: TopologyAction): void => {
    if (!exists) actions.push({ action, change: 'created', label });
    else if (differs) actions.push({ action, change: 'updated', label });
    else unchanged.push(label);
  };

  track(`vhost ${vhost}`, observed.vhostExists, false, { kind: 'putVhost' });

  for (const exchange of definition.exchanges) {
    const current = observed.exchanges.get(exchange.name);
    if (current) conflicts.push(...exchangeConflicts(vhost, exchange, current));
    track(`exchange ${exchange.name}`, current !== undefined, false, { kind: 'putExchange', exchange });
  }

  for (const queue of definition.queues) {
    const current = observed.queues.get(queue.name);
    if (current) conflicts.push(...queueConflicts(vhost, queue, current));
    track(`queue ${queue.name}`, current !== undefined, false, { kind: 'putQueue', queue });
  }

  for (const binding of definition.bindings) {
    const exists = observed.bindings.some((b) => bindingMatches(b, binding));
    track(bindingLabel(binding.exchange, binding.queue, binding.routingKey ?? ''), exists, false, {
      kind: 'addBinding',
      binding,
    });
  }
  // Declared exchanges are owned by the topology: a binding from them that the definition lacks was removed from it.
  for (const current of observed.bindings) {
    if (!definition.bindings.some((b) => bindingMatches(current, b))) {
      actions.push({
        action: { kind: 'removeBinding', binding: current },
        change: 'deleted',
        label: bindingLabel(current.source, current.destination, current.routing_key),
      });
    }
  }

  for (const user of definition.users) {
    const current = observed.users.get(user.name);
    const differs =
      current !== undefined &&
      (!passwordMatches(current, userPasswords[user.name]) || !sameTags(current.tags, user.tags ?? []));
    track(`user ${user.name}`, current !== undefined, differs, { kind: 'putUser', user });

    const permissions = observed.permissions.get(user.name);
    const permissionsDiffer =
      permissions !== undefined &&
      (['configure', 'write', 'read'] as const).some((k) => permissions[k] !== user.permissions[k]);
    track(`permissions ${user.name}@${vhost}`, permissions !== undefined, permissionsDiffer, {
      kind: 'putPermissions',
      user,
    });
  }

  return { actions, unchanged, conflicts };
}

export function bindingLabel(exchange: string, destination: string, routingKey: string): string {
  return `binding ${exchange} -> ${destination} [${routingKey}]`;
}

function bindingMatches(observed: ObservedBinding, declared: BindingDefinition): boolean {
  return (
    observed.source === declared.exchange &&
    observed.destination_type === 'queue' &&
    observed.destination === declared.queue &&
    observed.routing_key === (declared.routingKey ?? '') &&
    Object.keys(observed.arguments ?? {}).length === 0
  );
}

const QUEUE_ADVICE =
  'RabbitMQ cannot change a queue\'s type or arguments in place: declare a queue with a new name and migrate producers, bindings and consumers to it (then drain and remove the old one), or delete the queue first (its messages are lost) and apply again. See docs/topology.md "Changes RabbitMQ forbids in place".';
const EXCHANGE_ADVICE =
  'RabbitMQ cannot change an exchange\'s type or durability in place: declare an exchange with a new name and move producers and bindings to it, or delete the exchange first (its bindings go with it) and apply again. See docs/topology.md "Changes RabbitMQ forbids in place".';

export function queueConflicts(vhost: string, queue: QueueDefinition, current: ObservedQueue): string[] {
  const differences: string[] = [];
  const declaredType = queue.type ?? DEFAULT_QUEUE_TYPE;
  if (current.type !== declaredType) {
    differences.push(`type is ${current.type} on the broker but ${declaredType} in the definition`);
  }
  if (!current.durable) differences.push('durable is false on the broker but true in the definition');
  const declared: Record<string, unknown> = queueArguments(queue);
  const keys = new Set([...Object.keys(current.arguments ?? {}), ...Object.keys(declared)]);
  keys.delete('x-queue-type'); // compared through `type`, which RabbitMQ reports even when the argument was omitted
  for (const key of [...keys].sort()) {
    const have = current.arguments?.[key];
    const want = declared[key];
    if (JSON.stringify(have) !== JSON.stringify(want)) {
      differences.push(`${key} is ${describe(have)} on the broker but ${describe(want)} in the definition`);
    }
  }
  return differences.map((d) => `queue "${queue.name}" in vhost "${vhost}": ${d}. ${QUEUE_ADVICE}`);
}

export function exchangeConflicts(vhost: string, exchange: ExchangeDefinition, current: ObservedExchange): string[] {
  const differences: string[] = [];
  const declaredType = exchange.type ?? DEFAULT_EXCHANGE_TYPE;
  const declaredDurable = exchange.durable ?? true;
  if (current.type !== declaredType) {
    differences.push(`type is ${current.type} on the broker but ${declaredType} in the definition`);
  }
  if (current.durable !== declaredDurable) {
    differences.push(`durable is ${current.durable} on the broker but ${declaredDurable} in the definition`);
  }
  if (current.auto_delete) differences.push('auto_delete is true on the broker but false in the definition');
  if (current.internal) differences.push('internal is true on the broker but false in the definition');
  return differences.map((d) => `exchange "${exchange.name}" in vhost "${vhost}": ${d}. ${EXCHANGE_ADVICE}`);
}

function describe(value: unknown): string {
  return value === undefined ? 'absent' : JSON.stringify(value);
}

const HASHES: Readonly<Record<string, string>> = {
  rabbit_password_hashing_sha256: 'sha256',
  rabbit_password_hashing_sha512: 'sha512',
  rabbit_password_hashing_md5: 'md5',
};

/**
 * True when `password` is the user's current password. RabbitMQ stores base64(salt(4 bytes) ‖ hash(salt ‖ password));
 * recomputing it lets an unchanged password stay untouched, which keeps a re-apply a no-op.
 */
export function passwordMatches(user: ObservedUser, password: string | undefined): boolean {
  const algorithm = HASHES[user.hashing_algorithm];
  if (password === undefined || algorithm === undefined || !user.password_hash) return false;
  const stored = Buffer.from(user.password_hash, 'base64');
  const salt = stored.subarray(0, 4);
  const hash = createHash(algorithm)
    .update(Buffer.concat([salt, Buffer.from(password, 'utf8')]))
    .digest();
  return hash.equals(stored.subarray(4));
}

function sameTags(current: readonly string[] | string, declared: readonly string[]): boolean {
  const have = (typeof current === 'string' ? current.split(',') : [...current]).filter((t) => t.length > 0).sort();
  const want = [...declared].sort();
  return have.length === want.length && have.every((t, i) => t === want[i]);
}
