import '../lambda/support/quiet';
import type { SendMessageBatchCommand, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import { runLocalVerification } from '../../local/local-run';
import { startKafkaFault, useKafkaFaultPipeline } from './support/kafka-fault';

/**
 * SQS refusing part of a Kafka bridge batch: retried from the failed record, duplicates absorbed by the consumer,
 * every message counted. On a private Kafka broker
 * (test/fault/support/kafka-fault.ts); one scenario per file, so the Kafka fault tests run side by side.
 */

jest.setTimeout(300_000);
useKafkaFaultPipeline();

test('SQS refusing part of a bridge batch: retried from the failed record, duplicates absorbed by the consumer', async () => {
  let refused = 0;
  const seen = new Set<string>();
  const { pipeline: p } = await startKafkaFault({
    bridgeSqs: (client) => ({
      send: async (command: SendMessageBatchCommand) => {
        // Every fifth entry is refused the first time SQS sees it (a sender fault: the bridge does not retry it).
        const entries = command.input.Entries ?? [];
        const refuse = entries.filter((e, i) => {
          const id = e.MessageAttributes?.['amqp.message-id']?.StringValue ?? '';
          const first = !seen.has(id);
          seen.add(id);
          return first && i % 5 === 0;
        });
        if (refuse.length === 0) return client.send(command);
        refused += refuse.length;
        command.input.Entries = entries.filter((e) => !refuse.includes(e));
        const out: SendMessageBatchCommandOutput =
          command.input.Entries.length > 0 ? await client.send(command) : { $metadata: {}, Successful: [], Failed: [] };
        return {
          ...out,
          Failed: [
            ...(out.Failed ?? []),
            ...refuse.map((e) => ({
              Id: e.Id,
              SenderFault: true,
              Code: 'InjectedRefusal',
              Message: 'refused by the fault test',
            })),
          ],
        };
      },
    }),
  });
  const result = await runLocalVerification(p, { messages: 300, poison: 0, drainTimeoutMs: 120_000 });
  expect(refused).toBeGreaterThan(0);
  expect(p.kafkaSource.statistics.failedInvocations).toBeGreaterThan(0);
  expect(result.report).toMatchObject({ confirmed: 300, delivered: 300, effects: 300, lost: 0, passed: true });
  expect(p.kafkaSource.statistics.sentToOnFailure).toBe(0);
});
