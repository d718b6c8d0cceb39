import type { MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { ConsumeMessage } from 'amqplib';
import { createBridgeHandler, type BridgeHandler } from '../lambda/bridge/handler';
import { buildMessages, parseProducerEvent } from '../lambda/producer/event';
import { loadStageConfig } from '../lib/config/stages';
import { ATTRIBUTE } from '../lambda/shared/attributes';
import { MESSAGE_CONTENT_TYPE } from '../lambda/shared/message';
import { buildRabbitMqEvent, type RabbitMqEvent } from '../local/rabbitmq-event';
import { startSqsEmulatorOnThread } from '../local/sqs-emulator';
import type { BenchOptions } from './options';
import { quietLogger, quietMetrics } from './quiet';
import type { SectionResult } from './report';
import { measureRawSqs, withScratchQueue } from './raw-sqs';
import { elapsedMs, median, perSecond, round } from './stats';

/**
 * The bridge's `SEND_PARALLELISM` as the dev stage deploys it (`functions.bridge.sendParallelism`, the same 4 the
 * bridge defaults to); the raw figure uses the same fan-out, so the ratio compares like with like.
 */
export const SEND_PARALLELISM = loadStageConfig('dev').functions.bridge.sendParallelism;

/** Records per RabbitMQ event handed to the bridge (issue 8: "a 1,000-record RabbitMQ event"). */
export const BRIDGE_EVENT_RECORDS = 1_000;

export type SqsFigures = SectionResult<
  'rawSqsBatchSendPerSec' | 'rawSqsWithAttributesPerSec' | 'bridgePerSec' | 'bridgeRatio'
>;

/** The attributes the bridge puts on a producer message: its AMQP message id, correlation id and content type. */
export function bridgeLikeAttributes(index: number): Record<string, MessageAttributeValue> {
  const id = `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
  return {
    [ATTRIBUTE.messageId]: { DataType: 'String', StringValue: id },
    [ATTRIBUTE.correlationId]: { DataType: 'String', StringValue: id },
    [ATTRIBUTE.contentType]: { DataType: 'String', StringValue: MESSAGE_CONTENT_TYPE },
  };
}

/**
 * RabbitMQ events of at most `recordsPerEvent` records carrying what the producer publishes: its
 * message bodies (`size` bytes of JSON) with its AMQP properties, shaped by the local event source's own builder.
 */
export function buildBridgeEvents(
  messages: number,
  size: number,
  recordsPerEvent: number = BRIDGE_EVENT_RECORDS,
): RabbitMqEvent[] {
  const outgoing = buildMessages(parseProducerEvent({ count: messages, size }));
  const timestamp = Math.floor(Date.now() / 1000);
  const deliveries = outgoing.map(
    (m, i) =>
      ({
        content: m.body,
        fields: {
          deliveryTag: i + 1,
          redelivered: false,
          exchange: 'events.by-key',
          routingKey: m.id,
          consumerTag: 'bench',
        },
        properties: {
          contentType: MESSAGE_CONTENT_TYPE,
          deliveryMode: 2,
          messageId: m.id,
          correlationId: m.correlationId,
          timestamp,
          appId: 'mq-cloud-integration-producer',
          headers: {},
        },
      }) as unknown as ConsumeMessage,
  );
  const events: RabbitMqEvent[] = [];
  for (let i = 0; i < deliveries.length; i += recordsPerEvent) {
    events.push(buildRabbitMqEvent(deliveries.slice(i, i + recordsPerEvent), 'events.to-sqs', 'integration'));
  }
  return events;
}

/** Invokes the bridge once per event, one after the other (the RabbitMQ event source runs one at a time). */
async function measureBridge(
  bridge: BridgeHandler,
  events: readonly RabbitMqEvent[],
  messages: number,
): Promise<number> {
  let forwarded = 0;
  const start = process.hrtime.bigint();
  for (const event of events) forwarded += (await bridge(event)).forwarded;
  const ms = elapsedMs(start);
  if (forwarded !== messages) throw new Error(`bridge: forwarded ${forwarded} of ${messages} records`);
  return perSecond(messages, ms);
}

/**
 * Raw `SendMessageBatch` and the real bridge (its factory with an SQS client on the emulator) into fresh queues of
 * the emulator (on its own thread, as SQS is a service apart), alternating repetitions. Events are built before the clock starts: in AWS the event
 * source builds them, not the bridge.
 */
export async function runSqsSection(options: BenchOptions, progress: (message: string) => void): Promise<SqsFigures> {
  const emulator = await startSqsEmulatorOnThread();
  try {
    const sqs = emulator.client;
    const bridgeOn = (queueUrl: string) =>
      createBridgeHandler({
        sqs,
        config: { queueUrl, parallelism: SEND_PARALLELISM },
        logger: quietLogger,
        metrics: quietMetrics,
      });
    const events = buildBridgeEvents(options.messages, options.size);
    const rawOnce = () => measureRawSqs(sqs, options.messages, options.size, SEND_PARALLELISM);
    const rawWithAttributesOnce = () =>
      measureRawSqs(sqs, options.messages, options.size, SEND_PARALLELISM, bridgeLikeAttributes);
    const bridgeOnce = () =>
      withScratchQueue(sqs, 'bridge', (url) => measureBridge(bridgeOn(url), events, options.messages));
    // One unmeasured full-size repetition of each first: JIT, keep-alive sockets and heap growth are no part of
    // either figure (the bridge needed two 20,000-record runs to reach its steady rate).
    await rawOnce();
    await rawWithAttributesOnce();
    await bridgeOnce();
    const raw: number[] = [];
    const rawWithAttributes: number[] = [];
    const bridged: number[] = [];
    for (let i = 0; i < options.repetitions; i++) {
      raw.push(await rawOnce());
      rawWithAttributes.push(await rawWithAttributesOnce());
      bridged.push(await bridgeOnce());
      progress(
        `sqs ${i + 1}/${options.repetitions}: raw ${Math.round(raw[i])}/s, ` +
          `raw with attributes ${Math.round(rawWithAttributes[i])}/s, bridge ${Math.round(bridged[i])}/s`,
      );
    }
    const rawPerSec = median(raw);
    const bridgePerSec = median(bridged);
    return {
      rawSqsBatchSendPerSec: Math.round(rawPerSec),
      rawSqsWithAttributesPerSec: Math.round(median(rawWithAttributes)),
      bridgePerSec: Math.round(bridgePerSec),
      bridgeRatio: round(bridgePerSec / rawPerSec),
      runs: {
        rawSqsBatchSendPerSec: raw.map(Math.round),
        rawSqsWithAttributesPerSec: rawWithAttributes.map(Math.round),
        bridgePerSec: bridged.map(Math.round),
      },
    };
  } finally {
    await emulator.stop();
  }
}
