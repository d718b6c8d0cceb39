import { createBridgeHandler } from '../lambda/bridge/handler';
import { createAmqpConnectionSource } from '../lambda/producer/amqp-connection';
import { messageSizeLimitFromEnv } from '../lambda/shared/message-size';
import { createProducerHandler, type ProducerHandler } from '../lambda/producer/handler';
import { createLocalLogger, discardMetrics, timedConnectionSource } from './local-adapters';
import { RabbitMqDeadLetterReader } from './rabbitmq-dead-letters';
import { RabbitMqEventSource } from './rabbitmq-event-source';
import { startSqsEmulator, type SqsEmulator } from './sqs-emulator';
import { startConsumerSide, literalNumber } from './consumer-side';
import type { SqsEventSource } from './sqs-event-source';
import { createLocalQueues, type LocalQueues } from './sqs-setup';
import type { LocalSettings } from './template-reader';
import {
  applyLocalTopology,
  removeLocalTopology,
  type AppliedTopology,
  type IsolationOptions,
  type LocalBroker,
} from './topology-setup';

/**
 * The whole flow on one machine: the template's topology on the local broker, the template's queues in the
 * embedded SQS emulator, and the real handlers (built by their factories with local adapters) under event-source
 * emulators configured from the template's mappings.
 */

export { LOCAL_DEFAULT_SQS_CONCURRENCY } from './consumer-side';

export interface LocalPipelineOptions {
  readonly settings: LocalSettings;
  readonly broker: LocalBroker;
  /** Multiplies SQS visibility timeouts; 1 runs exactly as deployed. @default 1 */
  readonly timeScale?: number;
  readonly isolation?: IsolationOptions;
  /** Print the handlers' log lines. @default false */
  readonly verbose?: boolean;
  /** Where log lines go. @default process.stderr */
  readonly write?: (line: string) => void;
}

export interface LocalPipeline {
  readonly settings: LocalSettings;
  readonly topology: AppliedTopology;
  readonly queues: LocalQueues;
  readonly sqs: SqsEmulator;
  /** The real producer handler, connected as the producer user. */
  readonly producer: ProducerHandler;
  /** Epoch ms each message id was handed to the broker. */
  readonly publishedAt: Map<string, number>;
  /**
   * Business effects per message id (the consumer's effect hook): an in-process signal for harnesses that watch
   * completion without draining receipts. Reports count effects from the receipts' `effect` flag instead.
   */
  readonly effects: Map<string, number>;
  readonly deadLetters: RabbitMqDeadLetterReader;
  readonly rabbitMqSource: RabbitMqEventSource;
  readonly sqsSource: SqsEventSource;
  /** Stops the event sources (finishing batches in flight), closes connections and the emulator. */
  stop(options?: { removeTopology?: boolean }): Promise<void>;
}

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  const { settings, broker } = options;
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const logger = (component: string) => createLocalLogger({ component, verbose: options.verbose ?? false, write });
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };

  try {
    const sqs = await startSqsEmulator();
    cleanups.push(() => sqs.stop());
    const queues = await createLocalQueues(sqs.client, settings, options.timeScale ?? 1);
    const topology = await applyLocalTopology(settings.topology, broker, options.isolation);

    const publishedAt = new Map<string, number>();
    const connection = createAmqpConnectionSource({
      url: topology.producerUrl,
      connectionName: 'local-producer',
      logger: logger('producer'),
    });
    cleanups.push(() => connection.close());
    const producerEnv = settings.functions.producer.environment;
    const producer = createProducerHandler({
      connection: timedConnectionSource(connection, publishedAt),
      config: {
        exchange: topology.topology.producerExchange,
        routingKey: topology.topology.producerRoutingKey,
        confirmTimeoutMs: literalNumber(producerEnv.CONFIRM_TIMEOUT_MS) ?? 10_000,
        // The size limit the template gives the deployed producer (MAX_BODY_BYTES), read the same way.
        sizeLimit: messageSizeLimitFromEnv(literalStrings(producerEnv)),
      },
      logger: logger('producer'),
      metrics: discardMetrics,
    });

    const bridgeEnv = settings.functions.bridge.environment;
    const bridge = createBridgeHandler({
      sqs: sqs.client,
      config: {
        queueUrl: queues.source.url,
        parallelism: literalNumber(bridgeEnv.SEND_PARALLELISM),
        messageGroupIdField:
          typeof bridgeEnv.MESSAGE_GROUP_ID_FIELD === 'string' ? bridgeEnv.MESSAGE_GROUP_ID_FIELD : undefined,
        sizeLimit: messageSizeLimitFromEnv(literalStrings(bridgeEnv)),
      },
      logger: logger('bridge'),
      metrics: discardMetrics,
    });

    // Downstream first: the consumer side is ready before the first RabbitMQ batch arrives, and stop() (which runs
    // the cleanups in reverse) stops taking from RabbitMQ before it stops the SQS side.
    const { sqsSource, effects } = startConsumerSide(settings, sqs, queues, logger);
    cleanups.push(() => sqsSource.stop());

    const rabbitMqSource = new RabbitMqEventSource({
      url: topology.eventSourceUrl,
      queue: settings.rabbitMqMapping.queue,
      vhost: topology.topology.vhost,
      batchSize: settings.rabbitMqMapping.batchSize,
      batchingWindowMs: settings.rabbitMqMapping.batchingWindowSec * 1000,
      functionTimeoutMs: settings.functions.bridge.timeoutSec * 1000,
      handler: (event) => bridge(event),
      onError: (error, context) => logger(`event-source:rabbitmq:${context}`).warn(error.message),
    });
    await rabbitMqSource.start();
    cleanups.push(() => rabbitMqSource.stop());

    const deadLetters = new RabbitMqDeadLetterReader(topology.adminUrl, topology.topology.deadLetterQueue);
    cleanups.push(() => deadLetters.close());

    return {
      settings,
      topology,
      queues,
      sqs,
      producer,
      publishedAt,
      effects,
      deadLetters,
      rabbitMqSource,
      sqsSource,
      stop: async ({ removeTopology = false } = {}) => {
        await stopAll();
        if (removeTopology) await removeLocalTopology(topology, broker);
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The template environment's literal values (intrinsics such as queue URLs left out), as a function would see them. */
function literalStrings(env: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string' || typeof value === 'number') out[name] = String(value);
  }
  return out;
}
