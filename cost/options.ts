import { isStageName, STAGE_NAMES, type StageConfigOverrides } from '../lib/config/stages';
import { MAX_BODY_BYTES } from '../lambda/shared/sqs-limits';
import { decimalOption, integerOption, UsageError } from '../verify/cli-args';
import { parseCommandLine } from '../verify/command-line';
import { DEFAULT_PRICE_REGION, PRICE_REGIONS, type PriceRegion } from './price-table';

/** Options of `npm run cost`; every refusal is a {@link UsageError} naming the option, the value and what is allowed. */
export interface CostOptions {
  readonly stage: string;
  /** Messages per second. */
  readonly ratePerSec: number;
  /** Message body, bytes. @default 1024 */
  readonly sizeBytes: number;
  /** Stage config overrides, as `-c config=…` takes them. @default {} */
  readonly overrides: StageConfigOverrides;
  /** @default 'us-east-1' */
  readonly region: PriceRegion;
  readonly jsonFile?: string;
  readonly plotFile?: string;
  /** @default bench/handler-times.json */
  readonly handlerTimesFile?: string;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run cost -- --stage NAME --rate MSG_PER_SEC [options]

Synthesizes the stage, reads its billable resources from the template and estimates a month (730 hours): the fixed
part, the cost per million messages and the total at the given rate. Prices: cost/prices/REGION.json.

  --stage NAME          ${STAGE_NAMES.join(' | ')}                                         required
  --rate N              messages per second (greater than 0, at most 1000000)  required
  --size BYTES          message body size                                      default: 1024
  --config JSON         stage config overrides, as with cdk -c config=JSON     default: none
  --region REGION       ${PRICE_REGIONS.join(' | ')}               default: ${DEFAULT_PRICE_REGION}
  --json FILE           also write the estimate as JSON
  --plot FILE.svg       also draw monthly cost against 1 to 100,000 msg/s for every stage
  --handler-times FILE  handler times measured by npm run bench  default: bench/handler-times.json
  --help
`;

export const MAX_RATE = 1_000_000;

/** Parses `argv` (without `node` and the script). */
export function parseCostOptions(argv: readonly string[]): CostOptions {
  const values = parseCommandLine(argv, {
    stage: { type: 'string' },
    rate: { type: 'string' },
    size: { type: 'string' },
    config: { type: 'string' },
    region: { type: 'string' },
    json: { type: 'string' },
    plot: { type: 'string' },
    'handler-times': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    return { stage: '', ratePerSec: 0, sizeBytes: 0, overrides: {}, region: DEFAULT_PRICE_REGION, help: true };
  }
  if (values.stage === undefined) throw new UsageError(`--stage is required; allowed: ${STAGE_NAMES.join(', ')}`);
  if (!isStageName(values.stage)) {
    throw new UsageError(`--stage is ${JSON.stringify(values.stage)}; allowed: ${STAGE_NAMES.join(', ')}`);
  }
  if (values.rate === undefined) {
    throw new UsageError(`--rate is required: messages per second, a number greater than 0 and at most ${MAX_RATE}`);
  }
  const region = values.region ?? DEFAULT_PRICE_REGION;
  if (!(PRICE_REGIONS as readonly string[]).includes(region)) {
    throw new UsageError(
      `--region is ${JSON.stringify(region)}; allowed: ${PRICE_REGIONS.join(', ')} (the regions with a price table in cost/prices/)`,
    );
  }
  if (values.plot !== undefined && !values.plot.endsWith('.svg')) {
    throw new UsageError(`--plot is ${JSON.stringify(values.plot)}; expected a file name ending in .svg`);
  }
  return {
    stage: values.stage,
    ratePerSec: decimalOption('rate', values.rate, 0, MAX_RATE),
    sizeBytes: integerOption('size', values.size, 1024, 1, MAX_BODY_BYTES),
    overrides: parseOverrides(values.config),
    region: region as PriceRegion,
    jsonFile: values.json,
    plotFile: values.plot,
    handlerTimesFile: values['handler-times'],
    help: false,
  };
}

function parseOverrides(raw: string | undefined): StageConfigOverrides {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new UsageError(
      `--config is ${JSON.stringify(raw)}; expected a JSON object such as '{"broker":{"instanceType":"mq.m7g.large"}}' ` +
        `(${(error as Error).message})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(
      `--config is ${JSON.stringify(raw)}; expected a JSON object, not ${Array.isArray(parsed) ? 'an array' : typeof parsed}`,
    );
  }
  return parsed as StageConfigOverrides;
}
