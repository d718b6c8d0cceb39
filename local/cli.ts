import { stageMessageSizeLimit } from '../lib/config/broker-capacity';
import { ConfigValidationError } from '../lib/config/config-issue';
import { parseConfigOverrides } from '../lib/config/config-overrides';
import { loadStageConfig, type StageConfigOverrides } from '../lib/config/stages';
import { decimalOption, EXIT, RUN_OPTIONS, runShape, sourceOption, UsageError } from '../verify/cli-args';
import { parseCommandLine } from '../verify/command-line';
import type { CommandIo } from './local-command';
import type { LocalBroker } from './topology-setup';

const USAGE = `Usage: npm start -- [options]

Runs the whole flow on this machine — local RabbitMQ broker, embedded SQS emulator, the real producer, bridge and
consumer under event-source emulators, all configured from the synthesized template — and verifies every message.

  --messages N          messages to publish, poison included                 default: 1000
  --poison N            schema-invalid messages among them (end in a DLQ)    default: 1% of --messages
  --size BYTES          body size of generated messages, up to the stage's size limit   default: minimal
  --stage NAME          stage whose template is synthesized                  default: dev
  --config JSON         override stage fields, as cdk synth -c config='{…}' does, e.g. '{"queues":{"fifo":true}}'
  --source NAME         rabbitmq, or kafka (starts the local Kafka broker with scripts/ensure-kafka.sh and
                        synthesizes the stage with kafka.enabled)                default: rabbitmq
  --kafka-brokers LIST  with --source kafka: use these brokers instead of the project's local one
  --json FILE           also write the report as JSON
  --serve               keep the pipeline running for any AMQP client until Ctrl-C
  --receipts FILE       with --serve: JSON-lines file of receipts             default: local-receipts.jsonl
  --amqp-url URL        broker, administrator credentials                    default: amqp://guest:guest@127.0.0.1:5672
  --management-url URL  management API (user:password@ optional)            default: http://127.0.0.1:15672
  --time-scale F        multiply SQS visibility timeouts by F (printed in the report; 1 = as deployed)   default: 1
  --timeout SEC         how long to wait for every message                   default: from the template's redrive
  --isolated            use a throwaway vhost and users (Kafka: topic and group), removed afterwards
  --verbose             print the handlers' log lines
  --help

Environment: LOCAL_AMQP_URL and LOCAL_MANAGEMENT_URL set the broker defaults.
Exit code 0 only if nothing confirmed is lost, exactly the poison messages are dead-lettered, every valid message
had its effect once and, with FIFO queues, none took effect after a later message of its group (outOfOrder 0).
`;

const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';
const DEFAULT_MANAGEMENT_URL = 'http://127.0.0.1:15672';

