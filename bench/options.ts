import { describeSizeLimit } from '../lambda/shared/message-size';
import { stageMessageSizeLimit } from '../lib/config/broker-capacity';
import { loadStageConfig } from '../lib/config/stages';
import { unknownOptionMessage } from '../verify/command-line';
import { parseConfigOverrides } from '../lib/config/config-overrides';
import type { StageConfigOverrides } from '../lib/config/stages';

/** Command-line options of `npm run bench`, validated with messages that name the option, the value and what is allowed. */

/** Parts of the bench, in the order they run. */
export const SECTIONS = ['bundle', 'synth', 'amqp', 'sqs', 'kafka', 'pipeline', 'shards', 'handlers'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  /** Where the JSON report goes. @default - not written (summary on stderr only) */
  readonly jsonFile?: string;
  /** Messages per throughput repetition. @default 20000 */
  readonly messages: number;
  /** Payload size of each message, in bytes. @default 512 */
  readonly size: number;
  /** Repetitions per figure; the report holds their median. @default 5 */
  readonly repetitions: number;
  /** Smoke mode (tests only): allows fewer than 3 repetitions and marks the report as not a measurement. @default false */
  readonly smoke: boolean;
  /** Broker the raw, producer and pipeline figures use. @default 'amqp://guest:guest@127.0.0.1:5672' */
  readonly amqpUrl: string;
  /** Management API of the same broker (the local runtime applies the topology through it). @default 'http://guest:guest@127.0.0.1:15672' */
  readonly managementUrl: string;
  /** Sections to run. @default - all of SECTIONS */
  readonly only: readonly Section[];
  /** Stage config overrides (`--config JSON`, as `cdk synth -c config=JSON`) for the pipeline sections. @default {} */
  readonly overrides: StageConfigOverrides;
  /** Where the `handlers` section's figures go for `npm run cost` (e.g. bench/handler-times.json). @default - not written */
  readonly handlerTimesFile?: string;
}

/** The bench runs the dev stage: its size limit (min of the broker's max_message_size and SQS's) bounds --size. */
const SIZE_LIMIT = stageMessageSizeLimit(loadStageConfig('dev'));

export const USAGE = `usage: npm run bench -- [--json FILE] [--messages N] [--size BYTES] [--repetitions N] [--only LIST]
  [--config JSON] [--handler-times FILE]
  --json FILE        write the report as JSON to FILE
  --messages N       messages per repetition (default 20000, at least 10)
  --size BYTES       payload bytes per message (default 512, 64 to ${SIZE_LIMIT.maxBodyBytes}: the dev stage's size limit)
  --repetitions N    repetitions per figure, median reported (default 5, at least 3)
  --only LIST        comma-separated subset of: ${SECTIONS.join(', ')}
  --config JSON      dev stage config overrides for the pipeline sections, as cdk synth -c config=JSON takes them
  --amqp-url URL     broker (default amqp://guest:guest@127.0.0.1:5672)
  --management-url URL  management API (default http://guest:guest@127.0.0.1:15672)
  --handler-times FILE  write the handlers section's figures for npm run cost (bench/handler-times.json)
  --smoke            tests only: tiny runs, 1 repetition allowed, figures are not a measurement`;

const MIN_MESSAGES = 10;
// Below 64 bytes the JSON envelope (id, timestamp) does not fit.
const MIN_SIZE = 64;

function integer(option: string, raw: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = Number(raw);
  if (raw === undefined || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer between ${min} and ${max}`;
    throw new Error(`${option}: expected ${range}, received ${JSON.stringify(raw ?? null)}`);
  }
  return value;
}

function sizeBytes(raw: string | undefined): number {
  try {
    return integer('--size', raw, MIN_SIZE, SIZE_LIMIT.maxBodyBytes);
  } catch (error) {
    throw new Error(`${(error as Error).message} (the limit is ${describeSizeLimit(SIZE_LIMIT)})`);
  }
}

function text(option: string, raw: string | undefined): string {
  if (raw === undefined || raw === '' || raw.startsWith('--')) {
    throw new Error(`${option}: expected a value, received ${JSON.stringify(raw ?? null)}`);
  }
  return raw;
}

function sections(raw: string | undefined): Section[] {
  const names = text('--only', raw)
    .split(',')
    .map((s) => s.trim());
  for (const name of names) {
    if (!(SECTIONS as readonly string[]).includes(name)) {
      throw new Error(`--only: unknown section ${JSON.stringify(name)}; allowed: ${SECTIONS.join(', ')}`);
    }
  }
  return SECTIONS.filter((s) => names.includes(s));
}

const OPTION_NAMES = [
  'json',
  'messages',
  'size',
  'repetitions',
  'only',
  'amqp-url',
  'management-url',
  'config',
  'handler-times',
  'smoke',
];

function unknownArgument(arg: string): string {
  return arg.startsWith('--')
    ? unknownOptionMessage(arg.slice(2), OPTION_NAMES)
    : `unknown argument ${JSON.stringify(arg)}`;
}

/** Parses `argv` (without `node` and the script). Throws on anything it does not understand. */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let jsonFile: string | undefined;
  let handlerTimesFile: string | undefined;
  let messages = 20_000;
  let size = 512;
  let repetitions: number | undefined;
  let smoke = false;
  let amqpUrl = 'amqp://guest:guest@127.0.0.1:5672';
  let managementUrl = 'http://guest:guest@127.0.0.1:15672';
  let only: readonly Section[] = SECTIONS;
  let overrides: StageConfigOverrides = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    switch (arg) {
      case '--json':
        jsonFile = text(arg, argv[++i]);
        break;
      case '--messages':
        messages = integer(arg, argv[++i], MIN_MESSAGES);
        break;
      case '--size':
        size = sizeBytes(argv[++i]);
        break;
      case '--repetitions':
        repetitions = integer(arg, argv[++i], 1);
        break;
      case '--handler-times':
        handlerTimesFile = text(arg, argv[++i]);
        break;
      case '--only':
        only = sections(argv[++i]);
        break;
      case '--amqp-url':
        amqpUrl = text(arg, argv[++i]);
        break;
      case '--management-url':
        managementUrl = text(arg, argv[++i]);
        break;
      case '--config':
        overrides = parseConfigOverrides(text(arg, argv[++i]), { context: 'Invalid option', field: '--config' });
        break;
      case '--smoke':
        smoke = true;
        break;
      default:
        throw new Error(`${unknownArgument(arg)}\n${USAGE}`);
    }
  }
  // Five by default: the whole bench still takes only a few minutes, and medians of five resist a noisy neighbour.
  const reps = repetitions ?? (smoke ? 1 : 5);
  if (!smoke && reps < 3) {
    throw new Error(`--repetitions: expected an integer >= 3 (each figure is a median), received ${reps}`);
  }
  if (handlerTimesFile !== undefined && !only.includes('handlers')) {
    throw new Error(`--handler-times: needs the handlers section, but --only is ${only.join(',')}`);
  }
  return {
    jsonFile,
    messages,
    size,
    repetitions: reps,
    smoke,
    amqpUrl,
    managementUrl,
    only,
    handlerTimesFile,
    overrides,
  };
}
