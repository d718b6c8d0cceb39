import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { ProducerResult, PublishFailure } from '../../../lambda/producer/handler';
import { startLocalPipeline, type LocalPipeline } from '../../../local/pipeline';
import { sleep, withTimeout } from '../../../local/timing';
import {
  accountForRun,
  type DeadLetter,
  type PublishedMessage,
  type VerificationReport,
} from '../../../verify/accounting';
import { drainOnce, parseReceipt, parseSqsDeadLetter, type ReceiptRecord } from '../../../verify/queue-drain';
import { ArrivalTally, publishedMessages } from '../../../verify/run-ledger';
import { faultSettings, type FaultSettingsOverrides } from './fault-settings';
import type { PrivateBroker } from './private-broker';

/**
 * Runs the local runtime's pipeline (the same `startLocalPipeline` that `npm start` runs: template settings, topology
 * applier, real handlers under the event-source emulators, fauxqs) against a fault test's private RabbitMQ node,
 * and accounts for every message the way RabbitMQ's own reliability tests do: remember what the producer says was
 * confirmed, let the pipeline drain completely, then count what arrived and what is missing.
 */

export interface FaultPipelineOptions extends FaultSettingsOverrides {
  /** AMQP endpoint the clients use, e.g. a TCP proxy in front of the node. @default - the node itself */
  readonly amqpUrl?: string;
  /** SQS visibility timeout multiplier (template 180 s × 0.01 = 2 s). @default 0.01 */
  readonly timeScale?: number;
}

export async function startFaultPipeline(
  broker: PrivateBroker,
  options: FaultPipelineOptions = {},
): Promise<LocalPipeline> {
  return startLocalPipeline({
    settings: faultSettings(options),
    broker: {
      amqpUrl: options.amqpUrl ?? broker.amqpUrl,
      managementUrl: broker.managementUrl,
      username: 'guest',
      password: 'guest',
    },
    timeScale: options.timeScale ?? 0.01,
  });
}

/** What the producer said about every message of a run: confirmed ones count as sent, failed ones never do. */
export class PublishLedger {
  readonly messages: PublishedMessage[] = [];
  readonly failures: PublishFailure[] = [];

  constructor(private readonly pipeline: LocalPipeline) {}

  record(result: ProducerResult): void {
    this.messages.push(...publishedMessages(result, (id) => this.pipeline.publishedAt.get(id) ?? Date.now()));
    this.failures.push(...result.failed);
  }
}

export interface FaultOutcome {
  readonly report: VerificationReport;
  readonly receipts: readonly ReceiptRecord[];
  readonly deadLetters: readonly DeadLetter[];
  /** Effects seen by the consumer's in-process effect hook: must equal the report's count from the receipts. */
  readonly inProcessEffects: number;
  /**
   * True when the budget ran out before every confirmed message was accounted for, the pipeline was empty and the
   * RabbitMQ DLQ had been read once more after that.
   */
  readonly timedOut: boolean;
}

