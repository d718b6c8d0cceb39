import { randomBytes } from 'node:crypto';
import { brokerFrom } from '../local/cli';
import { defaultDrainBudgetMs } from '../local/local-run';
import { startLocalPipeline, type LocalPipeline } from '../local/pipeline';
import { synthesizeStage } from '../local/synth';
import { readLocalSettings } from '../local/template-reader';
import type { VerificationReport } from '../verify/accounting';
import type { BenchOptions } from './options';
import { runThroughPipeline } from './pipeline-run';
import type { SectionResult } from './report';
import { latencyPercentiles, median, round } from './stats';

/** Warm-up run before the measured ones (JIT, connections, the emulator's first queues). */
const WARM_UP_MESSAGES = 2_000;
/** The latency run publishes at this fraction of the pipeline's measured maximum. */
export const LATENCY_LOAD = 0.5;
/** Seconds of paced publishing per latency repetition: enough samples for a p99, bounded for the time budget. */
const LATENCY_RUN_SEC = 10;

export type PipelineFigures = SectionResult<
  'pipelinePerSec' | 'pipelineSqsCallsPerMessage' | 'pipelineRatio' | 'latencyMs'
>;

function requireClean(report: VerificationReport, what: string): void {
  if (report.lost > 0 || report.delivered !== report.expected.good || report.problems.length > 0) {
    throw new Error(
      `pipeline ${what}: ${report.delivered} of ${report.expected.good} delivered; ${report.problems.join('; ')}`,
    );
  }
}

/**
 * The whole local pipeline (local/pipeline.ts, configured from the dev stage's synthesized template, in a throwaway
 * vhost): end-to-end throughput with the project's own accounting (delivered ÷ first publish to last receipt), then
 * latency with paced publishing at {@link LATENCY_LOAD} of that throughput.
 */
export async function runPipelineSection(
  options: BenchOptions,
  progress: (message: string) => void,
  raw: { rawAmqpPerSec?: number; rawSqsPerSec?: number },
): Promise<PipelineFigures> {
  const settings = readLocalSettings(synthesizeStage('dev', options.overrides).template);
  const suffix = randomBytes(4).toString('hex');
  const pipeline: LocalPipeline = await startLocalPipeline({
    settings,
    broker: brokerFrom(options.amqpUrl, options.managementUrl),
    isolation: { vhost: `bench-${suffix}`, userSuffix: suffix },
    // SQS is a service apart: its emulator's work stays off the handlers' event loop, as in every section.
    sqsOnOwnThread: true,
    write: () => undefined,
  });
  // Every SQS call of the pipeline goes through this one client (bridge, SQS event source, consumer receipts).
  let sqsCalls = 0;
  pipeline.sqs.client.middlewareStack.add(
    (next) => async (args) => {
      sqsCalls += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountSqsCalls' },
  );
  try {
    const callsPerMessage: number[] = [];
    const run = async (messages: number, what: string) => {
      const result = await runThroughPipeline(pipeline, {
        messages,
        size: options.size,
        timeoutMs: defaultDrainBudgetMs(pipeline, messages),
        sqsCalls: () => sqsCalls,
      });
      requireClean(result.report, what);
      if (result.sqsCallsPerMessage !== undefined) callsPerMessage.push(result.sqsCallsPerMessage);
      return result.report.throughputPerSec;
    };
    await run(Math.min(WARM_UP_MESSAGES, options.messages), 'warm-up');
    callsPerMessage.length = 0;
    const throughput: number[] = [];
    for (let i = 0; i < options.repetitions; i++) {
      throughput.push(await run(options.messages, `repetition ${i + 1}`));
      progress(`pipeline ${i + 1}/${options.repetitions}: ${Math.round(throughput[i])}/s delivered end to end`);
    }
    const pipelinePerSec = median(throughput);

    const ratePerSec = pipelinePerSec * LATENCY_LOAD;
    const messages = Math.min(options.messages, Math.max(100, Math.round(ratePerSec * LATENCY_RUN_SEC)));
    const p50: number[] = [];
    const p95: number[] = [];
    const p99: number[] = [];
    for (let i = 0; i < options.repetitions; i++) {
      const paced = await runThroughPipeline(pipeline, {
        ratePerSec,
        messages,
        size: options.size,
        timeoutMs: defaultDrainBudgetMs(pipeline, messages),
      });
      requireClean(paced.report, `latency repetition ${i + 1}`);
      const latency = latencyPercentiles(paced.latenciesMs);
      p50.push(latency.p50);
      p95.push(latency.p95);
      p99.push(latency.p99);
      progress(
        `latency ${i + 1}/${options.repetitions} at ${Math.round(paced.publishedPerSec)}/s: ` +
          `p50 ${Math.round(latency.p50)} ms, p95 ${Math.round(latency.p95)} ms, p99 ${Math.round(latency.p99)} ms`,
      );
    }

    const slowerRaw =
      raw.rawAmqpPerSec !== undefined && raw.rawSqsPerSec !== undefined
        ? Math.min(raw.rawAmqpPerSec, raw.rawSqsPerSec)
        : undefined;
    return {
      pipelinePerSec: Math.round(pipelinePerSec),
      pipelineSqsCallsPerMessage: round(median(callsPerMessage), 3),
      ...(slowerRaw !== undefined ? { pipelineRatio: round(pipelinePerSec / slowerRaw) } : {}),
      latencyMs: {
        p50: round(median(p50), 1),
        p95: round(median(p95), 1),
        p99: round(median(p99), 1),
        ratePerSec: Math.round(ratePerSec),
        messages,
      },
      runs: {
        pipelinePerSec: throughput.map(Math.round),
        'latencyMs.p50': p50.map((v) => round(v, 1)),
        'latencyMs.p95': p95.map((v) => round(v, 1)),
        'latencyMs.p99': p99.map((v) => round(v, 1)),
      },
    };
  } finally {
    await pipeline.stop({ removeTopology: true });
  }
}
