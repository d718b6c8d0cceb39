import '../lambda/support/quiet';
import { runLocalVerification, type VerifiablePipeline } from '../../local/local-run';
import { startKafkaFault, useKafkaFaultPipeline } from './support/kafka-fault';

/**
 * A private Kafka broker killed (-9) and restarted mid-flow: nothing acknowledged is lost, counted with the shared
 * accounting. On a private Kafka broker
 * (test/fault/support/kafka-fault.ts); one scenario per file, so the Kafka fault tests run side by side.
 */

jest.setTimeout(300_000);
useKafkaFaultPipeline();

test('kill -9 of the broker mid-flow and a restart: nothing acknowledged is lost', async () => {
  const { pipeline: p, broker: b } = await startKafkaFault();
  let invocation = 0;
  const verifiable: VerifiablePipeline = {
    ...p,
    // Half the messages, then the broker dies while the bridge is still reading them, then the other half.
    producer: async (event) => {
      invocation += 1;
      const first = await p.producer({ ...event, count: 150, poison: 0 });
      b.kill();
      await new Promise((r) => setTimeout(r, 500));
      await b.start();
      const second = await p.producer({ ...event, count: (event.count ?? 0) - 150 });
      return {
        ids: [...first.ids, ...second.ids],
        poisonIds: [...first.poisonIds, ...second.poisonIds],
        failed: [...first.failed, ...second.failed],
      };
    },
  };
  const result = await runLocalVerification(verifiable, { messages: 300, poison: 3, drainTimeoutMs: 120_000 });
  expect(invocation).toBe(1);
  expect(result.report).toMatchObject({ lost: 0, deadLettered: 3, passed: true });
  // Whatever the producer could not get acknowledged while the broker was down does not count as sent.
  expect(result.report.delivered + result.producerFailures.filter((f) => !f.poison).length).toBe(300);
});
