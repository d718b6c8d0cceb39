import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeBrokerCommand, MqClient } from '@aws-sdk/client-mq';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import type { KafkaOffsetRun } from '../../lambda/kafka-producer/handler';
import { KAFKA_OUTPUTS } from '../../lib/stacks/kafka-outputs';
import { main } from '../../verify/cli';
import { runDeployedVerification } from '../../verify/deployed-run';
import { capturedIo, fakeClients, fastClock, FakeQueues } from './support/fake-aws';

/**
 * `npm run verify -- --source kafka` against a mocked AWS: the Kafka producer function is invoked with the RabbitMQ
 * producer's event, its messages are accounted for across the shared receipts queue and SQS DLQ, and a batch the
 * MSK event source gave up on (the on-failure destination names it by topic, partition and offset range only) is
 * reported as dead-lettered there, by id, not as lost.
 */

const cfn = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);
const mq = mockClient(MqClient);
const sqs = mockClient(SQSClient);
const fake = new FakeQueues();

const RECEIPTS = 'https://sqs.eu-west-1.amazonaws.com/111111111111/receipts';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/111111111111/dlq';
const ON_FAILURE = 'https://sqs.eu-west-1.amazonaws.com/111111111111/kafka-on-failure';
const RUN = 'run-k';
const TOPIC = 'events';
const PARTITIONS = 3;

const RABBITMQ_OUTPUTS = [
  { OutputKey: 'ProducerFunctionName', OutputValue: 'rabbitmq-producer-fn' },
  { OutputKey: 'ReceiptsQueueUrl', OutputValue: RECEIPTS },
  { OutputKey: 'DeadLetterQueueUrl', OutputValue: DLQ },
  { OutputKey: 'QueueUrl', OutputValue: 'https://sqs.eu-west-1.amazonaws.com/111111111111/queue' },
  { OutputKey: 'BrokerId', OutputValue: 'b-123' },
];
const KAFKA_STACK_OUTPUTS = [
  ...RABBITMQ_OUTPUTS,
  { OutputKey: KAFKA_OUTPUTS.producerFunctionName, OutputValue: 'kafka-producer-fn' },
  { OutputKey: KAFKA_OUTPUTS.onFailureQueueUrl, OutputValue: ON_FAILURE },
  { OutputKey: KAFKA_OUTPUTS.topic, OutputValue: TOPIC },
  {
    OutputKey: KAFKA_OUTPUTS.clusterArn,
    OutputValue: 'arn:aws:kafka:eu-west-1:111111111111:cluster/mq-cloud-integration-dev/abc-1',
  },
];

function stackWith(outputs: { OutputKey: string; OutputValue: string }[]): void {
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: 'S', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs }],
  });
}

