import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { esbuildTarget, FUNCTION_BUNDLING } from '../../lib/config/function-bundling';
import { projectFunction } from '../../lib/constructs/project-function';

describe('FUNCTION_BUNDLING', () => {
  it('bundles the AWS SDK from its ES module build, minified, with a source map and no sources in it', () => {
    expect(FUNCTION_BUNDLING).toEqual({
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      format: 'cjs',
      bundleAwsSDK: true,
      mainFields: ['module', 'main'],
    });
  });

  it('names its format as NodejsFunction does (projectFunction passes the enum)', () => {
    expect(OutputFormat.CJS).toBe(FUNCTION_BUNDLING.format);
  });

  it.each([
    ['nodejs22.x', 'node22'],
    ['nodejs24.x', 'node24'],
  ])('targets %s as %s', (runtime, target) => {
    expect(esbuildTarget(runtime)).toBe(target);
  });
});

describe('projectFunction bundling (esbuild runs for real)', () => {
  let outdir: string;
  let bundle: string;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'mq-project-function-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundlingTest');
    projectFunction(stack, 'Bridge', {
      entry: 'lambda/bridge/index.ts',
      description: 'bundling test',
      runtime: 'nodejs24.x',
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: { TARGET_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/q' },
      logRetention: RetentionDays.ONE_WEEK,
    });
    app.synth();
    const asset = readdirSync(outdir).find(
      (name) => name.startsWith('asset.') && existsSync(path.join(outdir, name, 'index.js')),
    );
    if (!asset) throw new Error(`no bundled asset in ${outdir}`);
    bundle = path.join(outdir, asset, 'index.js');
  }, 60_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('puts the AWS SDK inside the bundle: it loads in a fresh node with no node_modules to resolve from', () => {
    // The asset lives in a temporary directory, so a package left external could not be found from there.
    const loaded = spawnSync(
      process.execPath,
      ['-e', `process.stdout.write(typeof require(${JSON.stringify(bundle)}).handler)`],
      {
        cwd: path.dirname(bundle),
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'eu-west-1',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          TARGET_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/000000000000/q',
        },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(loaded.stderr).not.toMatch(/Cannot find module/);
    expect(loaded.stdout).toBe('function');
    // The SQS client's JSON protocol target prefix: the client itself is in the bundle, not just a reference to it.
    expect(readFileSync(bundle, 'utf8').includes('AmazonSQS')).toBe(true);
  });

  it('ships a linked source map without sources', () => {
    expect(readFileSync(bundle, 'utf8')).toMatch(/\/\/# sourceMappingURL=index\.js\.map\s*$/);
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sourcesContent?: unknown };
    expect(map.sourcesContent).toBeUndefined();
  });

  it('tree-shakes the SDK: far smaller than the SDK client packages it draws from', () => {
    expect(statSync(bundle).size).toBeLessThan(600 * 1024);
  });
});

describe('projectFunction construct ids and role description', () => {
  const synth = (extra: object = {}): { stack: Stack; template: Template } => {
    // No bundling: these tests read the template only.
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'IdsTest');
    projectFunction(stack, 'Bridge', {
      entry: 'lambda/bridge/index.ts',
      description: 'ids test',
      runtime: 'nodejs24.x',
      memorySize: 256,
      timeout: Duration.seconds(10),
      environment: {},
      logRetention: RetentionDays.ONE_WEEK,
      ...extra,
    });
    return { stack, template: Template.fromStack(stack) };
  };

  it('defaults to <id>LogGroup and <id>Role, the role described as the execution role of <id>', () => {
    const { stack, template } = synth();
    expect(stack.node.tryFindChild('BridgeLogGroup')).toBeDefined();
    expect(stack.node.tryFindChild('BridgeRole')).toBeDefined();
    template.hasResourceProperties('AWS::IAM::Role', { Description: 'Execution role of the Bridge function' });
  });

  it('keeps the ids and role description it is given (a deployed construct keeps its logical ids)', () => {
    const { stack, template } = synth({
      resourceIds: { logGroup: 'HandlerLogs', role: 'HandlerRole' },
      roleDescription: 'the handler',
    });
    expect(stack.node.tryFindChild('HandlerLogs')).toBeDefined();
    expect(stack.node.tryFindChild('HandlerRole')).toBeDefined();
    expect(stack.node.tryFindChild('BridgeLogGroup')).toBeUndefined();
    template.hasResourceProperties('AWS::IAM::Role', { Description: 'the handler' });
    template.hasResourceProperties('AWS::Lambda::Function', {
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^HandlerLogs') } },
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^HandlerRole'), 'Arn'] },
    });
  });
});
