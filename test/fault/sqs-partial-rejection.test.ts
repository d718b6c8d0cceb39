import { expectFaultCounts } from './support/fault-flow';
import { useFaultScenario } from './support/fault-scenario';
import { failBridgeEntries } from './support/sqs-entry-faults';

/**
 * SQS refuses part of the bridge's SendMessageBatch calls for a while (as it does under an internal error:
 * `SenderFault: false`). The bridge retries those entries, gives up, throws, and the RabbitMQ event source requeues
 * the whole batch — including the entries SQS had accepted, which therefore reach SQS twice. Nothing may be lost,
 * and the consumer's idempotency must turn the duplicates into exactly one effect per message.
 */

const MESSAGES = 2_000;
/** SendMessageBatch calls to the source queue that lose every fourth entry: two whole failed bridge invocations. */
const FAILING_CALLS = 60;

const scenario = useFaultScenario('sqs-reject');

test('SQS refusing part of bridge batches: batches redelivered, nothing lost, duplicates absorbed', async () => {
  const run = await scenario.startRun();
  const { pipeline } = run;
  // The first FAILING_CALLS calls lose entries 0, 4, 8 … — the first entry always, so a retry of the leftovers
  // fails too.
  const rejection = failBridgeEntries(
    pipeline.sqs.client,
    pipeline.queues.source.url,
    (_entry, i, call) => call <= FAILING_CALLS && i % 4 === 0,
  );
  await run.publish(MESSAGES);

  const outcome = await run.finish('SQS rejects part of bridge batches', 120_000, () => ({
    rejectedEntries: rejection.rejected,
    entriesAcceptedBySqs: rejection.accepted,
    failedBridgeInvocations: pipeline.rabbitMqSources[0].statistics.failedInvocations,
  }));
  const { report, receipts } = outcome;
  const bridgeFailures = pipeline.rabbitMqSources[0].statistics.failedInvocations;

  expectFaultCounts(outcome, {
    sent: MESSAGES,
    confirmed: MESSAGES,
    delivered: MESSAGES,
    effects: MESSAGES,
    deadLettered: 0,
    lost: 0,
  });
  // The fault really happened: entries were refused, whole batches failed and came back …
  expect(rejection.rejected).toBeGreaterThan(0);
  expect(bridgeFailures).toBeGreaterThanOrEqual(1);
  // … so SQS received some messages twice, the consumer saw them twice, and performed each effect once.
  expect(rejection.accepted).toBeGreaterThan(MESSAGES);
  expect(receipts.length).toBeGreaterThan(MESSAGES);
  expect(report.duplicates).toBe(receipts.length - MESSAGES);
  expect([...pipeline.effects.values()].every((n) => n === 1)).toBe(true);
}, 240_000);
