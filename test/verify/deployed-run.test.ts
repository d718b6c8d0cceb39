import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { DescribeBrokerCommand, MqClient } from '@aws-sdk/client-mq';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { main } from '../../verify/cli';
import { MESSAGES_PER_INVOCATION, runDeployedVerification } from '../../verify/deployed-run';
import { capturedIo, fakeClients, fastClock, FakeQueues } from './support/fake-aws';

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const mq = mockClient(MqClient);
const sqs = mockClient(SQSClient);

const RECEIPTS = 'https://sqs.eu-west-1.amazonaws.com/111111111111/receipts';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/111111111111/dlq';
const SOURCE = 'https://sqs.eu-west-1.amazonaws.com/111111111111/queue';
const RUN = 'run-1';

const OUTPUTS = [
  { OutputKey: 'ProducerFunctionName', OutputValue: 'producer-fn' },
  { OutputKey: 'ReceiptsQueueUrl', OutputValue: RECEIPTS },
  { OutputKey: 'DeadLetterQueueUrl', OutputValue: DLQ },
  { OutputKey: 'QueueUrl', OutputValue: SOURCE },
  { OutputKey: 'BrokerId', OutputValue: 'b-123' },
];

const fake = new FakeQueues();
const enqueue = (url: string, body: unknown) => fake.enqueue(url, body);
const remaining = (url: string) => fake.remaining(url);
const clients = fakeClients;

/**
 * A producer that confirms everything and a consumer that "processes" valid messages into receipts. `effectFlag`
 * writes receipts as the current consumer does (`effect`); `redeliverFirst` delivers the first message twice, the
 * second time absorbed (`effect: false`) or, when idempotency is broken, with a second effect.
 */
function deployedPipeline(
  options: { dropGood?: number; effectFlag?: boolean; redeliverFirst?: 'absorbed' | 'second-effect' } = {},
) {
  lambda.on(InvokeCommand).callsFake((input: { Payload: Uint8Array }) => {
    const event = JSON.parse(Buffer.from(input.Payload).toString()) as { count: number; poison: number; runId: string };
    const ids = Array.from({ length: event.count }, (_, i) => `${event.runId}-g${i}-${Math.random()}`);
    const poisonIds = Array.from({ length: event.poison }, (_, i) => `${event.runId}-p${i}`);
    const receipt = (id: string, attempt: number, effect: boolean) => ({
      id,
      runId: event.runId,
      receivedAt: new Date().toISOString(),
      attempt,
      ...(options.effectFlag ? { effect } : {}),
    });
    ids.slice(options.dropGood ?? 0).forEach((id) => enqueue(RECEIPTS, receipt(id, 1, true)));
    if (options.redeliverFirst) enqueue(RECEIPTS, receipt(ids[0], 2, options.redeliverFirst === 'second-effect'));
    poisonIds.forEach((id) => enqueue(DLQ, { id, runId: event.runId, type: 'poison' }));
    const payload = {
      runId: event.runId,
      ids,
      poisonIds,
      published: ids.length + poisonIds.length,
      confirmed: ids.length + poisonIds.length,
      failed: [],
    };
    return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(payload)) };
  });
}

beforeEach(() => {
  for (const m of [cfn, lambda, mq, sqs]) m.reset();
  fake.clear();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'S', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: OUTPUTS }],
  });
  mq.on(DescribeBrokerCommand).resolves({
    BrokerName: 'broker-dev',
    BrokerState: 'RUNNING',
    EngineVersion: '3.13',
    DeploymentMode: 'SINGLE_INSTANCE',
    HostInstanceType: 'mq.m7g.medium',
  });
  sqs
    .on(GetQueueAttributesCommand)
    .resolves({ Attributes: { VisibilityTimeout: '190', RedrivePolicy: '{"maxReceiveCount":3}' } });
  fake.install(sqs);
});