/** Messages ready or unacknowledged in the node's source queue; undefined while the management API is down. */
async function rabbitMqQueueDepth(pipeline: LocalPipeline, broker: PrivateBroker): Promise<number | undefined> {
  const vhost = encodeURIComponent(pipeline.topology.topology.vhost);
  const queue = encodeURIComponent(pipeline.settings.rabbitMqMappings[0].queue);
  try {
    const response = await fetch(`${broker.managementUrl}/api/queues/${vhost}/${queue}`, {
      headers: { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}` },
      signal: AbortSignal.timeout(2_000),
    });
    if (!response.ok) return undefined;
    const body = (await response.json()) as { messages?: number };
    return body.messages;
  } catch {
    return undefined;
  }
}

/** Messages visible, in flight or delayed in the SQS source queue. */
async function sqsQueueDepth(pipeline: LocalPipeline): Promise<number> {
  const { Attributes = {} } = await pipeline.sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: pipeline.queues.source.url,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return Object.values(Attributes).reduce((sum, n) => sum + Number(n ?? 0), 0);
}

/**
 * Drains receipts and both dead-letter queues until every confirmed message is accounted for AND the pipeline is
 * empty (no message left in the RabbitMQ source queue, twice in a row, then none in the SQS source queue), so late
 * redeliveries are counted as duplicates and their effects (which idempotency must absorb) are in the tally.
 */
export async function drainAndAccount(
  pipeline: LocalPipeline,
  broker: PrivateBroker,
  ledger: PublishLedger,
  options: { readonly runId: string; readonly startedAt: number; readonly timeoutMs: number },
): Promise<FaultOutcome> {
  const tally = new ArrivalTally(ledger.messages);
  const { ids } = tally;
  const deadline = Date.now() + options.timeoutMs;
  let emptyRabbitMqPasses = 0;
  let settled = false;

  // The RabbitMQ DLQ is read over AMQP, in the background: while a fault has the node (or that queue) unable to
  // answer, a read can wait for a minute, and the SQS side must keep being counted meanwhile.
  let rabbitMqRead: Promise<void> | undefined;
  let rabbitMqReads = 0;
  const readRabbitMqDeadLetters = () => {
    rabbitMqRead ??= pipeline.deadLetters
      .drain(ids)
      .then((dead) => {
        tally.add([], dead);
        rabbitMqReads += 1;
      })
      .catch(() => undefined)
      .finally(() => (rabbitMqRead = undefined));
    return rabbitMqRead;
  };
  const drainPass = async (): Promise<void> => {
    const { client } = pipeline.sqs;
    void readRabbitMqDeadLetters();
    const newReceipts = await drainOnce({
      client,
      queueUrl: pipeline.queues.receipts.url,
      parse: (m) => parseReceipt(m.Body, options.runId),
    });
    const newDead = await drainOnce({
      client,
      queueUrl: pipeline.queues.deadLetter.url,
      parse: (m) => parseSqsDeadLetter(m, ids),
    });
    tally.add(newReceipts, newDead);
  };
  const untilDeadline = (promise: Promise<unknown> | undefined) =>
    withTimeout(Promise.resolve(promise), Math.max(0, deadline - Date.now()), 'drain').catch(() => undefined);

  while (Date.now() < deadline) {
    await drainPass();
    if (tally.complete) {
      const depth = await rabbitMqQueueDepth(pipeline, broker);
      emptyRabbitMqPasses = depth === 0 ? emptyRabbitMqPasses + 1 : 0;
      if (emptyRabbitMqPasses >= 2 && (await sqsQueueDepth(pipeline)) === 0) {
        // One complete pass after the pipeline went quiet, the RabbitMQ DLQ included.
        await untilDeadline(rabbitMqRead);
        const reads = rabbitMqReads;
        await drainPass();
        await untilDeadline(rabbitMqRead);
        settled = rabbitMqReads > reads;
        if (settled) break;
      }
    }
    await sleep(300);
  }

  let inProcessEffects = 0;
  for (const id of ids) inProcessEffects += pipeline.effects.get(id) ?? 0;
  // Effects counted from the receipts' `effect` flag, as `npm start` and `npm run verify` count them.
  const { receipts, deadLetters } = tally;
  const report = accountForRun({
    published: ledger.messages,
    receipts,
    deadLetters,
    fifo: pipeline.settings.sourceQueue.fifo,
    startedAt: options.startedAt,
    finishedAt: Date.now(),
  });
  return { report, receipts, deadLetters, inProcessEffects, timedOut: !settled };
}

/** The six counts every fault scenario prints and asserts. */
export interface FaultCounts {
  readonly sent: number;
  readonly confirmed: number;
  readonly delivered: number;
  readonly effects: number;
  readonly deadLettered: number;
  readonly lost: number;
}

export function faultCounts(report: VerificationReport): FaultCounts {
  const { sent, confirmed, delivered, effects, deadLettered, lost } = report;
  return { sent, confirmed, delivered, effects, deadLettered, lost };
}

/**
 * The verdict every scenario shares: the drain finished, the six counts are as expected, and the effects counted
 * from the receipts (as the reports count them) match what the consumer's in-process hook saw.
 */
export function expectFaultCounts(outcome: FaultOutcome, expected: FaultCounts): void {
  expect(outcome.timedOut).toBe(false);
  expect(faultCounts(outcome.report)).toEqual(expected);
  expect(outcome.inProcessEffects).toBe(outcome.report.effects);
}

/** One line per scenario in the test output, e.g. `[fault] broker kill -9: sent=10000 confirmed=… lost=0`. */
export function printCounts(scenario: string, outcome: FaultOutcome, extra: Record<string, number> = {}): void {
  const { report } = outcome;
  const fields = { ...faultCounts(report), duplicates: report.duplicates, ...extra };
  const line = Object.entries(fields)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  // Printed on purpose: the counts are the scenario's evidence, read by whoever runs the fault suite.
  console.log(`[fault] ${scenario}: ${line}`);
}
