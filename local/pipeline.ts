import { createBridgeHandler } from '../lambda/bridge/handler';
import { createAmqpConnectionSource } from '../lambda/producer/amqp-connection';
import { messageSizeLimitFromEnv } from '../lambda/shared/message-size';
import { createProducerHandler, type ProducerHandler } from '../lambda/producer/handler';
import { createLocalLogger, discardMetrics, timedConnectionSource } from './local-adapters';
import { RabbitMqDeadLetterReader } from './rabbitmq-dead-letters';
import type { RabbitMqEvent } from './rabbitmq-event';
import { RabbitMqEventSource } from './rabbitmq-event-source';
import { startSqsEmulator, startSqsEmulatorOnThread, type SqsEmulator } from './sqs-emulator';
import { startConsumerSide, literalNumber } from './consumer-side';
import type { SqsEventSource } from './sqs-event-source';
import { createLocalQueues, type LocalQueues } from './sqs-setup';
import type { LocalSettings } from './template-reader';
import { sleep } from './timing';
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
  /**
   * Latency added to every Lambda invocation (bridge, consumer) and every SQS call, to model AWS's network and
   * invoke overheads on one machine (the bench's shard-scaling section; docs/performance.md). @default - none
   */
  readonly injectedLatency?: InjectedLatency;
  /**
   * Run the SQS emulator on a worker thread of its own, so that only the functions' side of the flow shares this
   * event loop (the bench's shard-scaling runs). Starting it takes about a second. @default false
   */
  readonly sqsOnOwnThread?: boolean;
  /** Where log lines go. @default process.stderr */
  readonly write?: (line: string) => void;
}

/** Milliseconds added to each call of a kind. */
export interface InjectedLatency {
  /** Before each bridge and consumer invocation (Lambda's invoke overhead from an event source). */
  readonly lambdaInvokeMs: number;
  /** Before each SQS API call (the round trip to the regional endpoint). */
  readonly sqsCallMs: number;
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
  /** Epoch ms of each message id's first business effect. */
  readonly firstEffectAt: Map<string, number>;
  readonly deadLetters: RabbitMqDeadLetterReader;
  /** One RabbitMQ event source per shard queue (concurrency 1 each), in shard order. */
  readonly rabbitMqSources: readonly RabbitMqEventSource[];
  /** The shard queue each message id was forwarded from (its first successful bridge invocation). */
  readonly shardOf: Map<string, string>;
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
    const sqs = options.sqsOnOwnThread ? await startSqsEmulatorOnThread() : await startSqsEmulator();
    cleanups.push(() => sqs.stop());
    const latency = options.injectedLatency;
    if (latency && latency.sqsCallMs > 0) delaySqsCalls(sqs, latency.sqsCallMs);
    const invokeDelay = latency?.lambdaInvokeMs ?? 0;
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
        orderingKeyField:
          typeof producerEnv.ORDERING_KEY_FIELD === 'string' ? producerEnv.ORDERING_KEY_FIELD : undefined,
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
    const { sqsSource, effects, firstEffectAt } = startConsumerSide(settings, sqs, queues, logger, invokeDelay);
    cleanups.push(() => sqsSource.stop());

    // One emulator per shard queue, each with Lambda's concurrency 1 for RabbitMQ, all invoking the same bridge.
    const shardOf = new Map<string, string>();
    const rabbitMqSources = settings.rabbitMqMappings.map(
      (mapping) =>
        new RabbitMqEventSource({
          url: topology.eventSourceUrl,
          queue: mapping.queue,
          vhost: topology.topology.vhost,
          batchSize: mapping.batchSize,
          batchingWindowMs: mapping.batchingWindowSec * 1000,
          functionTimeoutMs: settings.functions.bridge.timeoutSec * 1000,
          handler: async (event) => {
            if (invokeDelay > 0) await sleep(invokeDelay);
            const result = await bridge(event);
            for (const id of messageIdsOf(event)) if (!shardOf.has(id)) shardOf.set(id, mapping.queue);
            return result;
          },
          onError: (error, context) => logger(`event-source:rabbitmq:${mapping.queue}:${context}`).warn(error.message),
        }),
    );
    for (const source of rabbitMqSources) {
      await source.start();
      cleanups.push(() => source.stop());
    }

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
      firstEffectAt,
      deadLetters,
      rabbitMqSources,
      shardOf,
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

/** Message ids of a RabbitMQ event's records (every shard's queue key). */
function messageIdsOf(event: RabbitMqEvent): string[] {
  const ids: string[] = [];
  for (const records of Object.values(event.rmqMessagesByQueue)) {
    for (const r of records) if (typeof r.basicProperties.messageId === 'string') ids.push(r.basicProperties.messageId);
  }
  return ids;
}

/** Every call on the emulator's client waits `ms` first, as a call to the regional SQS endpoint would. */
function delaySqsCalls(sqs: SqsEmulator, ms: number): void {
  sqs.client.middlewareStack.add(
    (next) => async (args) => {
      await sleep(ms);
      return next(args);
    },
    { step: 'initialize', name: 'injectedSqsLatency' },
  );
}

/** The template environment's literal values (intrinsics such as queue URLs left out), as a function would see them. */
export function literalStrings(env: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string' || typeof value === 'number') out[name] = String(value);
  }
  return out;
}
