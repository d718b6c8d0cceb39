import { SendMessageBatchCommand, type SendMessageBatchCommandOutput, type SQSClient } from '@aws-sdk/client-sqs';
import { expectFaultCounts } from './support/fault-flow';
import { useFaultScenario } from './support/fault-scenario';

/**
 * FIFO order under faults on both SQS hops. The stage runs with FIFO queues grouped by `payload.group`, and the run
 * publishes several groups interleaved, as independent streams would arrive. Meanwhile SQS fails bridge entries
 * mid-group (first a stretch where the first entry of every call fails, long enough that whole bridge invocations
 * fail and RabbitMQ redelivers their batches; then a single failure here and there that a retry absorbs), and the
 * consumer's processing throws on the first delivery of some messages mid-group. Every message must arrive once in
 * effect, and within each group in publish order: lost 0, outOfOrder 0.
 */

const GROUPS = 6;
const ROUNDS = 8;
/** Messages per producer invocation: one group's run of consecutive messages. */
const PER_INVOCATION = 25;
const MESSAGES = GROUPS * ROUNDS * PER_INVOCATION;
/** SendMessageBatch calls to the source queue whose first entry fails (long enough to fail whole invocations). */
const FAILING_CALLS = 40;
/** After those, every 7th entry offered fails once. */
const FAIL_EVERY_ENTRY = 7;
/** The consumer throws on the first delivery of every 20th message it sees. */
const THROW_EVERY = 20;

/** First-delivery failures of the processing function (shared with the module mock). */
const mockThrown = new Set<string>();
let mockFirstDeliveries = 0;

jest.mock('../../lambda/consumer/process-message', () => {
  const actual = jest.requireActual<typeof import('../../lambda/consumer/process-message')>(
    '../../lambda/consumer/process-message',
  );
  const throwingSample: typeof actual.sampleProcessMessage = async (message, context) => {
    if (context.attempt === 1 && !mockThrown.has(message.id) && ++mockFirstDeliveries % THROW_EVERY === 0) {
      mockThrown.add(message.id);
      throw new Error(`downstream refused message ${message.id} once (fault test)`);
    }
    return actual.sampleProcessMessage(message, context);
  };
  return { ...actual, sampleProcessMessage: throwingSample };
});

interface EntryFaults {
  calls: number;
  failed: number;
}

/**
 * Wraps the pipeline's SQS client so that SendMessageBatch calls to `queueUrl` fail entries as described above
 * (`SenderFault: false`, as SQS answers an internal error), passing the rest to the emulator.
 */
function failEntriesMidGroup(client: SQSClient, queueUrl: string): EntryFaults {
  const stats: EntryFaults = { calls: 0, failed: 0 };
  let offered = 0;
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const intercepted = async (command: unknown): Promise<unknown> => {
    if (!(command instanceof SendMessageBatchCommand) || command.input.QueueUrl !== queueUrl) return send(command);
    stats.calls += 1;
    const entries = command.input.Entries ?? [];
    const refused = entries.filter((_, i) =>
      stats.calls <= FAILING_CALLS ? i === 0 : (offered + i + 1) % FAIL_EVERY_ENTRY === 0,
    );
    offered += entries.length;
    const passed = entries.filter((e) => !refused.includes(e));
    const out =
      passed.length > 0
        ? ((await send(
            new SendMessageBatchCommand({ ...command.input, Entries: passed }),
          )) as SendMessageBatchCommandOutput)
        : { Successful: [], Failed: [], $metadata: {} };
    stats.failed += refused.length;
    return {
      ...out,
      Failed: [
        ...(out.Failed ?? []),
        ...refused.map((e) => ({ Id: e.Id, SenderFault: false, Code: 'InternalError', Message: 'injected' })),
      ],
    };
  };
  (client as unknown as { send: typeof intercepted }).send = intercepted;
  return stats;
}

const scenario = useFaultScenario('fifo-order');

test('FIFO: SQS failing entries mid-group and the consumer throwing mid-group lose nothing and keep each group in order', async () => {
  const run = await scenario.startRun({
    stageConfig: { queues: { fifo: true, messageGroupIdField: 'payload.group' } },
  });
  const { pipeline } = run;
  expect(pipeline.settings.sourceQueue.fifo).toBe(true);
  const faults = failEntriesMidGroup(pipeline.sqs.client, pipeline.queues.source.url);
  for (let round = 0; round < ROUNDS; round++) {
    for (let g = 0; g < GROUPS; g++) await run.publish(PER_INVOCATION, { payload: { group: `g${g}` } });
  }

  const outcome = await run.finish('FIFO order under SQS and consumer faults', 150_000, (o) => ({
    outOfOrder: o.report.outOfOrder ?? -1,
    messageGroups: o.report.messageGroups ?? -1,
    failedEntries: faults.failed,
    failedBridgeInvocations: pipeline.rabbitMqSource.statistics.failedInvocations,
    consumerThrows: mockThrown.size,
  }));

  expectFaultCounts(outcome, {
    sent: MESSAGES,
    confirmed: MESSAGES,
    delivered: MESSAGES,
    effects: MESSAGES,
    deadLettered: 0,
    lost: 0,
  });
  expect(outcome.report).toMatchObject({ outOfOrder: 0, messageGroups: GROUPS, problems: [], passed: true });
  // The faults really happened on both hops: entries failed, whole bridge invocations failed and were redelivered,
  // and the consumer threw mid-group (those messages took effect on a later delivery, still in order).
  expect(faults.failed).toBeGreaterThan(FAILING_CALLS);
  expect(pipeline.rabbitMqSource.statistics.failedInvocations).toBeGreaterThanOrEqual(1);
  expect(mockThrown.size).toBeGreaterThan(0);
  const retried = outcome.receipts.filter((r) => mockThrown.has(r.id) && r.effect);
  expect(retried).toHaveLength(mockThrown.size);
  expect(retried.every((r) => (r.attempt ?? 0) >= 2)).toBe(true);
}, 240_000);
