import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { queueArguments, type TopologyDefinition } from '../../lib/config/topology';
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

/** Management API write as guest, the way an operator (or an older release of this stack) would make it. */
async function operator(method: 'PUT' | 'POST', path: string, body: unknown): Promise<void> {
  const response = await fetch(`${LOCAL_BROKER.managementUrl}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${LOCAL_BROKER.username}:${LOCAL_BROKER.password}`).toString('base64')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
}

const vhostPath = () => encodeURIComponent(topology.vhost);
/** A queue today's rules refuse (quorum with reject-publish-dlx) that an older release could have deployed. */
const legacyQueue = { name: 'legacy', type: 'quorum' as const, overflow: 'reject-publish-dlx' as const };

describe('only what is being applied is validated', () => {
  test("Update whose old properties break today's rules applies the new ones", async () => {
    await handler(event('Create', properties(topology)));
    const old = properties({ ...topology, queues: [...topology.queues, legacyQueue] });
    await expect(handler(event('Update', properties(topology, { Revision: '2' }), old))).resolves.toMatchObject({
      PhysicalResourceId: `rabbitmq-topology:${topology.vhost}`,
    });
  });

  test("Delete whose properties break today's rules still removes the topology", async () => {
    await handler(event('Create', properties(topology)));
    const old = properties({ ...topology, queues: [...topology.queues, legacyQueue], producerUser: 'gone' });
    await handler(event('Delete', old));
    expect(await brokerGet(`/api/vhosts/${vhostPath()}`)).toBeUndefined();
  });

  test('Create and Update still refuse new properties that break the rules', async () => {
    const invalid = properties({ ...topology, queues: [...topology.queues, legacyQueue] });
    await expect(handler(event('Create', invalid))).rejects.toThrow(
      /topology\.queues\[2\]\.overflow: got "reject-publish-dlx"/,
    );
    await handler(event('Create', properties(topology)));
    await expect(handler(event('Update', invalid, properties(topology)))).rejects.toThrow(
      /topology\.queues\[2\]\.overflow: got "reject-publish-dlx"/,
    );
  });
});

describe('Delete removes only what the stack created', () => {
  test('a queue that existed before the Create (adopted) stays, with its vhost', async () => {
    const source = topology.queues.find((q) => q.name === topology.sourceQueue)!;
    await operator('PUT', `/api/vhosts/${vhostPath()}`, {});
    await operator('PUT', `/api/queues/${vhostPath()}/${encodeURIComponent(source.name)}`, {
      durable: true,
      auto_delete: false,
      arguments: queueArguments(source),
    });
    await handler(event('Create', properties(topology)));
    await handler(event('Delete', properties(topology)));

    expect(await brokerGet(`/api/queues/${vhostPath()}/${encodeURIComponent(source.name)}`)).toBeDefined();
    expect(
      await brokerGet(`/api/queues/${vhostPath()}/${encodeURIComponent(topology.deadLetterQueue)}`),
    ).toBeUndefined();
    expect(await brokerGet(`/api/vhosts/${vhostPath()}`)).toBeDefined();
    const report = (logged.at(-1)?.extra as { report: { retained: string[] } }).report;
    expect(report.retained).toEqual(
      expect.arrayContaining([
        `queue ${source.name} (adopted: it existed before the topology was applied)`,
        `vhost ${topology.vhost} (adopted: it existed before the topology was applied)`,
      ]),
    );
  });

  test('a binding an operator added to our exchange stays, with the exchange and its queue', async () => {
    await handler(event('Create', properties(topology)));
    await operator('PUT', `/api/queues/${vhostPath()}/operator-audit`, { durable: true, arguments: {} });
    await operator('POST', `/api/bindings/${vhostPath()}/e/${topology.producerExchange}/q/operator-audit`, {
      routing_key: 'audit',
      arguments: {},
    });
    await handler(event('Delete', properties(topology)));

    const bindings = await brokerGet<{ destination: string; routing_key: string }[]>(
      `/api/exchanges/${vhostPath()}/${topology.producerExchange}/bindings/source`,
    );
    expect(bindings).toEqual([expect.objectContaining({ destination: 'operator-audit', routing_key: 'audit' })]);
    expect(await brokerGet(`/api/queues/${vhostPath()}/${encodeURIComponent(topology.sourceQueue)}`)).toBeUndefined();
    expect(await brokerGet(`/api/users/${topology.producerUser}`)).toBeUndefined();
    const report = (logged.at(-1)?.extra as { report: { retained: string[] } }).report;
    expect(report.retained).toContain(
      `exchange ${topology.producerExchange} (holds bindings the topology did not create: -> operator-audit [audit])`,
    );
  });
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
