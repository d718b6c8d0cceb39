import { DescribeNetworkInterfacesCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createCleanupHandler, WAIT_PHASE } from '../../../lambda/mapping-cleanup/cleanup';
import { ec2NetworkInterfaceApi, lambdaMappingApi } from '../../../lambda/mapping-cleanup/index';

/**
 * The shared event source mapping cleanup against mocked Lambda and EC2 SDK clients: Delete deletes the mapping and
 * the waiter completes only once the mapping and its pollers' network interfaces are gone.
 */

const lambda = mockClient(LambdaClient);
const ec2 = mockClient(EC2Client);
const ESM = '6f2b3c4d-aaaa-bbbb-cccc-1234567890ab';
const PREFIX = `AWS Lambda VPC ENI-armq-123456789012-${ESM}`;
const logged: string[] = [];

const handler = createCleanupHandler({
  lambda: lambdaMappingApi(new LambdaClient({ region: 'eu-west-1' })),
  ec2: ec2NetworkInterfaceApi(new EC2Client({ region: 'eu-west-1' })),
  log: (message) => logged.push(message),
});

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  extra: Record<string, unknown> = {},
): CloudFormationCustomResourceEvent & { Data?: { Phase?: string } } {
  return {
    RequestType: requestType,
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'https://example.invalid',
    StackId: 'stack',
    RequestId: 'request',
    LogicalResourceId: 'Shard0',
    ResourceType: 'Custom::EventSourceMappingCleanup',
    ResourceProperties: { ServiceToken: 'token', EsmId: ESM, AccountId: '123456789012' },
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: `esm-cleanup-${ESM}` }),
    ...(requestType === 'Update' ? { OldResourceProperties: {} } : {}),
    ...extra,
  } as unknown as CloudFormationCustomResourceEvent & { Data?: { Phase?: string } };
}

const notFound = () =>
  new ResourceNotFoundException({ message: 'The resource you requested does not exist.', $metadata: {} });

beforeEach(() => {
  lambda.reset();
  ec2.reset();
  logged.length = 0;
});

test('Create and Update only record the mapping (one physical id per mapping) and touch nothing', async () => {
  expect(await handler(event('Create'))).toEqual({
    PhysicalResourceId: `esm-cleanup-${ESM}`,
    Data: { Phase: WAIT_PHASE },
  });
  expect(await handler(event('Update'))).toEqual({
    PhysicalResourceId: `esm-cleanup-${ESM}`,
    Data: { Phase: WAIT_PHASE },
  });
  // The waiter's call after a Create or Update completes at once.
  expect(await handler(event('Create', { Data: { Phase: WAIT_PHASE } }))).toEqual({ IsComplete: true });
  expect(lambda.calls()).toHaveLength(0);
  expect(ec2.calls()).toHaveLength(0);
});

test('Delete deletes the mapping by its UUID and starts the wait, keeping the physical id', async () => {
  lambda.on(DeleteEventSourceMappingCommand).resolves({ State: 'Deleting' });
  expect(await handler(event('Delete'))).toEqual({
    PhysicalResourceId: `esm-cleanup-${ESM}`,
    Data: { Phase: WAIT_PHASE },
  });
  expect(lambda.commandCalls(DeleteEventSourceMappingCommand)[0].args[0].input).toEqual({ UUID: ESM });
  expect(logged).toEqual(['Deleting event source mapping']);
});

test('Delete of a mapping someone already deleted succeeds (no failed stack deletion)', async () => {
  lambda.on(DeleteEventSourceMappingCommand).rejects(notFound());
  expect(await handler(event('Delete'))).toMatchObject({ Data: { Phase: WAIT_PHASE } });
  expect(logged).toEqual(['Event source mapping already gone']);
});

test('Delete fails loudly on any other Lambda error (CloudFormation retries or reports it)', async () => {
  lambda.on(DeleteEventSourceMappingCommand).rejects(new Error('AccessDeniedException: not allowed'));
  await expect(handler(event('Delete'))).rejects.toThrow(/AccessDeniedException: not allowed/);
});

test('the wait is not complete while the mapping still exists', async () => {
  lambda.on(GetEventSourceMappingCommand).resolves({ UUID: ESM, State: 'Deleting' });
  expect(await handler(event('Delete', { Data: { Phase: WAIT_PHASE } }))).toEqual({ IsComplete: false });
  expect(ec2.calls()).toHaveLength(0);
});

test("the wait is not complete while the pollers' network interfaces remain, across every page", async () => {
  lambda.on(GetEventSourceMappingCommand).rejects(notFound());
  ec2
    .on(DescribeNetworkInterfacesCommand)
    .resolvesOnce({ NetworkInterfaces: [], NextToken: 'page-2' })
    .resolvesOnce({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1' }] });
  expect(await handler(event('Delete', { Data: { Phase: WAIT_PHASE } }))).toEqual({ IsComplete: false });
  const calls = ec2.commandCalls(DescribeNetworkInterfacesCommand).map((c) => c.args[0].input);
  expect(calls[0]).toEqual({ Filters: [{ Name: 'description', Values: [`${PREFIX}*`] }], NextToken: undefined });
  expect(calls[1]).toMatchObject({ NextToken: 'page-2' });
});

test('the wait completes once the mapping and its network interfaces are gone', async () => {
  lambda.on(GetEventSourceMappingCommand).rejects(notFound());
  ec2.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
  expect(await handler(event('Delete', { Data: { Phase: WAIT_PHASE } }))).toEqual({ IsComplete: true });
  expect(logged).toEqual(['Network interfaces gone']);
});

test('refuses a resource without its mapping id, naming the property and the value', async () => {
  await expect(handler(event('Delete', { ResourceProperties: { AccountId: '123456789012' } }))).rejects.toThrow(
    /ResourceProperties\.EsmId: got undefined; expected a non-empty string/,
  );
});
