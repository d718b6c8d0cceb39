import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSEvent } from 'aws-lambda';
import { createBridgeHandler } from '../lambda/bridge/handler';
import { createConsumerHandler } from '../lambda/consumer/handler';
import { LocalPersistenceLayer } from '../lambda/consumer/local-persistence-layer';
import { sampleProcessMessage } from '../lambda/consumer/process-message';
import { createSqsReceiptSink } from '../lambda/consumer/receipts';
import type { LoggerLike, MetricsLike } from '../lambda/shared/observability';
import type { FunctionHandlerTimes, LogVolume } from '../cost/handler-times';
import { literalNumber } from '../local/cfn-template';
import { startSqsEmulatorOnThread } from '../local/sqs-emulator';
import { buildSqsEvent } from '../local/sqs-event';
import { synthesizeStage } from '../local/synth';
import { readLocalSettings } from '../local/template-reader';
import { captureOutput } from './log-capture';
import type { BenchOptions } from './options';
import { quietLogger, quietMetrics } from './quiet';
import { withScratchQueue } from './raw-sqs';
import type { SectionResult } from './report';
import { buildBridgeEvents, SEND_PARALLELISM } from './sqs-section';
import { elapsedMs, median, round } from './stats';

/**
 * Handler time per invocation for the functions an event source invokes, at one record and at the batch size the
 * dev stage deploys, so `npm run cost` can price GB-seconds for any batch size: time = a + b × records. Also the log
 * bytes and events each writes at DEBUG, INFO and WARN, and the custom metrics it publishes. Runs the real handlers
 * against the SQS emulator (on its own thread) with the in-memory idempotency store: AWS network round trips (SQS through an
 * endpoint, DynamoDB) are not in these figures, so they are a lower bound of the billed duration.
 */
export type HandlerFigures = SectionResult<'handlers'>;

const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;
/** Records timed per batch size and repetition: enough to average out timer noise, few enough to stay quick. */
const TIMED_RECORDS = 2_000;

interface Observability {
  readonly logger: LoggerLike;
  readonly metrics: MetricsLike;
}

interface Harness {
  /** A fresh handler (as in a new container) with `observability`, and a fresh idempotency store and record pool. */
  reset(observability?: Observability): void;
  /** Runs one invocation of the next `records` records. */
  invoke(records: number): Promise<void>;
}

/** The Powertools logger behind the handlers' `LoggerLike` (its variadic signature is wider than the interface). */
function loggerLike(logger: Logger): LoggerLike {
  return {
    debug: (message, attributes) => logger.debug(message, attributes ?? {}),
    info: (message, attributes) => logger.info(message, attributes ?? {}),
    warn: (message, attributes) => logger.warn(message, attributes ?? {}),
    error: (message, attributes) => logger.error(message, attributes ?? {}),
  };
}

async function timePerInvocation(harness: Harness, records: number, timedRecords: number): Promise<number> {
  harness.reset();
  const invocations = Math.max(1, Math.floor(timedRecords / records));
  const start = process.hrtime.bigint();
  for (let i = 0; i < invocations; i++) await harness.invoke(records);
  return elapsedMs(start) / invocations;
}

/** Straight line through (1, t1) and (n, tn): per invocation and per record. */
function fit(n: number, atOne: number, atN: number): { perInvocation: number; perRecord: number } {
  const perRecord = Math.max(0, (atN - atOne) / (n - 1));
  return { perInvocation: Math.max(0, atOne - perRecord), perRecord };
}

async function measure(
  name: string,
  harness: Harness,
  batch: number,
  options: BenchOptions,
  progress: (message: string) => void,
  serviceName: string,
  timedRecords: number,
): Promise<{ times: FunctionHandlerTimes; runs: Record<string, number[]> }> {
  await timePerInvocation(harness, batch, timedRecords); // warm-up: JIT, sockets
  const atOne: number[] = [];
  const atBatch: number[] = [];
  for (let i = 0; i < options.repetitions; i++) {
    atOne.push(await timePerInvocation(harness, 1, timedRecords));
    atBatch.push(await timePerInvocation(harness, batch, timedRecords));
    progress(
      `handlers ${name} ${i + 1}/${options.repetitions}: ${atOne[i].toFixed(3)} ms at 1 record, ${atBatch[i].toFixed(3)} ms at ${batch}`,
    );
  }
  const time = fit(batch, median(atOne), median(atBatch));
  const logs: Record<string, LogVolume> = {};
  const metricNames = new Set<string>();
  for (const level of LOG_LEVELS) {
    const observed = async (records: number) => {
      harness.reset({
        logger: loggerLike(new Logger({ serviceName, logLevel: level })),
        metrics: new Metrics({ namespace: 'MqCloudIntegration-bench', serviceName }),
      });
      const output = await captureOutput(() => harness.invoke(records));
      output.metrics.forEach((m) => metricNames.add(m));
      return output;
    };
    const one = await observed(1);
    const full = await observed(batch);
    const bytes = fit(batch, one.bytes, full.bytes);
    const events = fit(batch, one.events, full.events);
    logs[level] = {
      perInvocationBytes: round(bytes.perInvocation, 1),
      perRecordBytes: round(bytes.perRecord, 1),
      perInvocationEvents: round(events.perInvocation, 3),
      perRecordEvents: round(events.perRecord, 3),
    };
  }
  return {
    times: {
      perInvocationMs: round(time.perInvocation, 4),
      perRecordMs: round(time.perRecord, 4),
      measuredBatchSizes: [1, batch],
      logs,
      customMetrics: metricNames.size,
    },
    runs: {
      [`handlers.${name}.msAt1`]: atOne.map((v) => round(v, 4)),
      [`handlers.${name}.msAt${batch}`]: atBatch.map((v) => round(v, 4)),
    },
  };
}

