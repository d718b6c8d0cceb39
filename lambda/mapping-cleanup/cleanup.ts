import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

/**
 * Deletes a RabbitMQ event source mapping on stack deletion and waits until its pollers' network interfaces are gone.
 *
 * Why: Lambda reports a RabbitMQ mapping deleted before its pollers have removed their network interfaces in the
 * broker's subnets, and removes them with the function's role; CloudFormation would delete that role (and the subnets'
 * security group rules) meanwhile, leaving interfaces that block the VPC's deletion. The `Custom::EventSourceMappingCleanup`
 * resource of each mapping depends on the role, so the role stays until this says the interfaces are gone.
 * Lambda owns those interfaces (requester-managed): they cannot be deleted by us, only waited for.
 *
 * One function serves all shards' resources (CDK Provider framework: onEvent, then isComplete polled by its waiter).
 * Pure over two small client interfaces, so its logic is unit-tested against mocked SDK clients.
 */

/** The Lambda calls the cleanup makes. */
export interface MappingApi {
  /** Deletes the mapping; resolves `false` when it does not exist (already deleted). */
  deleteMapping(uuid: string): Promise<boolean>;
  /** The mapping's state (`Deleting`, `Enabled`, …), or undefined once it no longer exists. */
  mappingState(uuid: string): Promise<string | undefined>;
}

/** The EC2 call the cleanup makes. */
export interface NetworkInterfaceApi {
  /** Ids of the network interfaces whose description starts with `prefix`. */
  interfacesWithDescriptionPrefix(prefix: string): Promise<string[]>;
}

export interface CleanupDeps {
  readonly lambda: MappingApi;
  readonly ec2: NetworkInterfaceApi;
  readonly log: (message: string, attributes: Record<string, unknown>) => void;
}

/** Properties of the custom resource. */
export interface CleanupProperties {
  /** UUID of the event source mapping. */
  readonly EsmId: string;
  /** Account of the mapping (part of its interfaces' description). */
  readonly AccountId: string;
}

/**
 * Marks the waiter's calls: onEvent returns it, and the Provider framework passes onEvent's answer on to isComplete
 * (for every request type, so Create and Update carry it too and complete at once).
 */
export const WAIT_PHASE = 'wait-for-network-interfaces';

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Phase: string };
}

/**
 * Description Lambda gives the network interfaces of a RabbitMQ (`armq`) mapping's pollers, as used by
 * `@cdklabs/cdk-amazonmq`'s deleter: `AWS Lambda VPC ENI-armq-<account>-<mapping uuid>…`.
 */
export function interfaceDescriptionPrefix(properties: CleanupProperties): string {
  return `AWS Lambda VPC ENI-armq-${properties.AccountId}-${properties.EsmId}`;
}

function propertiesOf(event: { readonly ResourceProperties?: Record<string, unknown> }): CleanupProperties {
  const p = event.ResourceProperties ?? {};
  for (const key of ['EsmId', 'AccountId'] as const) {
    if (typeof p[key] !== 'string' || p[key] === '') {
      throw new Error(`ResourceProperties.${key}: got ${JSON.stringify(p[key])}; expected a non-empty string`);
    }
  }
  return { EsmId: p.EsmId as string, AccountId: p.AccountId as string };
}

/** Create and Update record the mapping; Delete deletes it (an already deleted one is fine) and starts the wait. */
export async function onEvent(event: CloudFormationCustomResourceEvent, deps: CleanupDeps): Promise<OnEventResponse> {
  const properties = propertiesOf(event);
  if (event.RequestType !== 'Delete') {
    // One physical id per mapping: a replaced mapping gets a new id, and CloudFormation deletes the old resource.
    return { PhysicalResourceId: `esm-cleanup-${properties.EsmId}`, Data: { Phase: WAIT_PHASE } };
  }
  const deleted = await deps.lambda.deleteMapping(properties.EsmId);
  deps.log(deleted ? 'Deleting event source mapping' : 'Event source mapping already gone', { ...properties });
  return { PhysicalResourceId: event.PhysicalResourceId, Data: { Phase: WAIT_PHASE } };
}

/** Complete once the mapping no longer exists and none of its pollers' network interfaces remain. */
export async function isComplete(
  event: CloudFormationCustomResourceEvent & { readonly Data?: { readonly Phase?: string } },
  deps: CleanupDeps,
): Promise<{ readonly IsComplete: boolean }> {
  if (event.RequestType !== 'Delete') return { IsComplete: true };
  const properties = propertiesOf(event);
  const state = await deps.lambda.mappingState(properties.EsmId);
  if (state !== undefined) {
    deps.log('Event source mapping still exists', { ...properties, state });
    return { IsComplete: false };
  }
  const interfaces = await deps.ec2.interfacesWithDescriptionPrefix(interfaceDescriptionPrefix(properties));
  deps.log(interfaces.length > 0 ? 'Waiting for network interfaces' : 'Network interfaces gone', {
    ...properties,
    interfaces,
  });
  return { IsComplete: interfaces.length === 0 };
}

/** One entry point for both Provider framework roles: the waiter's calls carry {@link WAIT_PHASE}. */
export function createCleanupHandler(deps: CleanupDeps) {
  return async (
    event: CloudFormationCustomResourceEvent & { readonly Data?: { readonly Phase?: string } },
  ): Promise<OnEventResponse | { readonly IsComplete: boolean }> =>
    event.Data?.Phase === WAIT_PHASE ? isComplete(event, deps) : onEvent(event, deps);
}
