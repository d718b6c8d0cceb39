import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { StageConfigOverrides } from '../lib/config/stages';
import { EXIT } from '../verify/cli-args';
import type { VerificationReport } from '../verify/accounting';
import { formatReport, reportJson, type ReportContext } from '../verify/report-format';
import { BrokerUnavailableError, ensureBroker } from './broker-probe';
import { TemplateReadError } from './cfn-template';
import { defaultDrainBudgetMs, runLocalVerification } from './local-run';
import { logCounts } from './local-adapters';
import { LOCAL_DEFAULT_SQS_CONCURRENCY, startLocalPipeline, type LocalPipeline } from './pipeline';
import { ProgressBar, type ProgressSink } from './progress';
import { publishExamples } from './publish-examples';
import { startServe } from './serve';
import { synthesizeStage } from './synth';
import { readLocalSettings, type LocalSettings } from './template-reader';
import type { LocalBroker } from './topology-setup';

/** Everything `npm start` does after option parsing: probe, synth, pipeline, then a verification run or serve. */

export interface LocalCommandOptions {
  readonly stage: string;
  /** Overrides of the stage's config, as `cdk synth -c config='{…}'` applies them (`--config`). @default {} */
  readonly configOverrides?: StageConfigOverrides;
  /** Valid messages (the total minus poison). */
  readonly messages: number;
  readonly poison: number;
  readonly size?: number;
  readonly broker: LocalBroker;
  /** Multiplies SQS visibility timeouts; 1 = as deployed. */
  readonly timeScale: number;
  /** Drain budget. @default - from the template (see defaultDrainBudgetMs) */
  readonly timeoutSec?: number;
  /** Run in a throwaway vhost with suffixed users, removed afterwards. */
  readonly isolated: boolean;
  readonly verbose: boolean;
  readonly jsonFile?: string;
  /** Serve instead of a run; receipts go to this file. */
  readonly serveReceiptsFile?: string;
}

export interface CommandIo {
  readonly stdout: { write(chunk: string): boolean };
  readonly stderr: ProgressSink;
  /** Registers the shutdown handler (SIGINT/SIGTERM in the CLI; tests call it directly). */
  readonly onShutdown?: (handler: () => void) => void;
}

/**
 * The end of a run, whichever the source: the report on stdout (and as JSON with `--json`), a count of the handlers'
 * warnings and errors on stderr unless `--verbose` printed them, and the exit code.
 */
export function writeRunReport(
  report: VerificationReport,
  context: ReportContext,
  options: Pick<LocalCommandOptions, 'jsonFile' | 'verbose'>,
  io: CommandIo,
): number {
  io.stdout.write(formatReport(report, context));
  if (options.jsonFile) writeFileSync(options.jsonFile, reportJson(report, context));
  const warnings = Object.entries(logCounts).filter(([, c]) => c.warn + c.error > 0);
  if (warnings.length > 0 && !options.verbose) {
    io.stderr.write(
      `Handler log: ${warnings.map(([k, c]) => `${k} ${c.warn} warnings, ${c.error} errors`).join('; ')} (--verbose shows them).\n`,
    );
  }
  return report.passed ? EXIT.passed : EXIT.failed;
}

export async function runLocalCommand(options: LocalCommandOptions, io: CommandIo): Promise<number> {
  const say = (line: string) => void io.stderr.write(`${line}\n`);
  try {
    await ensureBroker({ ...options.broker }, say);
  } catch (error) {
    if (error instanceof BrokerUnavailableError) {
      say(`npm start: ${error.message}`);
      return EXIT.cannotRun;
    }
    throw error;
  }

  say(`Synthesizing stage ${options.stage} …`);
  let settings: LocalSettings;
  let stackName: string;
  try {
    const synthesized = synthesizeStage(options.stage, options.configOverrides);
    stackName = synthesized.stackName;
    settings = readLocalSettings(synthesized.template);
  } catch (error) {
    // Invalid stage names and configs are refused by the config loader with a message naming the field.
    const prefix =
      error instanceof TemplateReadError ? 'the synthesized template lacks what the local runtime needs: ' : '';
    say(`npm start: ${prefix}${(error as Error).message}`);
    return EXIT.cannotRun;
  }

  const suffix = randomBytes(4).toString('hex');
  const isolation = options.isolated ? { vhost: `local-${suffix}`, userSuffix: suffix } : {};
  const pipeline = await startLocalPipeline({
    settings,
    broker: options.broker,
    timeScale: options.timeScale,
    isolation,
    verbose: options.verbose,
    write: (line) => void io.stderr.write(line),
  });
  say(describeSettings(stackName, pipeline, options.timeScale));

  if (options.serveReceiptsFile !== undefined) return serve(pipeline, options, io, say);

  const total = options.messages + options.poison;
  const budgetMs = options.timeoutSec !== undefined ? options.timeoutSec * 1000 : defaultDrainBudgetMs(pipeline, total);
  const redrive = settings.sourceQueue.redrive;
  if (options.poison > 0 && redrive && settings.consumerFailFast) {
    say(
      `Poison messages reach the SQS DLQ after ${redrive.maxReceiveCount} receives; the consumer makes each invalid record visible again at once (fail-fast), so within seconds.`,
    );
  } else if (options.poison > 0 && redrive) {
    const seconds = redrive.maxReceiveCount * pipeline.queues.source.visibilityTimeoutSec;
    say(
      `Poison messages reach the SQS DLQ after ${redrive.maxReceiveCount} receives × ${pipeline.queues.source.visibilityTimeoutSec} s visibility ≈ ${seconds} s` +
        (options.timeScale === 1 && seconds > 60
          ? ' (as deployed; --time-scale 0.01 shortens it for a quick local run).'
          : '.'),
    );
  }
  const progress = new ProgressBar(io.stderr, total);
  let interrupted = false;
  io.onShutdown?.(() => {
    interrupted = true;
    say('\nInterrupted: stopping the pipeline …');
    void pipeline.stop({ removeTopology: options.isolated }).finally(() => process.exit(130));
  });
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
    const context = {
      runId: result.runId,
      target: `local (${stackName})`,
      facts: {
        stage: options.stage,
        ...(options.configOverrides && Object.keys(options.configOverrides).length > 0
          ? { config: JSON.stringify(options.configOverrides) }
          : {}),
        timeScale: options.timeScale,
        vhost: pipeline.topology.topology.vhost,
        sqsVisibilityTimeoutSec: pipeline.queues.source.visibilityTimeoutSec,
        maxReceiveCount: redrive?.maxReceiveCount ?? 0,
        invalidRecordsFailFast: settings.consumerFailFast,
        effectsCountedFrom: result.effectsCountedFrom,
        shards: result.perShard.length,
      },
      perShard: result.perShard,
    };
    return writeRunReport(result.report, context, options, io);
  } finally {
    if (!interrupted) await pipeline.stop({ removeTopology: options.isolated });
  }
}

