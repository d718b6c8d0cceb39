/**
 * `npm run bench -- [--json FILE] [--messages N] [--size BYTES] [--repetitions N] [--only LIST]`
 *
 * Measures, in one run against the local broker and the embedded SQS emulator, the project's functions and pipeline
 * against the raw speed of the same broker, emulator and toolchain, and reports the ratios against the targets of
 * docs/performance.md. Progress goes to stderr, the summary to stdout. Exit code 0 whether or not targets are met
 * (it is a measurement); 1 when the bench itself could not run; 2 on bad arguments.
 */
import { writeFileSync } from 'node:fs';
import { BrokerUnavailableError, ensureBroker } from '../local/broker-probe';
import { brokerFrom } from '../local/cli';
import { runAmqpSection } from './amqp-section';
import { MIN_COLD_STARTS, runColdStartSection } from './cold-start';
import { describeMachine } from './machine';
import type { HandlerTimesFile } from '../cost/handler-times';
import { parseBenchOptions, USAGE, type BenchOptions, type Section } from './options';
import { runPipelineSection } from './pipeline-section';
import { runShardScalingSection } from './shard-scaling-section';
import { benchElapsedSec, progress } from './progress';
import { RAW_AMQP_IN_FLIGHT } from './raw-amqp';
import { runHandlerSection } from './handler-section';
import { ensureLocalKafka, LOCAL_KAFKA } from '../local/kafka/kafka-command';
import {
  KAFKA_BENCH_PARTITIONS,
  KAFKA_BRIDGE_EVENT_RECORDS,
  KAFKA_RAW_SQS_PARALLELISM,
  runKafkaSection,
} from './kafka-section';
import { evaluateTargets, formatTargets, type BenchFigures, type BenchReport } from './report';
import { BRIDGE_EVENT_RECORDS, runSqsSection, SEND_PARALLELISM } from './sqs-section';
import { round } from './stats';
import { runSynthSection } from './synth';

/** Sections that need the broker; checked up front so a missing broker is one clear message, not a stack trace. */
const BROKER_SECTIONS: readonly Section[] = ['amqp', 'pipeline', 'shards'];

async function runBench(options: BenchOptions, kafkaVersion: string): Promise<BenchReport> {
  const machine = describeMachine();
  progress(
    `${machine.cores} cores, ${machine.totalMemoryMB} MiB, Node ${machine.nodeVersion}, load ${machine.loadAverage1m}; ` +
      `${options.messages} messages of ${options.size} bytes, ${options.repetitions} repetitions` +
      (options.smoke ? ' (smoke: not a measurement)' : ''),
  );
  const runs: Record<string, readonly number[]> = {};
  let figures: Partial<BenchFigures> = {};
  /** Runs a section when selected, keeps its repetitions and adds its figures (all but `exclude`) to the report. */
  const section = async <R extends { readonly runs: Record<string, number[]> }>(
    name: Section,
    run: () => Promise<R>,
    exclude: readonly string[] = [],
  ): Promise<R | undefined> => {
    if (!options.only.includes(name)) return undefined;
    progress(`${name}: start`);
    const result = await run();
    Object.assign(runs, result.runs);
    const dropped = new Set(['runs', ...exclude]);
    figures = { ...figures, ...Object.fromEntries(Object.entries(result).filter(([key]) => !dropped.has(key))) };
    return result;
  };

  const coldStarts = options.smoke ? options.repetitions : Math.max(options.repetitions, MIN_COLD_STARTS);
  await section('bundle', () => runColdStartSection(coldStarts, progress));
  await section('synth', () => runSynthSection(options.repetitions, progress));
  const amqp = await section('amqp', () => runAmqpSection(options, progress), ['brokerVersion']);
  const sqs = await section('sqs', () => runSqsSection(options, progress));
  await section('kafka', () => runKafkaSection(options, [LOCAL_KAFKA], progress));
  await section('pipeline', () =>
    runPipelineSection(options, progress, {
      rawAmqpPerSec: amqp?.rawAmqpConfirmedPublishPerSec,
      rawSqsPerSec: sqs?.rawSqsBatchSendPerSec,
    }),
  );
  await section('shards', () => runShardScalingSection(options, progress));
  await section('handlers', () => runHandlerSection(options, progress));

  return {
    machine: { ...machine, brokerVersion: amqp?.brokerVersion ?? 'not contacted', kafkaVersion },
    settings: {
      messages: options.messages,
      sizeBytes: options.size,
      repetitions: options.repetitions,
      rawAmqpInFlight: RAW_AMQP_IN_FLIGHT,
      sendParallelism: SEND_PARALLELISM,
      bridgeEventRecords: BRIDGE_EVENT_RECORDS,
      kafkaBridgeEventRecords: KAFKA_BRIDGE_EVENT_RECORDS,
      kafkaPartitions: KAFKA_BENCH_PARTITIONS,
      kafkaRawSqsParallelism: KAFKA_RAW_SQS_PARALLELISM,
      smoke: options.smoke,
      sections: options.only,
    },
    ...figures,
    durationSec: round(benchElapsedSec(), 1),
    runs,
    targets: evaluateTargets(figures),
  };
}

