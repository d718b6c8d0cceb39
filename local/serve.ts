import { appendFileSync, writeFileSync } from 'node:fs';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { ATTRIBUTE } from '../lambda/shared/attributes';
import { bodyId, drainOnce, parseReceipt } from '../verify/queue-drain';
import type { LocalPipeline } from './pipeline';
import { sleep } from './timing';

/**
 * `npm start -- --serve`: keeps the local pipeline running so any AMQP client can publish into the exchange; each
 * receipt is appended to the receipts file as one JSON line, and every message that reaches the SQS DLQ is
 * reported on stderr with the reason the bridge or consumer attached. Shutdown stops taking from RabbitMQ first,
 * then lets the SQS side finish (the emulator lives in memory), then closes everything.
 */

export interface ServeOptions {
  readonly pipeline: LocalPipeline;
  /** JSON-lines file the receipts are appended to (created empty at start). */
  readonly receiptsFile: string;
  /** How often receipts and the DLQ are polled. @default 200 */
  readonly pollIntervalMs?: number;
  readonly write: (line: string) => void;
}

export interface ServeHandle {
  /** Receipts written so far. */
  readonly receipts: () => number;
  /** Dead-lettered messages seen so far. */
  readonly deadLettered: () => number;
  /** Clean shutdown; resolves when everything is closed. Messages still in SQS after the wait are counted. */
  stop(): Promise<{ receipts: number; deadLettered: number; leftInSqs: number }>;
}

export function startServe(options: ServeOptions): ServeHandle {
  const { pipeline } = options;
  const { client } = pipeline.sqs;
  writeFileSync(options.receiptsFile, '');
  let receipts = 0;
  let deadLettered = 0;
  let running = true;

  const pumpOnce = async () => {
    const lines = await drainOnce({
      client,
      queueUrl: pipeline.queues.receipts.url,
      parse: (m) => (parseReceipt(m.Body) ? m.Body : undefined),
    });
    if (lines.length > 0) {
      appendFileSync(options.receiptsFile, lines.map((l) => `${l}\n`).join(''));
      receipts += lines.length;
    }
    const dead = await drainOnce({ client, queueUrl: pipeline.queues.deadLetter.url, parse: (m) => m });
    for (const m of dead) {
      deadLettered += 1;
      // Without an AMQP message id the body's own `id` names the message; SQS's id is a random UUID nobody knows.
      const id = m.MessageAttributes?.[ATTRIBUTE.messageId]?.StringValue ?? bodyId(m.Body) ?? m.MessageId;
      const reason =
        m.MessageAttributes?.[ATTRIBUTE.invalidReason]?.StringValue ?? 'the consumer failed it maxReceiveCount times';
      options.write(`dead-lettered to the SQS DLQ: ${id} (${reason})\n`);
    }
  };

  const loop = (async () => {
    while (running) {
      try {
        await pumpOnce();
      } catch (error) {
        options.write(`receipts pump: ${(error as Error).message}\n`);
      }
      await sleep(options.pollIntervalMs ?? 200);
    }
  })();

  const inFlightInSqs = async (): Promise<number> => {
    const out = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: pipeline.queues.source.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  };

  return {
    receipts: () => receipts,
    deadLettered: () => deadLettered,
    async stop() {
      await Promise.all(pipeline.rabbitMqSources.map((source) => source.stop()));
      // What the bridge already moved to SQS gets processed: up to one consumer timeout plus a little.
      const deadline = Date.now() + pipeline.settings.functions.consumer.timeoutSec * 1000 + 2_000;
      let left = await inFlightInSqs();
      while (left > 0 && Date.now() < deadline) {
        await sleep(100);
        left = await inFlightInSqs();
      }
      running = false;
      await loop;
      await pipeline.sqsSource.stop();
      await pumpOnce();
      left = await inFlightInSqs();
      await pipeline.stop();
      return { receipts, deadLettered, leftInSqs: left };
    },
  };
}
