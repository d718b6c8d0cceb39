import { expectFaultCounts } from './support/fault-flow';
import { useFaultScenario } from './support/fault-scenario';

/**
 * The consumer's business logic throws for some valid messages, every time. With partial batch responses only
 * those records are retried — the rest of each batch is processed once — and after `maxReceiveCount` receives SQS
 * moves them to the DLQ. The pipeline is the local runtime's own; only the sample processing function is replaced
 * (module mock: the pipeline imports it by name) with one that fails every 25th message of the run.
 */

const MESSAGES = 500;
const FAIL_EVERY = 25;
const FAILING = Math.ceil(MESSAGES / FAIL_EVERY);

/** Calls of the processing function per message id, and the ids it failed (shared with the module mock). */
const mockCalls = new Map<string, number>();
const mockFailed = new Set<string>();

jest.mock('../../lambda/consumer/process-message', () => {
  const actual = jest.requireActual<typeof import('../../lambda/consumer/process-message')>(
    '../../lambda/consumer/process-message',
  );
  const failingSample: typeof actual.sampleProcessMessage = async (message, context) => {
    mockCalls.set(message.id, (mockCalls.get(message.id) ?? 0) + 1);
    const sequence = (message.payload as { sequence?: number }).sequence ?? 0;
    if (sequence % FAIL_EVERY === 0) {
      mockFailed.add(message.id);
      throw new Error(`downstream refused message ${message.id} (fault test)`);
    }
    return actual.sampleProcessMessage(message, context);
  };
  return { ...actual, sampleProcessMessage: failingSample };
});

const scenario = useFaultScenario('consumer-throws');

test('consumer throwing for some records: only those retried, then dead-lettered after maxReceiveCount', async () => {
  const run = await scenario.startRun();
  const { pipeline } = run;
  const maxReceiveCount = pipeline.settings.sourceQueue.redrive?.maxReceiveCount ?? 0;
  await run.publish(MESSAGES);

  // maxReceiveCount receives, one visibility timeout apart, then the move to the DLQ on the next receive.
  const redriveMs = (maxReceiveCount + 1) * pipeline.queues.source.visibilityTimeoutSec * 1000;
  const outcome = await run.finish('consumer throws for some records', redriveMs + 90_000, () => ({
    failingMessages: mockFailed.size,
    maxReceiveCount,
    processingCalls: [...mockCalls.values()].reduce((a, b) => a + b, 0),
  }));
  const { receipts, deadLetters } = outcome;

  expect(maxReceiveCount).toBeGreaterThan(1);
  expectFaultCounts(outcome, {
    sent: MESSAGES,
    confirmed: MESSAGES,
    delivered: MESSAGES - FAILING,
    effects: MESSAGES - FAILING,
    deadLettered: FAILING,
    lost: 0,
  });
  // Exactly the failing messages are in the SQS DLQ, each after maxReceiveCount attempts.
  expect(mockFailed.size).toBe(FAILING);
  expect(new Set(deadLetters.map((d) => d.id))).toEqual(mockFailed);
  expect(deadLetters.every((d) => d.queue === 'sqs')).toBe(true);
  for (const id of mockFailed) expect(mockCalls.get(id)).toBe(maxReceiveCount);
  // Everything else ran once, on its first receive: the failures of its batch-mates did not make it retry.
  const others = [...mockCalls].filter(([id]) => !mockFailed.has(id));
  expect(others).toHaveLength(MESSAGES - FAILING);
  expect(others.every(([, calls]) => calls === 1)).toBe(true);
  expect(receipts).toHaveLength(MESSAGES - FAILING);
  expect(receipts.every((r) => r.attempt === 1)).toBe(true);
}, 240_000);