async function main(): Promise<number> {
  // The handlers run on Node 22+ in Lambda, where the SDK has nothing to warn about; keep stderr for progress.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${(error as Error).message}`);
    if (!(error as Error).message.includes('usage:')) console.error(USAGE);
    return 2;
  }
  if (options.only.some((s) => BROKER_SECTIONS.includes(s))) {
    try {
      await ensureBroker(brokerFrom(options.amqpUrl, options.managementUrl), (line) => console.error(`bench: ${line}`));
    } catch (error) {
      if (!(error instanceof BrokerUnavailableError)) throw error;
      console.error(`bench: ${error.message}`);
      return 1;
    }
  }
  let kafkaVersion = 'not contacted';
  if (options.only.includes('kafka')) {
    try {
      kafkaVersion = ensureLocalKafka((line) => console.error(`bench: ${line}`));
    } catch (error) {
      console.error(`bench: the kafka section needs the local Kafka broker: ${(error as Error).message}`);
      return 1;
    }
  }
  const report = await runBench(options, kafkaVersion);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  if (options.jsonFile) {
    writeFileSync(options.jsonFile, json);
    progress(`wrote ${options.jsonFile}`);
  }
  if (options.handlerTimesFile && report.handlers) {
    writeFileSync(options.handlerTimesFile, handlerTimesJson(report, process.argv.slice(2)));
    progress(`wrote ${options.handlerTimesFile}`);
  }
  // The summary leaves out the repetitions and the targets, which follow in words.
  const summary: Partial<BenchReport> = { ...report, runs: undefined, targets: undefined };
  console.log(JSON.stringify(summary, null, 2));
  console.log(formatTargets(report.targets));
  progress(`done in ${round(benchElapsedSec(), 1)} s`);
  return 0;
}

/** The file `npm run cost` reads: the handlers section's figures with when, how and where they were measured. */
function handlerTimesJson(report: BenchReport, argv: readonly string[]): string {
  const file: HandlerTimesFile = {
    measuredAt: new Date().toISOString(),
    command: `npm run bench -- ${argv.join(' ')}`,
    machine: { ...report.machine, smoke: report.settings.smoke, sizeBytes: report.settings.sizeBytes },
    note:
      'Real handlers against the SQS emulator (on its own thread) and the in-memory idempotency store, timed at 1 record and at ' +
      'the dev stage batch size: no AWS network round trips (SQS through an endpoint, DynamoDB), so a lower bound of ' +
      'the billed duration. Log bytes and events from the real Powertools logger and metrics at each level.',
    functions: report.handlers ?? {},
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