async function receiveAll(sqs: SQSClient, queueUrl: string, count: number): Promise<Message[]> {
  const messages: Message[] = [];
  while (messages.length < count) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        AttributeNames: ['All'],
        MessageAttributeNames: ['All'],
        VisibilityTimeout: 3600,
      }),
    );
    if (!Messages || Messages.length === 0) break;
    messages.push(...Messages);
  }
  return messages;
}

export async function runHandlerSection(
  options: BenchOptions,
  progress: (message: string) => void,
): Promise<HandlerFigures> {
  const settings = readLocalSettings(synthesizeStage('dev').template);
  const bridgeBatch = settings.rabbitMqMappings[0].batchSize;
  const consumerBatch = settings.sqsMapping.batchSize;
  const expirySeconds = literalNumber(
    settings.functions.consumer.environment.IDEMPOTENCY_EXPIRY_SECONDS,
    NaN,
    'IDEMPOTENCY_EXPIRY_SECONDS',
  );
  // A smoke run (few messages) times fewer records; never fewer than one full batch.
  const timedRecords = Math.max(bridgeBatch, consumerBatch, Math.min(TIMED_RECORDS, options.messages));
  const emulator = await startSqsEmulatorOnThread();
  const sqs = emulator.client;
  try {
    return await withScratchQueue(sqs, 'handlers-target', (targetUrl) =>
      withScratchQueue(sqs, 'handlers-receipts', async (receiptsUrl) => {
        // Bridge: events of 1 and of the deployed batch size, built before the clock starts (the event source builds them).
        const bridgeEvents = new Map([1, bridgeBatch].map((n) => [n, buildBridgeEvents(n, options.size, n)[0]]));
        let bridgeHandler = bridgeOn(sqs, targetUrl);
        const bridge: Harness = {
          reset: (observability) => (bridgeHandler = bridgeOn(sqs, targetUrl, observability)),
          invoke: async (records) => {
            await bridgeHandler(bridgeEvents.get(records)!);
          },
        };
        const bridgeResult = await measure('Bridge', bridge, bridgeBatch, options, progress, 'bridge', timedRecords);

        // Consumer: real SQS records the bridge forwarded; each series takes them in order from a fresh store, so
        // every record is a first delivery, as in steady traffic.
        const arn = 'arn:aws:sqs:local:000000000000:bench';
        const pool = await withScratchQueue(sqs, 'handlers-pool', async (poolUrl) => {
          await forwardThroughBridge(sqs, poolUrl, options.size, timedRecords);
          return buildSqsEvent(await receiveAll(sqs, poolUrl, timedRecords), arn, 'local').Records;
        });
        const consumerOn = (observability?: Observability) =>
          createConsumerHandler({
            processMessage: sampleProcessMessage,
            persistenceStore: new LocalPersistenceLayer(),
            idempotencyExpirySeconds: expirySeconds,
            outcomes: createSqsReceiptSink({ sqs, queueUrl: receiptsUrl }),
            logger: observability?.logger ?? quietLogger,
            metrics: observability?.metrics ?? quietMetrics,
          });
        let consumerHandler = consumerOn();
        let next = 0;
        const consumer: Harness = {
          reset: (observability) => {
            consumerHandler = consumerOn(observability);
            next = 0;
          },
          invoke: async (count) => {
            const event: SQSEvent = { Records: pool.slice(next, next + count) };
            next += count;
            if (event.Records.length !== count) throw new Error(`handlers: record pool of ${pool.length} exhausted`);
            await consumerHandler(event);
          },
        };
        const consumerResult = await measure(
          'Consumer',
          consumer,
          consumerBatch,
          options,
          progress,
          'consumer',
          timedRecords,
        );
        return {
          handlers: { Bridge: bridgeResult.times, Consumer: consumerResult.times },
          runs: { ...bridgeResult.runs, ...consumerResult.runs },
        };
      }),
    );
  } finally {
    await emulator.stop();
  }
}

function bridgeOn(sqs: SQSClient, queueUrl: string, observability?: Observability) {
  return createBridgeHandler({
    sqs,
    config: { queueUrl, parallelism: SEND_PARALLELISM },
    logger: observability?.logger ?? quietLogger,
    metrics: observability?.metrics ?? quietMetrics,
  });
}

async function forwardThroughBridge(sqs: SQSClient, queueUrl: string, size: number, count: number): Promise<void> {
  const handler = bridgeOn(sqs, queueUrl);
  for (const event of buildBridgeEvents(count, size)) await handler(event);
}
