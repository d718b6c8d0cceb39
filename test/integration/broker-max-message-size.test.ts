import { connect, type ChannelModel } from 'amqplib';
import { createAmqpConnectionSource, type AmqpConnectionSource } from '../../lambda/producer/amqp-connection';
import { createProducerHandler } from '../../lambda/producer/handler';
import { stageMessageSizeLimit } from '../../lib/config/broker-capacity';
import { loadStageConfig } from '../../lib/config/stages';
import { discardMetrics } from '../../local/local-adapters';
import { createPrivateBroker, type PrivateBroker } from '../fault/support/private-broker';
import { quietLogger } from '../lambda/support/quiet';

/**
 * The prod stage's size limit against a RabbitMQ node configured like the prod broker (`max_message_size`, which
 * RabbitMQ 3.8+ reads from rabbitmq.conf, so the Debian 3.10 node enforces it as Amazon MQ's 4.2 does): the broker
 * takes a body of exactly the limit and refuses one byte more, and the producer refuses that byte before publishing.
 * A private node: the shared broker runs at RabbitMQ's 128 MiB and is never reconfigured.
 */

const QUEUE = 'max-message-size';
const limit = stageMessageSizeLimit(loadStageConfig('prod'));
const maxMessageSize = limit.brokerMaxMessageSizeBytes!;

describe("the prod stage's max_message_size on a private RabbitMQ node", () => {
  let node: PrivateBroker;
  let admin: ChannelModel;
  let source: AmqpConnectionSource;

  beforeAll(async () => {
    node = await createPrivateBroker('size', [`max_message_size = ${maxMessageSize}`]);
    await node.start();
    admin = await connect(node.amqpUrl);
    const channel = await admin.createChannel();
    await channel.assertQueue(QUEUE, { durable: true });
    await channel.close();
    source = createAmqpConnectionSource({ url: node.amqpUrl, connectionName: 'size-test', logger: quietLogger });
  }, 120_000);

  afterAll(async () => {
    await source?.close();
    await admin?.close().catch(() => undefined);
    await node?.destroy();
  });

  /** Publishes `bytes` bytes with confirms on a fresh channel; resolves 'confirmed' or the broker's refusal. */
  async function publishRaw(bytes: number): Promise<string> {
    const channel = await admin.createConfirmChannel();
    const closed = new Promise<string>((resolve) => channel.on('error', (error: Error) => resolve(error.message)));
    const confirmed = new Promise<string>((resolve, reject) =>
      channel.sendToQueue(QUEUE, Buffer.alloc(bytes, 0x78), { persistent: true }, (error) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve('confirmed'),
      ),
    ).catch((error: Error) => `nacked: ${error.message}`);
    const outcome = await Promise.race([confirmed, closed]);
    if (outcome === 'confirmed') await channel.close();
    return outcome;
  }

  test('prod bounds the flow by its broker: 512 KiB, below the SQS body limit', () => {
    expect(limit).toEqual({ maxBodyBytes: 524_288, brokerMaxMessageSizeBytes: 524_288 });
  });

  test('the broker accepts a body of exactly max_message_size bytes', async () => {
    await expect(publishRaw(maxMessageSize)).resolves.toBe('confirmed');
  });

  test('the broker refuses one byte more (406 PRECONDITION_FAILED)', async () => {
    await expect(publishRaw(maxMessageSize + 1)).resolves.toMatch(
      new RegExp(
        `PRECONDITION_FAILED - message size ${maxMessageSize + 1} is larger than configured max size ${maxMessageSize}`,
      ),
    );
  });

  test('the producer publishes a body of the limit and refuses one byte more before publishing, naming both limits', async () => {
    const producer = createProducerHandler({
      connection: source,
      config: { exchange: '', routingKey: QUEUE, confirmTimeoutMs: 10_000, sizeLimit: limit },
      logger: quietLogger,
      metrics: discardMetrics,
    });
    const atLimit = await producer({ count: 1, size: limit.maxBodyBytes });
    expect(atLimit).toMatchObject({ published: 1, confirmed: 1, failed: [] });
    await expect(producer({ count: 1, size: limit.maxBodyBytes + 1 })).rejects.toThrow(
      /size is 524289; expected an integer from 0 to 524288 bytes \(the smaller of the broker's max_message_size \(524288\) and the SQS limit of 1048576 bytes less 8192 for the attributes the bridge adds \(1040384\)\)/,
    );
  });
});
