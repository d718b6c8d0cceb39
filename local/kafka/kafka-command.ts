import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { StageConfigOverrides } from '../../lib/config/stages';
import { EXIT } from '../../verify/cli-args';
import { TemplateReadError } from '../cfn-template';
import { writeRunReport, type CommandIo, type LocalCommandOptions } from '../local-command';
import { defaultDrainBudgetMs, runLocalVerification } from '../local-run';
import { ProgressBar } from '../progress';
import { synthesizeStage } from '../synth';
import { readLocalSettings, type LocalSettings } from '../template-reader';
import { startKafkaPipeline, type KafkaPipeline } from './kafka-pipeline';
import { readKafkaSettings, type KafkaLocalSettings } from './kafka-template-reader';

/** What `npm start -- --source kafka` needs beyond the shared options. */
export interface KafkaCommandOptions extends Omit<LocalCommandOptions, 'broker' | 'isolated' | 'serveReceiptsFile'> {
  /** Bootstrap brokers; undefined: the project's broker, started by scripts/ensure-kafka.sh. */
  readonly brokers?: readonly string[];
  /** Suffix the topic and consumer group (a throwaway run on a shared broker). */
  readonly isolated: boolean;
}

const ROOT = path.resolve(__dirname, '..', '..');
const ENSURE_KAFKA = path.join(ROOT, 'scripts', 'ensure-kafka.sh');
/** Where scripts/ensure-kafka.sh's broker listens. */
export const LOCAL_KAFKA = '127.0.0.1:9092';

/** Starts (or finds) the project's Kafka broker; returns its pinned version. Throws with the script's output. */
export function ensureLocalKafka(say: (line: string) => void): string {
  const run = spawnSync('bash', [ENSURE_KAFKA], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (run.status !== 0) {
    throw new Error(`scripts/ensure-kafka.sh failed (exit ${run.status}): ${(run.stderr || run.stdout).trim()}`);
  }
  for (const line of `${run.stdout}`.trim().split('\n').filter(Boolean)) say(line);
  return spawnSync('bash', [ENSURE_KAFKA, '--version'], { encoding: 'utf8' }).stdout.trim();
}

/** The stage's template with the Kafka source switched on, read for the local runtime. */
export function synthesizeKafkaStage(
  stage: string,
  overrides: StageConfigOverrides = {},
): { stackName: string; settings: LocalSettings; kafka: KafkaLocalSettings } {
  const synthesized = synthesizeStage(stage, { ...overrides, kafka: { ...overrides.kafka, enabled: true } });
  return {
    stackName: synthesized.stackName,
    settings: readLocalSettings(synthesized.template),
    kafka: readKafkaSettings(synthesized.template),
  };
}

export async function runKafkaCommand(options: KafkaCommandOptions, io: CommandIo): Promise<number> {
  const say = (line: string) => void io.stderr.write(`${line}\n`);
  let brokerDescription: string;
  try {
    if (options.brokers === undefined) {
      const version = ensureLocalKafka(say);
      brokerDescription = `Apache Kafka ${version} (KRaft, one node, scripts/ensure-kafka.sh) at ${LOCAL_KAFKA}`;
    } else {
      brokerDescription = `Kafka at ${options.brokers.join(',')} (given with --kafka-brokers; version not checked)`;
    }
  } catch (error) {
    say(`npm start: ${(error as Error).message}`);
    return EXIT.cannotRun;
  }
  const brokers = options.brokers ?? [LOCAL_KAFKA];

  say(`Synthesizing stage ${options.stage} with kafka.enabled …`);
  let synthesized: ReturnType<typeof synthesizeKafkaStage>;
  try {
    synthesized = synthesizeKafkaStage(options.stage, options.configOverrides);
  } catch (error) {
    const prefix =
      error instanceof TemplateReadError ? 'the synthesized template lacks what the local runtime needs: ' : '';
    say(`npm start: ${prefix}${(error as Error).message}`);
    return EXIT.cannotRun;
  }
  const pipeline = await startKafkaPipeline({
    settings: synthesized.settings,
    kafka: synthesized.kafka,
    brokers,
    timeScale: options.timeScale,
    isolated: options.isolated,
    verbose: options.verbose,
    write: (line) => void io.stderr.write(line),
  });
  say(describeKafkaPipeline(synthesized.stackName, pipeline, brokerDescription));

  const total = options.messages + options.poison;
  const budgetMs = options.timeoutSec !== undefined ? options.timeoutSec * 1000 : defaultDrainBudgetMs(pipeline, total);
  const progress = new ProgressBar(io.stderr, total);
  try {
    const result = await runLocalVerification(pipeline, {
      messages: options.messages,
      poison: options.poison,
      size: options.size,
      drainTimeoutMs: budgetMs,
      onProgress: (done, _total, detail) => progress.update(done, detail),
    });
    progress.finish(result.report.delivered + result.report.deadLettered, 'drained');
    if (result.timedOut) say(`Stopped waiting after ${Math.round(budgetMs / 1000)} s (--timeout).`);
    const stats = pipeline.kafkaSource.statistics;
    const context = {
      runId: result.runId,
      target: `local (${synthesized.stackName}), source kafka`,
      facts: {
        source: 'kafka',
        broker: brokerDescription,
        stage: options.stage,
        topic: pipeline.topic,
        partitions: pipeline.kafka.topic.partitions,
        timeScale: options.timeScale,
        sqsVisibilityTimeoutSec: pipeline.queues.source.visibilityTimeoutSec,
        maxReceiveCount: pipeline.settings.sourceQueue.redrive?.maxReceiveCount ?? 0,
        bridgeInvocations: stats.invocations,
        bisections: stats.bisections,
        sentToOnFailure: stats.sentToOnFailure,
        effectsCountedFrom: result.effectsCountedFrom,
      },
    };
    return writeRunReport(result.report, context, options, io);
  } finally {
    await pipeline.stop();
  }
}

function describeKafkaPipeline(stackName: string, pipeline: KafkaPipeline, broker: string): string {
  const m = pipeline.kafka.mapping;
  const t = pipeline.kafka.topic;
  const q = pipeline.queues.source;
  return [
    `Local pipeline for ${stackName}, source kafka (settings from the synthesized template):`,
    `  Kafka     ${broker}`,
    `  Topic     "${pipeline.topic}", ${t.partitions} partitions (replication ${t.replicationFactor} in AWS, 1 on one local broker)`,
    `  MSK event source  group "${pipeline.groupId}", batch ${m.batchSize}, window ${m.batchingWindowSec} s, ${m.startingPosition}, retries ${m.maximumRetryAttempts}, bisect ${m.bisectBatchOnFunctionError}, partial batch response ${m.reportBatchItemFailures}, on-failure ${m.onFailureQueueLogicalId ? 'SQS queue' : 'none'}`,
    `  SQS       ${pipeline.settings.sourceQueue.fifo ? 'FIFO' : 'standard'} queue, visibility ${q.visibilityTimeoutSec} s, maxReceiveCount ${pipeline.settings.sourceQueue.redrive?.maxReceiveCount}`,
  ].join('\n');
}