/** Process-independent entry point; the integration tests call it in-process. */
export async function main(
  argv: readonly string[],
  io: CommandIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let values;
  try {
    values = parseCommandLine(argv, {
      ...RUN_OPTIONS,
      stage: { type: 'string' },
      config: { type: 'string' },
      source: { type: 'string' },
      'kafka-brokers': { type: 'string' },
      json: { type: 'string' },
      serve: { type: 'boolean' },
      receipts: { type: 'string' },
      'amqp-url': { type: 'string' },
      'management-url': { type: 'string' },
      'time-scale': { type: 'string' },
      isolated: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    });
  } catch (error) {
    io.stderr.write(`npm start: ${(error as Error).message}\n\n${USAGE}`);
    return EXIT.cannotRun;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.passed;
  }
  try {
    if (values.receipts !== undefined && !values.serve) throw new UsageError('--receipts only applies with --serve');
    const stage = values.stage ?? 'dev';
    const configOverrides = configOption(values.config);
    // The stage's config (not its synthesized template, which takes seconds) gives the size limit, so an oversized
    // --size stops here, before the broker probe, the synth and the topology.
    const sizeLimit = stageMessageSizeLimit(loadStageConfig(stage, configOverrides));
    const { messages, poison, size, timeoutSec } = runShape(values, sizeLimit);
    const source = sourceOption(values.source);
    if (values['kafka-brokers'] !== undefined && source !== 'kafka') {
      throw new UsageError('--kafka-brokers only applies with --source kafka');
    }
    if (source === 'kafka') {
      if (values.serve) throw new UsageError('--serve is not available with --source kafka yet');
      const { runKafkaCommand } = await import('./kafka/kafka-command');
      return await runKafkaCommand(
        {
          stage,
          configOverrides,
          messages,
          poison,
          size,
          brokers: values['kafka-brokers']
            ?.split(',')
            .map((b) => b.trim())
            .filter((b) => b !== ''),
          timeScale: decimalOption('time-scale', values['time-scale'], 1, 1),
          timeoutSec,
          isolated: values.isolated ?? false,
          verbose: values.verbose ?? false,
          jsonFile: values.json,
        },
        io,
      );
    }
    // Loaded only now: the runtime (handlers, SQS emulator, synth) takes seconds to load, a refused option none.
    const { runLocalCommand } = await import('./local-command');
    return await runLocalCommand(
      {
        stage,
        configOverrides,
        messages,
        poison,
        size,
        broker: brokerFrom(
          values['amqp-url'] ?? env.LOCAL_AMQP_URL ?? DEFAULT_AMQP_URL,
          values['management-url'] ?? env.LOCAL_MANAGEMENT_URL ?? DEFAULT_MANAGEMENT_URL,
        ),
        timeScale: decimalOption('time-scale', values['time-scale'], 1, 1),
        timeoutSec,
        isolated: values.isolated ?? false,
        verbose: values.verbose ?? false,
        jsonFile: values.json,
        serveReceiptsFile: values.serve ? (values.receipts ?? 'local-receipts.jsonl') : undefined,
      },
      io,
    );
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`npm start: ${error.message}\n\n${USAGE}`);
      return EXIT.cannotRun;
    }
    if (error instanceof ConfigValidationError) {
      io.stderr.write(`npm start: ${error.message}\n`);
      return EXIT.cannotRun;
    }
    // Anything else is reported as one line: what failed, not where in the code.
    io.stderr.write(`\nnpm start: ${(error as Error).name}: ${(error as Error).message}\n`);
    return EXIT.cannotRun;
  }
}

/** `--config`: the same JSON `cdk synth -c config='{…}'` takes, read by the same code; a usage error otherwise. */
export function configOption(raw: string | undefined): StageConfigOverrides {
  try {
    return parseConfigOverrides(raw, { context: 'Invalid option', field: '--config' });
  } catch (error) {
    if (error instanceof ConfigValidationError) throw new UsageError(error.message);
    throw error;
  }
}

/** Administrator credentials: the management URL's user info, else the AMQP URL's, else guest/guest. */
export function brokerFrom(amqpUrl: string, managementUrl: string): LocalBroker {
  const amqp = parseUrl('amqp-url', amqpUrl, ['amqp:', 'amqps:']);
  const management = parseUrl('management-url', managementUrl, ['http:', 'https:']);
  const username = decodeURIComponent(management.username || amqp.username || 'guest');
  const password = decodeURIComponent(management.password || amqp.password || 'guest');
  management.username = '';
  management.password = '';
  return { amqpUrl: amqp.href, managementUrl: management.href.replace(/\/+$/, ''), username, password };
}

function parseUrl(option: string, raw: string, schemes: string[]): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--${option} is ${JSON.stringify(raw.replace(/\/\/[^/@]*@/, '//***@'))}; expected a URL starting with ${schemes.join(' or ')}//`,
    );
  }
  if (!schemes.includes(url.protocol)) {
    throw new UsageError(`--${option} uses ${url.protocol}; expected ${schemes.join(' or ')}`);
  }
  return url;
}

if (require.main === module) {
  const shutdownHandlers: (() => void)[] = [];
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => shutdownHandlers.splice(0).forEach((h) => h()));
  }
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    onShutdown: (h) => shutdownHandlers.push(h),
  }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`npm start: ${(error as Error).message}\n`);
      process.exit(EXIT.cannotRun);
    },
  );
}