/** An MSK on-failure record as Lambda sends it to an SQS destination: metadata, no record content. */
function onFailureRecord(partition: number, firstOffset: bigint, lastOffset: bigint) {
  return {
    requestContext: { requestId: 'r', functionArn: 'arn:bridge', condition: 'RetryAttemptsExhausted' },
    responseContext: { statusCode: 200, functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date().toISOString(),
    KafkaBatchInfo: {
      batchSize: Number(lastOffset - firstOffset + 1n),
      eventSourceArn: 'arn:aws:kafka:eu-west-1:111111111111:cluster/mq-cloud-integration-dev/abc-1',
      bootstrapServers: 'b-1:9098',
      topic: TOPIC,
      partition,
      firstOffset: String(firstOffset),
      lastOffset: String(lastOffset),
    },
  };
}

/**
 * The deployed Kafka flow: the producer puts message i on partition i % 3 at the next offset (offsets start high, as
 * on a topic in use) and answers the positions; the consumer writes receipts for the valid messages and the SQS DLQ
 * gets the poison ones. `giveUp` valid messages of partition 1 never reach SQS: the event source hands their batch
 * to the on-failure destination, which names it by offset range.
 */
function kafkaFlow(options: { giveUp?: number; withPositions?: boolean } = {}) {
  const next = [5_000_000_000n, 42n, 7n];
  lambda.on(InvokeCommand).callsFake((input: { FunctionName: string; Payload: Uint8Array }) => {
    const event = JSON.parse(Buffer.from(input.Payload).toString()) as { count: number; poison: number; runId: string };
    const ids = Array.from({ length: event.count }, (_, i) => `${event.runId}-g${i}`);
    const poisonIds = Array.from({ length: event.poison }, (_, i) => `${event.runId}-p${i}`);
    const placed = [...ids, ...poisonIds].map((id, i) => {
      const partition = i % PARTITIONS;
      const offset = next[partition];
      next[partition] += 1n;
      return { id, partition, offset };
    });
    const positions: KafkaOffsetRun[] = [0, 1, 2].map((partition) => {
      const mine = placed.filter((p) => p.partition === partition);
      return { topic: TOPIC, partition, firstOffset: String(mine[0].offset), ids: mine.map((p) => p.id) };
    });
    const givenUp = placed.filter((p) => p.partition === 1 && !poisonIds.includes(p.id)).slice(0, options.giveUp ?? 0);
    if (givenUp.length > 0) fake.enqueue(ON_FAILURE, onFailureRecord(1, givenUp[0].offset, givenUp.at(-1)!.offset));
    for (const id of ids.filter((g) => !givenUp.some((p) => p.id === g))) {
      fake.enqueue(RECEIPTS, {
        id,
        runId: event.runId,
        receivedAt: new Date().toISOString(),
        attempt: 1,
        effect: true,
      });
    }
    poisonIds.forEach((id) => fake.enqueue(DLQ, { id, runId: event.runId, type: 'poison' }));
    const answer = {
      runId: event.runId,
      ids,
      poisonIds,
      published: placed.length,
      confirmed: placed.length,
      failed: [],
      durationMs: 5,
      topic: TOPIC,
      ...(options.withPositions === false ? {} : { positions }),
    };
    return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(answer)) };
  });
}

beforeEach(() => {
  for (const m of [cfn, lambda, mq, sqs]) m.reset();
  fake.clear();
  stackWith(KAFKA_STACK_OUTPUTS);
  sqs
    .on(GetQueueAttributesCommand)
    .resolves({ Attributes: { VisibilityTimeout: '190', RedrivePolicy: '{"maxReceiveCount":3}' } });
  fake.install(sqs);
});

const run = (messages: number, poison: number, extra: { timeoutSec?: number } = {}) =>
  runDeployedVerification(fakeClients(), {
    stackName: 'S',
    source: 'kafka',
    messages,
    poison,
    newRunId: () => RUN,
    ...extra,
    ...fastClock(),
  });

