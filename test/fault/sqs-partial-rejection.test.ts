import {
  SendMessageBatchCommand,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchResultEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { expectFaultCounts } from './support/fault-flow';
import { useFaultScenario } from './support/fault-scenario';

/**
 * SQS refuses part of the bridge's SendMessageBatch calls for a while (as it does under an internal error:
 * `SenderFault: false`). The bridge retries those entries, gives up, throws, and the RabbitMQ event source requeues
 * the whole batch — including the entries SQS had accepted, which therefore reach SQS twice. Nothing may be lost,
 * and the consumer's idempotency must turn the duplicates into exactly one effect per message.
 */

const MESSAGES = 2_000;
/** SendMessageBatch calls to the source queue that lose every fourth entry: two whole failed bridge invocations. */
const FAILING_CALLS = 60;

interface RejectionStats {
  calls: number;
  rejected: number;
  accepted: number;
}

/**
 * Wraps the pipeline's SQS client (the one the bridge was built with) so that the first `failingCalls`
 * SendMessageBatch calls to `queueUrl` lose entries 0, 4, 8 … — the first entry always, so a retry of the
 * leftovers fails too. Other queues and commands (receipts, the consumer's receives and deletes) pass untouched.
 */
function rejectPartOfBridgeBatches(client: SQSClient, queueUrl: string, failingCalls: number): RejectionStats {
  const stats: RejectionStats = { calls: 0, rejected: 0, accepted: 0 };
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  const intercepted = async (command: unknown): Promise<unknown> => {
    if (!(command instanceof SendMessageBatchCommand) || command.input.QueueUrl !== queueUrl) return send(command);
    stats.calls += 1;
    const entries = command.input.Entries ?? [];
    if (stats.calls > failingCalls) {
      stats.accepted += entries.length;
      return send(command);
    }
    const refused = entries.filter((_, i) => i % 4 === 0);
    const passed = entries.filter((_, i) => i % 4 !== 0);
    const out =
      passed.length > 0
        ? ((await send(
            new SendMessageBatchCommand({ ...command.input, Entries: passed }),
          )) as SendMessageBatchCommandOutput)
        : { Successful: [] as SendMessageBatchResultEntry[], Failed: [], $metadata: {} };
    stats.rejected += refused.length;
    stats.accepted += out.Successful?.length ?? 0;
    return {
      ...out,
      Failed: [
        ...(out.Failed ?? []),
        ...refused.map((e) => ({
          Id: e.Id,
          SenderFault: false,
          Code: 'InternalError',
          Message: 'injected by the fault test',
        })),
      ],
    };
  };
  (client as unknown as { send: typeof intercepted }).send = intercepted;
  return stats;
}

const scenario = useFaultScenario('sqs-reject');

test('SQS refusing part of bridge batches: batches redelivered, nothing lost, duplicates absorbed', async () => {
  const run = await scenario.startRun();
  const { pipeline } = run;
  const rejection = rejectPartOfBridgeBatches(pipeline.sqs.client, pipeline.queues.source.url, FAILING_CALLS);
  await run.publish(MESSAGES);

  const outcome = await run.finish('SQS rejects part of bridge batches', 45_000, () => ({
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
}, 90_000);