describe('runDeployedVerification', () => {
  test('accounts from receipts and the DLQ, reports the broker, and deletes only its own messages', async () => {
    deployedPipeline();
    enqueue(RECEIPTS, { id: 'someone-else', runId: 'other-run', receivedAt: Date.now(), attempt: 1 });
    const result = await runDeployedVerification(clients(), {
      stackName: 'S',
      messages: 30,
      poison: 2,
      newRunId: () => RUN,
      ...fastClock(),
    });
    expect(result.report).toMatchObject({
      sent: 32,
      confirmed: 32,
      delivered: 30,
      deadLettered: 2,
      lost: 0,
      effects: 30,
      passed: true,
    });
    expect(result.broker).toEqual({
      name: 'broker-dev',
      state: 'RUNNING',
      engineVersion: '3.13',
      deploymentMode: 'SINGLE_INSTANCE',
      instanceType: 'mq.m7g.medium',
    });
    expect(result.context.facts).toMatchObject({ engineVersion: '3.13', drainBudgetSec: 4 * 190 + 60 });
    expect(remaining(RECEIPTS).map((m) => JSON.parse(m.Body!).id)).toEqual(['someone-else']);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expect(
      JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array).toString()),
    ).toEqual({ count: 30, poison: 2, runId: RUN });
  });

  test("counts effects from the receipts' effect flag: an absorbed redelivery is a duplicate, not an effect", async () => {
    deployedPipeline({ effectFlag: true, redeliverFirst: 'absorbed' });
    const result = await runDeployedVerification(clients(), {
      stackName: 'S',
      messages: 30,
      poison: 2,
      newRunId: () => RUN,
      ...fastClock(),
    });
    expect(result.report).toMatchObject({ delivered: 30, duplicates: 1, effects: 30, passed: true });
    expect(result.context.facts.effectsCountedFrom).toBe('receipts (effect flag)');
  });

  test('a second effect for one message fails the run (idempotency broken in the deployed consumer)', async () => {
    deployedPipeline({ effectFlag: true, redeliverFirst: 'second-effect' });
    const result = await runDeployedVerification(clients(), {
      stackName: 'S',
      messages: 30,
      poison: 2,
      newRunId: () => RUN,
      ...fastClock(),
    });
    expect(result.report).toMatchObject({ delivered: 30, duplicates: 1, effects: 31, passed: false });
    expect(result.report.problems).toEqual([
      expect.stringMatching(
        /^effects 31 differ from the 30 unique valid messages delivered; more than one effect: run-1-g0-/,
      ),
    ]);
  });

  test('receipts without the flag: effects are the unique ids delivered, and the context says so', async () => {
    deployedPipeline({ redeliverFirst: 'absorbed' });
    const result = await runDeployedVerification(clients(), {
      stackName: 'S',
      messages: 30,
      poison: 2,
      newRunId: () => RUN,
      ...fastClock(),
    });
    expect(result.report).toMatchObject({ duplicates: 1, effects: 30, passed: true });
    expect(result.context.facts.effectsCountedFrom).toBe('unique receipts (receipts carry no effect flag)');
  });

  test(`splits large runs into producer invocations of ${MESSAGES_PER_INVOCATION}, poison in the last`, async () => {
    deployedPipeline();
    await runDeployedVerification(clients(), {
      stackName: 'S',
      messages: 25_000,
      poison: 5,
      newRunId: () => RUN,
      ...fastClock(),
    });
    const payloads = lambda
      .commandCalls(InvokeCommand)
      .map((c) => JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()));
    expect(payloads.map((p) => [p.count, p.poison])).toEqual([
      [10_000, 0],
      [10_000, 0],
      [5_000, 5],
    ]);
  });

  test('a message that never arrives is lost once the drain budget runs out', async () => {
    deployedPipeline({ dropGood: 1 });
    const result = await runDeployedVerification(clients(), {
      stackName: 'S',
      messages: 5,
      poison: 0,
      timeoutSec: 30,
      newRunId: () => RUN,
      ...fastClock(),
    });
    expect(result.report).toMatchObject({ delivered: 4, lost: 1, passed: false });
  });

  test('refuses a broker that is not RUNNING before publishing anything', async () => {
    mq.on(DescribeBrokerCommand).resolves({ BrokerName: 'broker-dev', BrokerState: 'REBOOT_IN_PROGRESS' });
    await expect(runDeployedVerification(clients(), { stackName: 'S', messages: 1, poison: 0 })).rejects.toThrow(
      /broker-dev is REBOOT_IN_PROGRESS; verify needs it RUNNING/,
    );
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('a producer function error is reported with its type and message', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: Buffer.from(
        JSON.stringify({ errorType: 'BrokerConnectionError', errorMessage: 'no route' }),
      ) as unknown as InvokeCommandOutput['Payload'],
    });
    await expect(runDeployedVerification(clients(), { stackName: 'S', messages: 1, poison: 0 })).rejects.toThrow(
      /producer producer-fn failed \(Unhandled\): BrokerConnectionError: no route/,
    );
  });

  test('a missing output is named with the outputs that exist', async () => {
    cfn.on(DescribeStacksCommand).resolves({
      Stacks: [{ StackName: 'S', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: OUTPUTS.slice(1) }],
    });
    await expect(runDeployedVerification(clients(), { stackName: 'S', messages: 1, poison: 0 })).rejects.toThrow(
      /no output ProducerFunctionName \(outputs present: BrokerId, DeadLetterQueueUrl, QueueUrl, ReceiptsQueueUrl\)/,
    );
  });

  test('a stack that does not exist or is not deployed is named', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id S does not exist'), { name: 'ValidationError' }));
    await expect(runDeployedVerification(clients(), { stackName: 'S', messages: 1, poison: 0 })).rejects.toThrow(
      /Stack S does not exist in this account and region/,
    );
    cfn
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 'S', StackStatus: 'ROLLBACK_COMPLETE', CreationTime: new Date() }] });
    await expect(runDeployedVerification(clients(), { stackName: 'S', messages: 1, poison: 0 })).rejects.toThrow(
      /Stack S is ROLLBACK_COMPLETE/,
    );
  });
});

