/**
 * `npm run cost -- --stage prod --rate 1000 [--size 1024] [--config JSON] [--region us-east-1] [--json FILE]
 * [--plot FILE.svg]`: what a stage costs a month at a steady message rate, read from its own synthesized template.
 * Exit code 0 with an estimate; 2 when it could not be made (bad option, invalid config, a price missing).
 */
import { writeFileSync } from 'node:fs';
import { ConfigValidationError } from '../lib/config/config-issue';
import { STAGE_NAMES } from '../lib/config/stages';
import { type SynthesizedStage, synthesizeStage } from '../local/synth';
import { EXIT, UsageError } from '../verify/cli-args';
import { estimateCost } from './estimate';
import { type HandlerTimesFile, loadHandlerTimes } from './handler-times';
import { MissingPriceError, loadPriceTable, type PriceTable } from './price-table';
import { type CostOptions, parseCostOptions, USAGE } from './options';
import { costPlotSvg, type CostCurve, logRates } from './plot';
import { estimateJson, formatEstimate } from './report';

/** Rates the plot spans: 1 to 100,000 messages per second. */
export const PLOT_RATES = logRates(1, 100_000, 10);

interface Io {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** Process-independent entry point (tests call it). */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let options: CostOptions;
  try {
    options = parseCostOptions(argv);
    if (options.help) {
      io.stdout.write(USAGE);
      return EXIT.passed;
    }
    const prices = loadPriceTable(options.region);
    const handlerTimes = loadHandlerTimes(options.handlerTimesFile);
    const synthesized = synthesizeStage(options.stage, options.overrides);
    const estimate = estimateCost({
      stage: options.stage,
      ...synthesized,
      prices,
      handlerTimes,
      traffic: { ratePerSec: options.ratePerSec, sizeBytes: options.sizeBytes },
    });
    io.stdout.write(formatEstimate(estimate));
    if (options.jsonFile) writeFileSync(options.jsonFile, estimateJson(estimate));
    if (options.plotFile) {
      writeFileSync(options.plotFile, plotStages(options, synthesized, prices, handlerTimes));
      io.stderr.write(`cost: wrote ${options.plotFile}\n`);
    }
    return EXIT.passed;
  } catch (error) {
    io.stderr.write(`cost: ${describeFailure(error)}\n`);
    return EXIT.cannotRun;
  }
}

/** One curve per stage; `--config` applies to the chosen stage only (another stage may refuse its fields). */
function plotStages(
  options: CostOptions,
  chosen: SynthesizedStage,
  prices: PriceTable,
  handlerTimes: HandlerTimesFile,
): string {
  const curves: CostCurve[] = STAGE_NAMES.map((stage) => {
    const overrides = stage === options.stage ? options.overrides : {};
    const { stackName, template } = stage === options.stage ? chosen : synthesizeStage(stage);
    const points = PLOT_RATES.map((ratePerSec) => {
      const estimate = estimateCost({
        stage,
        stackName,
        template,
        prices,
        handlerTimes,
        traffic: { ratePerSec, sizeBytes: options.sizeBytes },
      });
      return { ratePerSec, monthlyUsd: estimate.monthlyUsd.total };
    });
    return {
      label: `${stage}${stage === options.stage && Object.keys(overrides).length > 0 ? ' (with --config)' : ''}`,
      points,
    };
  });
  return costPlotSvg(
    curves,
    `Monthly cost by message rate (${options.sizeBytes} B messages, ${prices.region}, prices of ${prices.retrieved})`,
  );
}

function describeFailure(error: unknown): string {
  if (error instanceof UsageError) return `${error.message}\n\n${USAGE}`;
  const e = error as Error;
  if (error instanceof ConfigValidationError || error instanceof MissingPriceError) return e.message;
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`cost: ${(error as Error).message}\n`);
      process.exit(EXIT.cannotRun);
    },
  );
}
