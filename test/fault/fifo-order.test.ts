import { expectFaultCounts } from './support/fault-flow';
import { useFaultScenario } from './support/fault-scenario';
import { failBridgeEntries } from './support/sqs-entry-faults';

/**
 * FIFO order under faults on both SQS hops. The stage runs with FIFO queues grouped by `payload.group`, and the run
 * publishes several groups interleaved, as independent streams would arrive. Meanwhile SQS fails bridge entries
 * mid-group (first a stretch where the first entry of every call fails, long enough that whole bridge invocations
 * fail and RabbitMQ redelivers their batches; then a single failure here and there that a retry absorbs), and the
 * consumer's processing throws on the first delivery of some messages mid-group. Every message must arrive once in
 * effect, and within each group in publish order: lost 0, outOfOrder 0.
 */

const GROUPS = 4;
const ROUNDS = 4;
/** Messages per producer invocation: one group's run of consecutive messages. */
const PER_INVOCATION = 15;
const MESSAGES = GROUPS * ROUNDS * PER_INVOCATION;
/** SendMessageBatch calls to the source queue whose first entry fails (long enough to fail whole invocations). */
const FAILING_CALLS = 12;
/** After those, every 7th entry offered fails once. */
const FAIL_EVERY_ENTRY = 7;
/** The consumer throws on the first delivery of every 20th message it sees. */
const THROW_EVERY = 12;

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

const scenario = useFaultScenario('fifo-order');

test('FIFO: SQS failing entries mid-group and the consumer throwing mid-group lose nothing and keep each group in order', async () => {
  const run = await scenario.startRun({
    stageConfig: { queues: { fifo: true, messageGroupIdField: 'payload.group' } },
  });
  const { pipeline } = run;
  expect(pipeline.settings.sourceQueue.fifo).toBe(true);
  // The first FAILING_CALLS calls lose their first entry; after those, every FAIL_EVERY_ENTRY-th entry offered.
  let offered = 0;
  const faults = failBridgeEntries(pipeline.sqs.client, pipeline.queues.source.url, (_entry, i, call) =>
    call <= FAILING_CALLS ? i === 0 : ++offered % FAIL_EVERY_ENTRY === 0,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (let g = 0; g < GROUPS; g++) await run.publish(PER_INVOCATION, { payload: { group: `g${g}` } });
  }

  const outcome = await run.finish('FIFO order under SQS and consumer faults', 400_000, (o) => ({
    outOfOrder: o.report.outOfOrder ?? -1,
    messageGroups: o.report.messageGroups ?? -1,
    failedEntries: faults.rejected,
    failedBridgeInvocations: pipeline.rabbitMqSources.reduce((n, s) => n + s.statistics.failedInvocations, 0),
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
  expect(faults.rejected).toBeGreaterThan(FAILING_CALLS);
  expect(pipeline.rabbitMqSources.reduce((n, s) => n + s.statistics.failedInvocations, 0)).toBeGreaterThanOrEqual(1);
  expect(mockThrown.size).toBeGreaterThan(0);
  const retried = outcome.receipts.filter((r) => mockThrown.has(r.id) && r.effect);
  expect(retried).toHaveLength(mockThrown.size);
  expect(retried.every((r) => (r.attempt ?? 0) >= 2)).toBe(true);
}, 600_000);
