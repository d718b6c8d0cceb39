import { randomUUID } from 'node:crypto';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { MqClient } from '@aws-sdk/client-mq';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { accountForRun, countEffects, type PublishedMessage, type VerificationReport } from './accounting';
import { drainOnce, parseReceipt, parseSqsDeadLetter } from './queue-drain';
import { ArrivalTally, producerInvocations, publishedMessages, type ProducerAnswer } from './run-ledger';
import type { ReportContext } from './report-format';
import { sizeOption, type SourceName } from './cli-args';
import { readStackOutputs } from './stack-outputs';
import { rabbitMqDeployedSource, VerifyError, type BrokerSummary, type DeployedSourceFactory } from './deployed-source';
import { kafkaDeployedSource } from './kafka-deployed-source';

export { VerifyError, type BrokerSummary } from './deployed-source';

/**
 * `npm run verify`: drives the deployed producer function of one source and accounts for every message from the
 * receipts queue, the SQS dead-letter queue and the source's own readable dead letters (deployed-source.ts), with
 * the same accounting as the local runtime.
 */

/** Each source's part of the deployed check. */
const DEPLOYED_SOURCES: Readonly<Record<SourceName, DeployedSourceFactory>> = {
  rabbitmq: rabbitMqDeployedSource,
  kafka: kafkaDeployedSource,
};

export interface DeployedClients {
  readonly cloudFormation: CloudFormationClient;
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
  readonly mq: MqClient;
}

export interface DeployedRunOptions {
  readonly stackName: string;
  /** Which source's producer to drive. @default 'rabbitmq' */
  readonly source?: SourceName;
  /** Valid messages to publish. */
  readonly messages: number;
  /** Poison messages to publish (expected in the SQS DLQ). */
  readonly poison: number;
  /** Body size of generated messages in bytes. @default - the producer's minimal body */
  readonly size?: number;
  /** How long to wait for every message to be accounted for. @default - (maxReceiveCount + 1) × visibility timeout + 60 s */
  readonly timeoutSec?: number;
  /** Pause between drain passes that found nothing new. @default 2000 */
  readonly pollIntervalMs?: number;
  readonly onProgress?: (accounted: number, total: number, detail: string) => void;
  readonly newRunId?: () => string;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface DeployedRunResult {
  readonly report: VerificationReport;
  readonly context: ReportContext;
  /** The RabbitMQ broker (source rabbitmq). */
  readonly broker?: BrokerSummary;
}

/** Most messages per producer invocation: keeps each invocation well inside its timeout and response limit. */
export const MESSAGES_PER_INVOCATION = 10_000;
const DEFAULT_BUDGET_SEC = 600;

export async function runDeployedVerification(
  clients: DeployedClients,
  options: DeployedRunOptions,
): Promise<DeployedRunResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const outputs = await readStackOutputs(clients.cloudFormation, options.stackName);
  // The stack's size limit (the broker's max_message_size included) is known only now; refuse before publishing.
  if (options.size !== undefined && outputs.sizeLimit) sizeOption(String(options.size), outputs.sizeLimit);
  const source = await DEPLOYED_SOURCES[options.source ?? 'rabbitmq'](clients, outputs, options.stackName);
  const budgetSec = options.timeoutSec ?? (await drainBudgetSec(clients.sqs, outputs.queueUrl));

  const runId = (options.newRunId ?? randomUUID)();
  const startedAt = now();
  const published: PublishedMessage[] = [];
  for (const { count, poison } of producerInvocations(options.messages, options.poison, MESSAGES_PER_INVOCATION)) {
    const publishedAt = now();
    const answer = await invokeProducer(clients.lambda, source.producerFunctionName, {
      count,
      poison,
      runId,
      ...(options.size !== undefined ? { size: options.size } : {}),
    });
    source.noteAnswer(answer);
    published.push(...publishedMessages(answer, () => publishedAt));
  }

  const tally = new ArrivalTally(published);
  const deadline = startedAt + budgetSec * 1000;
  while (!tally.complete && now() < deadline) {
    const newReceipts = await drainOnce({
      client: clients.sqs,
      queueUrl: outputs.receiptsQueueUrl,
      parse: (m) => parseReceipt(m.Body, runId),
    });
    const newDead = [
      ...(await drainOnce({
        client: clients.sqs,
        queueUrl: outputs.deadLetterQueueUrl,
        parse: (m) => parseSqsDeadLetter(m, tally.ids),
      })),
      ...(await source.drainDeadLetters(tally.ids)),
    ];
    tally.add(newReceipts, newDead);
    options.onProgress?.(tally.accountedCount, tally.confirmedCount, tally.progress);
    if (newReceipts.length === 0 && newDead.length === 0 && !tally.complete) {
      await sleep(options.pollIntervalMs ?? 2_000);
    }
  }

  const { receipts, deadLetters } = tally;
  // A FIFO stack's queue URL ends in `.fifo` (SQS requires the suffix): then each group's order is checked too.
  const fifo = outputs.queueUrl?.endsWith('.fifo') ?? false;
  const report = accountForRun({ published, receipts, deadLetters, fifo, startedAt, finishedAt: now() });
  return {
    report,
    broker: source.broker,
    context: {
      runId,
      target: `stack ${options.stackName}`,
      facts: {
        ...source.facts(),
        drainBudgetSec: budgetSec,
        effectsCountedFrom: countEffects(receipts).countedFrom,
      },
    },
  };
}

/** Long enough for a poison message to be received `maxReceiveCount` times and redriven, plus a minute. */
async function drainBudgetSec(sqs: SQSClient, queueUrl: string | undefined): Promise<number> {
  if (!queueUrl) return DEFAULT_BUDGET_SEC;
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['VisibilityTimeout', 'RedrivePolicy'] }),
  );
  const visibility = Number(out.Attributes?.VisibilityTimeout ?? 30);
  let maxReceiveCount = 3;
  try {
    maxReceiveCount = Number(JSON.parse(out.Attributes?.RedrivePolicy ?? '{}').maxReceiveCount ?? 3);
  } catch {
    // Keep the default: the budget is a bound, not a contract.
  }
  return (maxReceiveCount + 1) * visibility + 60;
}

async function invokeProducer(
  lambda: LambdaClient,
  functionName: string,
  event: Record<string, unknown>,
): Promise<ProducerAnswer> {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    throw new VerifyError(
      `The producer ${functionName} answered with something that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  if (out.FunctionError) {
    throw new VerifyError(
      `The producer ${functionName} failed (${out.FunctionError}): ${String(body.errorType ?? '')}: ${String(body.errorMessage ?? text)}`,
    );
  }
  if (!Array.isArray(body.ids) || !Array.isArray(body.poisonIds) || !Array.isArray(body.failed)) {
    throw new VerifyError(
      `The producer ${functionName} answered without ids, poisonIds and failed: ${text.slice(0, 200)}`,
    );
  }
  return body as unknown as ProducerAnswer;
}
