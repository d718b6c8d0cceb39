import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import type { TopologyDefinition } from '../../lib/config/topology';
import { validateTopology } from '../../lib/config/topology-validation';
import { applyTopology, deleteTopology } from './applier';

/**
 * onEvent handler of the `Custom::RabbitMqTopology` resource (CDK Provider framework): Create and Update apply the
 * topology, Delete removes what the topology created unless `RetainOnDelete` is set. Passwords never travel through the template: the
 * handler reads the admin and user secrets at apply time.
 */

/** A `{ username, password }` secret, the shape Amazon MQ and the RabbitMQ event source use. */
export interface BrokerCredentials {
  readonly username: string;
  readonly password: string;
}

export interface TopologyHandlerDeps {
  /** Reads and parses a `{ username, password }` secret. */
  readonly readSecret: (secretArn: string) => Promise<BrokerCredentials>;
  readonly logger: Pick<Logger, 'info'>;
}

/** What the Provider framework expects back from onEvent. */
export interface TopologyHandlerResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Vhost: string };
}

interface TopologyProperties {
  readonly topology: TopologyDefinition;
  readonly managementUrl: string;
  readonly adminSecretArn: string;
  readonly userSecretArns: Readonly<Record<string, string>>;
  readonly retainOnDelete: boolean;
}

/**
 * Time kept back from the Lambda deadline: management calls (and their retries) end before it, so a failure is
 * reported to CloudFormation with its cause instead of as a timed-out invocation.
 */
export const DEADLINE_MARGIN_MS = 10_000;

export function createTopologyHandler(deps: TopologyHandlerDeps) {
  return async (
    event: CloudFormationCustomResourceEvent,
    context?: Pick<Context, 'getRemainingTimeInMillis'>,
  ): Promise<TopologyHandlerResponse> => {
    const deadline = context ? Date.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS : undefined;
    // Only the definition being applied is checked against today's rules. Old properties (an Update's previous
    // definition, everything a Delete carries) were valid under the rules they were deployed with; refusing them
    // now would leave the stack unable to update, roll back or delete.
    const applying = event.RequestType !== 'Delete';
    const props = parseProperties(event.ResourceProperties, applying);
    const { vhost } = props.topology;
    // The vhost is the identity: declaring another vhost replaces the resource, and CloudFormation then deletes
    // the old one with its old properties.
    const response = { PhysicalResourceId: `rabbitmq-topology:${vhost}`, Data: { Vhost: vhost } };
    const admin = async () => {
      const credentials = await deps.readSecret(props.adminSecretArn);
      return {
        managementUrl: props.managementUrl,
        username: credentials.username,
        password: credentials.password,
        deadline,
      };
    };

    if (event.RequestType === 'Delete') {
      if (props.retainOnDelete) {
        deps.logger.info('topology retained on delete', { vhost });
        return { ...response, PhysicalResourceId: event.PhysicalResourceId };
      }
      const report = await deleteTopology(props.topology, await admin());
      deps.logger.info('topology deleted', { vhost, report });
      return { ...response, PhysicalResourceId: event.PhysicalResourceId };
    }

    const userPasswords: Record<string, string> = {};
    for (const user of props.topology.users) {
      const secretArn = props.userSecretArns[user.name];
      const credentials = await deps.readSecret(secretArn);
      if (credentials.username !== user.name) {
        throw new Error(
          `secret ${secretArn}: username is ${JSON.stringify(credentials.username)}, expected "${user.name}"`,
        );
      }
      userPasswords[user.name] = credentials.password;
    }
    const previous =
      event.RequestType === 'Update' ? parseProperties(event.OldResourceProperties, false).topology : undefined;
    const report = await applyTopology(props.topology, { ...(await admin()), userPasswords, previous });
    deps.logger.info('topology applied', { vhost, requestType: event.RequestType, report });
    return response;
  };
}

/**
 * CloudFormation hands every property over as a string (booleans included); parse and check them here.
 * @param applying the definition is about to be applied: check it against today's rules and require a secret for
 *   every user. Otherwise only what removal reads is required: a vhost and the names of what it declared.
 */
function parseProperties(raw: Record<string, unknown>, applying: boolean): TopologyProperties {
  const field = (name: string): string => {
    const value = raw[name];
    if (typeof value !== 'string' || value.length === 0) {
      throw new Error(
        `Custom::RabbitMqTopology property ${name}: got ${JSON.stringify(value)}; expected a non-empty string`,
      );
    }
    return value;
  };
  let topology: TopologyDefinition;
  try {
    topology = JSON.parse(field('Topology')) as TopologyDefinition;
  } catch (error) {
    throw new Error(`Custom::RabbitMqTopology property Topology is not valid JSON: ${(error as Error).message}`);
  }
  const userSecretArns = (raw.UserSecretArns ?? {}) as Record<string, string>;
  if (applying) {
    validateTopology(topology);
    const missing = topology.users.filter((u) => typeof userSecretArns[u.name] !== 'string').map((u) => u.name);
    if (missing.length > 0) {
      throw new Error(
        `Custom::RabbitMqTopology property UserSecretArns lacks a secret for user(s) ${missing.join(', ')}`,
      );
    }
  } else {
    topology = namesForRemoval(topology);
  }
  return {
    topology,
    managementUrl: field('ManagementEndpoint'),
    adminSecretArn: field('AdminSecretArn'),
    userSecretArns,
    retainOnDelete: String(raw.RetainOnDelete) === 'true',
  };
}

/** The parts of a previously applied definition that removal reads; no rule beyond "it names a vhost". */
function namesForRemoval(topology: TopologyDefinition): TopologyDefinition {
  if (typeof topology !== 'object' || topology === null || typeof topology.vhost !== 'string' || !topology.vhost) {
    throw new Error(
      `Custom::RabbitMqTopology property Topology: got ${JSON.stringify(topology)}; expected an object with a vhost`,
    );
  }
  const named = <T extends { name: string }>(list: readonly T[] | undefined): T[] =>
    Array.isArray(list) ? list.filter((o) => typeof o?.name === 'string') : [];
  return {
    ...topology,
    exchanges: named(topology.exchanges),
    queues: named(topology.queues),
    users: named(topology.users),
    bindings: Array.isArray(topology.bindings) ? topology.bindings : [],
  };
}

const secretsManager = new SecretsManagerClient({});

/** Reads a `{ username, password }` secret; the error names the secret, never its value. */
export async function readBrokerSecret(secretArn: string): Promise<BrokerCredentials> {
  const { SecretString } = await secretsManager.send(new GetSecretValueCommand({ SecretId: secretArn }));
  let parsed: Partial<BrokerCredentials> = {};
  try {
    parsed = JSON.parse(SecretString ?? '{}') as Partial<BrokerCredentials>;
  } catch {
    // Fall through to the shape check below, which reports the problem without echoing the secret.
  }
  if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
    throw new Error(`secret ${secretArn}: expected JSON { "username": string, "password": string }`);
  }
  return { username: parsed.username, password: parsed.password };
}

export const handler = createTopologyHandler({
  readSecret: readBrokerSecret,
  logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'rabbitmq-topology' }),
});