describe('verify CLI', () => {
  const io = capturedIo;

  test('without credentials it exits 2 with what to configure, no stack trace', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const { err, streams } = io();
    expect(await main(['--stack', 'S', '--region', 'eu-west-1'], streams, clients)).toBe(2);
    const text = err.join('');
    expect(text).toMatch(/No AWS credentials found.*AWS_PROFILE/);
    expect(text).not.toMatch(/\n\s+at /);
  });

  test('without a region it says how to pass one', async () => {
    cfn.on(DescribeStacksCommand).rejects(new Error('Region is missing'));
    const { err, streams } = io();
    expect(await main(['--stack', 'S'], streams, clients)).toBe(2);
    expect(err.join('')).toMatch(/pass --region REGION or set AWS_REGION/);
  });

  test.each([
    [[], /--stack is required/],
    [['--stack', 'S', '--messages', 'lots'], /--messages is "lots"; expected a whole number from 1 to 1000000/],
    [['--stack', 'S', '--messages', '10', '--poison', '11'], /--poison is "11"; expected a whole number from 0 to 10/],
    [['--stack', 'S', '--bogus'], /unknown option --bogus; valid options: --stack/],
  ])('usage error %j exits 2 naming the option', async (argv, message) => {
    const { err, streams } = io();
    expect(await main(argv, streams, clients)).toBe(2);
    expect(err.join('')).toMatch(message);
  });

  test('a passing run prints the report, writes JSON and exits 0; a failing one exits 1', async () => {
    deployedPipeline();
    const { out, streams } = io();
    const file = join(tmpdir(), `verify-report-${process.pid}.json`);
    expect(await main(['--stack', 'S', '--messages', '20', '--json', file], streams, clients)).toBe(0);
    expect(out.join('')).toMatch(/PASS/);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json).toMatchObject({
      sent: 20,
      delivered: 20,
      deadLettered: 0,
      lost: 0,
      context: { engineVersion: '3.13' },
    });

    lambda.reset();
    deployedPipeline({ dropGood: 1 });
    expect(
      await main(['--stack', 'S', '--messages', '3', '--poison', '0', '--timeout', '1'], io().streams, clients),
    ).toBe(1);
  });
});