async function serve(
  pipeline: LocalPipeline,
  options: LocalCommandOptions,
  io: CommandIo,
  say: (l: string) => void,
): Promise<number> {
  const t = pipeline.topology.topology;
  const handle = startServe({
    pipeline,
    receiptsFile: options.serveReceiptsFile!,
    write: (line) => void io.stderr.write(line),
  });
  const host = new URL(options.broker.amqpUrl);
  say(
    [
      'Serving. Publish JSON messages (see lambda/shared/message.ts) with any AMQP client:',
      `  broker   amqp://${host.hostname}:${host.port || 5672}  vhost "${t.vhost}"  user ${options.broker.username} (or the topology's own users)`,
      `  exchange "${t.producerExchange}" (consistent hash over ${t.sourceQueues.length} shard queue(s))  routing key: the message's ordering key (its id, or its FIFO group)`,
      `  receipts → ${options.serveReceiptsFile} (one JSON line per processed message)`,
      publishExamples({
        host: host.hostname,
        port: Number(host.port || 5672),
        vhost: t.vhost,
        exchange: t.producerExchange,
        username: options.broker.username,
        password: options.broker.password,
      }),
      'Ctrl-C stops: intake first, then what is already in SQS is finished.',
      `ready: vhost=${t.vhost}`,
    ].join('\n'),
  );
  await new Promise<void>((resolve) => io.onShutdown?.(resolve));
  say('Shutting down …');
  const summary = await handle.stop();
  if (options.isolated) await pipeline.stop({ removeTopology: true });
  say(
    `Stopped cleanly: ${summary.receipts} receipts written, ${summary.deadLettered} dead-lettered` +
      (summary.leftInSqs > 0 ? `, ${summary.leftInSqs} still in the in-memory SQS queue (not processed)` : '') +
      '.',
  );
  return summary.leftInSqs > 0 ? EXIT.failed : EXIT.passed;
}

function describeSettings(stackName: string, pipeline: LocalPipeline, timeScale: number): string {
  const s = pipeline.settings;
  const q = pipeline.queues.source;
  return [
    `Local pipeline for ${stackName} (settings from the synthesized template):`,
    `  RabbitMQ  vhost "${pipeline.topology.topology.vhost}", ${s.rabbitMqMappings.length} shard queue(s) ${s.rabbitMqMappings.map((m) => `"${m.queue}"`).join(', ')}; one event source each: batch ${s.rabbitMqMappings[0].batchSize}, window ${s.rabbitMqMappings[0].batchingWindowSec} s, concurrency 1`,
    `  SQS       ${s.sourceQueue.fifo ? 'FIFO' : 'standard'} queue, visibility ${q.visibilityTimeoutSec} s${timeScale === 1 ? '' : ` (template ${s.sourceQueue.visibilityTimeoutSec} s × time scale ${timeScale})`}, maxReceiveCount ${s.sourceQueue.redrive?.maxReceiveCount}; event source batch ${s.sqsMapping.batchSize}, concurrency ${s.sqsMapping.maximumConcurrency ?? `${LOCAL_DEFAULT_SQS_CONCURRENCY} (local default)`}`,
    `  Functions timeouts: bridge ${s.functions.bridge.timeoutSec} s, consumer ${s.functions.consumer.timeoutSec} s`,
  ].join('\n');
}
