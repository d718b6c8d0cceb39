import { randomUUID } from 'node:crypto';
import { connect } from 'amqplib';
import { SQS_MAX_MESSAGE_BYTES } from '../../lambda/shared/sqs-limits';
import type { LocalPipeline } from '../../local/pipeline';
import { expectFaultCounts, type FaultOutcome } from './support/fault-flow';
import { useFaultScenario } from './support/fault-scenario';

/**
 * Bad input end to end: a message larger than SQS can carry, published by another client straight to the exchange
 * (our producer refuses to build one), among valid messages. The bridge cannot forward it, so every batch holding
 * it fails and RabbitMQ redelivers the batch until `x-delivery-limit` dead-letters it. Proven here: it lands in the
 * RabbitMQ DLQ, nothing is lost, each valid message has its effect once. Also measured (not asserted — see
 * docs/reliability.md, "Known limits"): the valid messages of its batch share its delivery count, so they are
 * dead-lettered beside it although they already reached SQS on every attempt.
 */

const VALID = 300;

const scenario = useFaultScenario('oversized');

/** Publishes one body over the SQS limit as a foreign publisher would: persistent, confirmed, with a message id. */
async function publishOversized(p: LocalPipeline, runId: string): Promise<string> {
  const id = `oversized-${randomUUID()}`;
  const connection = await connect(p.topology.adminUrl);
  try {
    const channel = await connection.createConfirmChannel();
    const body = JSON.stringify({ id, runId, padding: 'x'.repeat(SQS_MAX_MESSAGE_BYTES) });
    channel.publish(p.topology.topology.producerExchange, 'oversized', Buffer.from(body), {
      messageId: id,
      persistent: true,
      contentType: 'application/json',
    });
    await channel.waitForConfirms();
  } finally {
    await connection.close();
  }
  return id;
}

test('a message over the SQS limit among valid ones: dead-lettered by RabbitMQ, nothing lost, one effect each', async () => {
  const run = await scenario.startRun();
  const { pipeline } = run;
  await run.publish(VALID / 2);
  const oversized = await publishOversized(pipeline, run.runId);
  // Expected to be dead-lettered, like the producer's own poison messages.
  run.ledger.messages.push({ id: oversized, poison: true, confirmed: true, publishedAt: Date.now() });
  await run.publish(VALID / 2);

  const validAlsoDeadLetteredIn = ({ deadLetters }: FaultOutcome) =>
    new Set(deadLetters.filter((d) => d.id !== oversized).map((d) => d.id)).size;
  const outcome = await run.finish('message over the SQS limit from another publisher', 90_000, (o) => ({
    failedBridgeInvocations: pipeline.rabbitMqSources[0].statistics.failedInvocations,
    validAlsoDeadLettered: validAlsoDeadLetteredIn(o),
  }));
  const { report, deadLetters } = outcome;
  const validAlsoDeadLettered = validAlsoDeadLetteredIn(outcome);

  expect(deadLetters).toContainEqual({ id: oversized, queue: 'rabbitmq' });
  expect(pipeline.rabbitMqSources[0].statistics.failedInvocations).toBeGreaterThanOrEqual(1);
  expectFaultCounts(outcome, {
    sent: VALID + 1,
    confirmed: VALID + 1,
    delivered: VALID,
    effects: VALID,
    deadLettered: 1 + validAlsoDeadLettered,
    lost: 0,
  });
  // Whatever else the report says, it is only about valid messages that also sit in the RabbitMQ DLQ.
  expect(report.problems.every((p) => /valid messages were dead-lettered|dead-lettered \d+, expected 1/.test(p))).toBe(
    true,
  );
}, 240_000);
