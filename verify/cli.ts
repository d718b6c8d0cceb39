import { writeFileSync } from 'node:fs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { MqClient } from '@aws-sdk/client-mq';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ProgressBar } from '../local/progress';
import { explainAwsError } from './aws-errors';
import { EXIT, RUN_OPTIONS, runShape, sourceOption, UsageError } from './cli-args';
import { parseCommandLine } from './command-line';
import { runDeployedVerification, VerifyError, type DeployedClients } from './deployed-run';
import { formatReport, reportJson } from './report-format';
import { StackOutputsError } from './stack-outputs';

const USAGE = `Usage: npm run verify -- --stack NAME [options]

Invokes the deployed producer function, then accounts for every message from the receipts queue and the SQS
dead-letter queue (with --source kafka also the MSK event source's on-failure destination). Exit code 0 when
nothing confirmed is lost and exactly the poison messages are dead-lettered.

  --stack NAME       deployed stack (e.g. MqCloudIntegration-dev)            required
  --source NAME      rabbitmq, or kafka (a stack deployed with               default: rabbitmq
                     -c config='{"kafka":{"enabled":true}}')
  --region REGION    AWS region                                              default: AWS_REGION / profile
  --messages N       messages to publish, poison included                    default: 1000
  --poison N         schema-invalid messages among them                      default: 1% of --messages
  --size BYTES       body size of generated messages                         default: minimal
  --timeout SEC      how long to wait for every message                      default: from the queue's redrive
  --json FILE        also write the report as JSON
  --help
`;

/** Process-independent entry point (tests call it with mocked clients). */
export async function main(
  argv: readonly string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & { isTTY?: boolean } },
  makeClients: (region: string | undefined) => DeployedClients = realClients,
): Promise<number> {
  try {
    const values = parseCommandLine(argv, {
      stack: { type: 'string' },
      source: { type: 'string' },
      region: { type: 'string' },
      ...RUN_OPTIONS,
      json: { type: 'string' },
      help: { type: 'boolean' },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return EXIT.passed;
    }
    if (!values.stack)
      throw new UsageError('--stack is required: the name of the deployed stack, e.g. MqCloudIntegration-dev');
    const source = sourceOption(values.source);
    const { messages, poison, size, timeoutSec } = runShape(values);

    const progress = new ProgressBar(io.stderr, messages + poison);
    io.stderr.write(
      `Verifying stack ${values.stack}, source ${source}: ${messages + poison} messages (${poison} poison)\n`,
    );
    const result = await runDeployedVerification(makeClients(values.region), {
      stackName: values.stack,
      source,
      messages,
      poison,
      size,
      timeoutSec,
      onProgress: (done, _total, detail) => progress.update(done, detail),
    });
    progress.finish(result.report.delivered + result.report.deadLettered, 'drained');
    io.stdout.write(formatReport(result.report, result.context));
    if (values.json) writeFileSync(values.json, reportJson(result.report, result.context));
    return result.report.passed ? EXIT.passed : EXIT.failed;
  } catch (error) {
    io.stderr.write(`\nverify: ${describeFailure(error)}\n`);
    return EXIT.cannotRun;
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof UsageError) return `${error.message}\n\n${USAGE}`;
  if (error instanceof StackOutputsError || error instanceof VerifyError) return error.message;
  const explained = explainAwsError(error);
  if (explained) return explained;
  const e = error as Error;
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}

function realClients(region: string | undefined): DeployedClients {
  const config = region ? { region } : {};
  return {
    cloudFormation: new CloudFormationClient(config),
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
    mq: new MqClient(config),
  };
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`verify: ${(error as Error).message}\n`);
      process.exit(EXIT.cannotRun);
    },
  );
}
