import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { TopologyDefinition } from '../../lib/config/topology';
import { createTopologyHandler, readBrokerSecret, type BrokerCredentials } from '../../lambda/topology/index';
import { brokerGet, forceCleanup, LOCAL_BROKER, passwordsFor, uniqueTopology } from './fixtures';

// The custom resource handler end to end against the local broker; only Secrets Manager is faked.
let topology: TopologyDefinition;
let secrets: Record<string, BrokerCredentials>;
const logged: { message: string; extra: unknown }[] = [];
const ADMIN_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:admin';
const arnOf = (user: string): string => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:${user}`;

const handler = createTopologyHandler({
  readSecret: async (arn) => {
    const found = secrets[arn];
    if (!found) throw new Error(`no secret ${arn}`);
    return found;
  },
  logger: { info: ((message: string, extra: unknown) => logged.push({ message, extra })) as never },
});

function properties(definition: TopologyDefinition, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:provider',
    Topology: JSON.stringify(definition),
    ManagementEndpoint: LOCAL_BROKER.managementUrl,
    AdminSecretArn: ADMIN_ARN,
    UserSecretArns: Object.fromEntries(definition.users.map((u) => [u.name, arnOf(u.name)])),
    RetainOnDelete: 'false', // CloudFormation turns every property value into a string
    ...extra,
  };
}

function event(
  type: 'Create' | 'Update' | 'Delete',
  props: Record<string, unknown>,
  old?: Record<string, unknown>,
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: String(props.ServiceToken),
    ResponseURL: 'https://example.invalid/response',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'Topology',
    ResourceType: 'Custom::RabbitMqTopology',
    ResourceProperties: props as never,
  };
  if (type === 'Create') return { ...common, RequestType: 'Create' };
  if (type === 'Update')
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: `rabbitmq-topology:${topology.vhost}`,
      OldResourceProperties: (old ?? props) as never,
    };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: `rabbitmq-topology:${topology.vhost}` };
}

beforeEach(() => {
  topology = uniqueTopology();
  const passwords = passwordsFor(topology);
  secrets = { [ADMIN_ARN]: { username: LOCAL_BROKER.username, password: LOCAL_BROKER.password } };
  for (const user of topology.users)
    secrets[arnOf(user.name)] = { username: user.name, password: passwords[user.name] };
  logged.length = 0;
});
afterEach(async () => forceCleanup(topology));

test('Create applies the topology and answers with the vhost as physical id', async () => {
  const response = await handler(event('Create', properties(topology)));
  expect(response).toEqual({
    PhysicalResourceId: `rabbitmq-topology:${topology.vhost}`,
    Data: { Vhost: topology.vhost },
  });
  expect(await brokerGet(`/api/queues/${encodeURIComponent(topology.vhost)}/events.to-sqs`)).toMatchObject({
    type: 'quorum',
  });
  expect(logged[0].message).toBe('topology applied');
  expect(JSON.stringify(logged)).not.toContain(secrets[arnOf(topology.producerUser)].password);
});

test('Update with the same properties changes nothing; a Revision alone re-applies as a no-op', async () => {
  await handler(event('Create', properties(topology)));
  await handler(event('Update', properties(topology, { Revision: '2' }), properties(topology)));
  expect((logged[1].extra as { report: { created: string[]; updated: string[] } }).report).toMatchObject({
    created: [],
    updated: [],
  });
});

test('Update removes a user dropped from the definition', async () => {
  await handler(event('Create', properties(topology)));
  const fewer = {
    ...topology,
    users: topology.users.filter((u) => u.name === topology.producerUser),
    eventSourceUser: topology.producerUser,
  };
  await handler(event('Update', properties(fewer), properties(topology)));
  expect(await brokerGet(`/api/users/${topology.eventSourceUser}`)).toBeUndefined();
});

test('Delete removes the topology; with RetainOnDelete it keeps it', async () => {
  await handler(event('Create', properties(topology)));
  await handler(event('Delete', properties(topology, { RetainOnDelete: 'true' })));
  expect(await brokerGet(`/api/vhosts/${encodeURIComponent(topology.vhost)}`)).toBeDefined();

  const response = await handler(event('Delete', properties(topology)));
  expect(response.PhysicalResourceId).toBe(`rabbitmq-topology:${topology.vhost}`);
  expect(await brokerGet(`/api/vhosts/${encodeURIComponent(topology.vhost)}`)).toBeUndefined();
  expect(await brokerGet(`/api/users/${topology.producerUser}`)).toBeUndefined();
});

test('a user secret whose username does not match the user is refused', async () => {
  secrets[arnOf(topology.producerUser)] = { username: 'someone-else', password: 'x'.repeat(20) };
  await expect(handler(event('Create', properties(topology)))).rejects.toThrow(
    new RegExp(
      `secret ${arnOf(topology.producerUser)}: username is "someone-else", expected "${topology.producerUser}"`,
    ),
  );
});

test('malformed properties are refused with the property name', async () => {
  await expect(handler(event('Create', properties(topology, { Topology: '{not json' })))).rejects.toThrow(
    /Custom::RabbitMqTopology property Topology is not valid JSON/,
  );
  await expect(handler(event('Create', properties(topology, { ManagementEndpoint: '' })))).rejects.toThrow(
    /Custom::RabbitMqTopology property ManagementEndpoint: got ""; expected a non-empty string/,
  );
  await expect(handler(event('Create', properties(topology, { UserSecretArns: {} })))).rejects.toThrow(
    /Custom::RabbitMqTopology property UserSecretArns lacks a secret for user\(s\) producer-\w+, event-source-\w+/,
  );
  await expect(handler(event('Create', properties({ ...topology, producerUser: 'nobody' })))).rejects.toThrow(
    /topology.producerUser: got "nobody"; must name a declared user/,
  );
});

describe('readBrokerSecret', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => sm.reset());

  test('parses { username, password }', async () => {
    sm.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: 'admin', password: 'p'.repeat(16) }),
    });
    await expect(readBrokerSecret('arn:s')).resolves.toEqual({ username: 'admin', password: 'p'.repeat(16) });
  });

  test('a secret of the wrong shape is refused without echoing its value', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: 'hunter2-not-json' });
    const attempt = readBrokerSecret('arn:s');
    await expect(attempt).rejects.toThrow(/secret arn:s: expected JSON \{ "username": string, "password": string \}/);
    await expect(attempt).rejects.not.toThrow(/hunter2/);
  });
});