describe('runDeployedVerification with source kafka', () => {
  test('invokes the Kafka producer with the same event, and accounts from the receipts queue and the SQS DLQ', async () => {
    kafkaFlow();
    const result = await run(30, 3);
    expect(result.report).toMatchObject({
      sent: 33,
      confirmed: 33,
      delivered: 30,
      deadLettered: 3,
      lost: 0,
      deadLetteredByQueue: { sqs: 3, rabbitmq: 0 },
      passed: true,
    });
    const invokes = lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);
    expect(invokes.map((i) => i.FunctionName)).toEqual(['kafka-producer-fn']);
    expect(JSON.parse(Buffer.from(invokes[0].Payload as Uint8Array).toString())).toEqual({
      count: 30,
      poison: 3,
      runId: RUN,
    });
    // The RabbitMQ broker plays no part in a Kafka run.
    expect(mq.commandCalls(DescribeBrokerCommand)).toHaveLength(0);
    expect(result.broker).toBeUndefined();
    expect(result.context.facts).toMatchObject({
      source: 'kafka',
      kafkaCluster: 'mq-cloud-integration-dev',
      topic: TOPIC,
      onFailureBatches: 0,
      drainBudgetSec: 4 * 190 + 60,
    });
  });

  test('a batch the event source gave up on is dead-lettered in the on-failure destination by id, not lost', async () => {
    kafkaFlow({ giveUp: 4 });
    // Another flow's failed batch (offsets this run never used) is left in the destination for its owner.
    fake.enqueue(ON_FAILURE, onFailureRecord(2, 1n, 3n));
    fake.enqueue(ON_FAILURE, { not: 'an on-failure record' });
    const result = await run(30, 3);
    expect(result.report).toMatchObject({
      delivered: 26,
      deadLettered: 7,
      lost: 0,
      deadLetteredByQueue: { sqs: 3, rabbitmq: 0, 'kafka-on-failure': 4 },
      passed: false,
    });
    expect(result.report.problems).toEqual([
      expect.stringMatching(/^4 valid messages were dead-lettered: run-k-g1, run-k-g4, run-k-g7, run-k-g10/),
    ]);
    expect(result.context.facts).toMatchObject({ onFailureBatches: 1, onFailureRanges: `${TOPIC}/1@42-45` });
    expect(fake.remaining(ON_FAILURE).map((m) => JSON.parse(m.Body!).KafkaBatchInfo?.partition)).toEqual([
      2,
      undefined,
    ]);
  });

  test('without positions in the answer a given-up record cannot be placed: lost, and the facts say why', async () => {
    kafkaFlow({ giveUp: 2, withPositions: false });
    const result = await run(9, 0, { timeoutSec: 30 });
    expect(result.report).toMatchObject({ delivered: 7, lost: 2, passed: false });
    expect(result.context.facts).toMatchObject({ messagesWithoutPosition: 9, onFailureBatches: 0 });
  });

  test('a stack without Kafka is refused before anything is invoked: stack name, not enabled, how to enable', async () => {
    stackWith(RABBITMQ_OUTPUTS);
    kafkaFlow();
    await expect(run(1, 0)).rejects.toThrow(
      /Stack S has no Kafka outputs \(KafkaProducerFunctionName, KafkaOnFailureQueueUrl\): Kafka is not enabled in it\. Deploy it with -c config='\{"kafka":\{"enabled":true\}\}'/,
    );
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  test('a Kafka stack missing one output verify needs names it with the outputs present', async () => {
    stackWith(KAFKA_STACK_OUTPUTS.filter((o) => o.OutputKey !== KAFKA_OUTPUTS.onFailureQueueUrl));
    await expect(run(1, 0)).rejects.toThrow(
      /Stack S has no output KafkaOnFailureQueueUrl \(outputs present: BrokerId, .*KafkaProducerFunctionName.*\)/,
    );
  });
});

describe('verify CLI --source', () => {
  test('--source kafka runs the Kafka path, prints the report and writes the JSON', async () => {
    kafkaFlow();
    const { out, err, streams } = capturedIo();
    const file = join(tmpdir(), `verify-kafka-report-${process.pid}.json`);
    expect(
      await main(['--stack', 'S', '--source', 'kafka', '--messages', '20', '--json', file], streams, fakeClients),
    ).toBe(0);
    expect(err.join('')).toMatch(/Verifying stack S, source kafka: 20 messages/);
    expect(out.join('')).toMatch(/PASS/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      sent: 20,
      lost: 0,
      context: { source: 'kafka', topic: TOPIC },
    });
  });

  test('--source kafka on a stack without Kafka exits 2 with how to enable it', async () => {
    stackWith(RABBITMQ_OUTPUTS);
    const { err, streams } = capturedIo();
    expect(await main(['--stack', 'S', '--source', 'kafka'], streams, fakeClients)).toBe(2);
    expect(err.join('')).toMatch(/Stack S has no Kafka outputs .*Kafka is not enabled in it/);
    expect(err.join('')).toMatch(/-c config='\{"kafka":\{"enabled":true\}\}'/);
  });

  test('an unknown source exits 2 naming the option, the value and the sources allowed', async () => {
    const { err, streams } = capturedIo();
    expect(await main(['--stack', 'S', '--source', 'pulsar'], streams, fakeClients)).toBe(2);
    expect(err.join('')).toMatch(/--source is "pulsar"; expected rabbitmq or kafka/);
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
  });

  test('without --source it verifies RabbitMQ, as before', async () => {
    kafkaFlow();
    mq.on(DescribeBrokerCommand).resolves({ BrokerName: 'broker-dev', BrokerState: 'RUNNING' });
    const { streams } = capturedIo();
    await main(['--stack', 'S', '--messages', '3', '--poison', '0'], streams, fakeClients);
    expect(lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input.FunctionName)).toEqual([
      'rabbitmq-producer-fn',
    ]);
  });
});
