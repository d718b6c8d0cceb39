import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { messageSizeLimitFromEnv } from '../../lambda/shared/message-size';
import { OUTPUTS } from '../../lib/stacks/integration-stack';
import type { CfnTemplate } from '../../local/cfn-template';
import { readLocalSettings } from '../../local/template-reader';
import { logicalIdOf, synthStage } from './stack-fixture';

/** The broker configuration that sets the resource limits, and the size limit the functions get from it. */

type Resource = { readonly Type: string; readonly Properties: Record<string, unknown> };

const resourcesOf = (json: Record<string, unknown>, type: string): [string, Resource][] =>
  Object.entries(json.Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);

describe('prod (RabbitMQ 4.2): an AWS::AmazonMQ::Configuration referenced by the broker', () => {
  // With path metadata, as the local runtime synthesizes: it reads the same template.
  const prod = synthStage('prod', {}, { 'aws:cdk:enable-path-metadata': true });

  test('one RABBITMQ configuration for 4.2 whose base64 data sets every limit, max_message_size first', () => {
    const configurations = resourcesOf(prod.json, 'AWS::AmazonMQ::Configuration');
    expect(configurations).toHaveLength(1);
    expect(configurations[0][1].Properties).toMatchObject({
      EngineType: 'RABBITMQ',
      EngineVersion: '4.2',
      Data: {
        'Fn::Base64':
          'max_message_size = 524288\nconnection_max = 500\nchannel_max_per_node = 1500\ncluster_queue_limit = 1000\n' +
          'consumer_max_per_channel = 10\nvhost_max = 50\ncluster_exchange_limit = 1000\n',
      },
    });
  });

  test('the broker references it by id and revision (a new revision on every change)', () => {
    const [[configurationId]] = resourcesOf(prod.json, 'AWS::AmazonMQ::Configuration');
    prod.template.hasResourceProperties('AWS::AmazonMQ::Broker', {
      Configuration: { Id: { Ref: configurationId }, Revision: { 'Fn::GetAtt': [configurationId, 'Revision'] } },
    });
  });

  test("the producer's size limit is at most the broker's max_message_size", () => {
    const producer = prod.json.Resources[logicalIdOf(prod, 'Functions/Producer')].Properties;
    const env = producer.Environment.Variables;
    expect(Number(env.MAX_BODY_BYTES)).toBeLessThanOrEqual(524_288);
    expect(env.BROKER_MAX_MESSAGE_SIZE_BYTES).toBe('524288');
    expect(prod.json.Outputs[OUTPUTS.maxBodyBytes].Value).toBe('524288');
    expect(prod.json.Outputs[OUTPUTS.brokerMaxMessageSizeBytes].Value).toBe('524288');
  });

  test('the local runtime reads the limit from the template, as the deployed functions do', () => {
    const settings = readLocalSettings(prod.json as CfnTemplate);
    for (const fn of [settings.functions.producer, settings.functions.bridge]) {
      expect(messageSizeLimitFromEnv(fn.environment as Record<string, string>)).toEqual({
        maxBodyBytes: 524_288,
        brokerMaxMessageSizeBytes: 524_288,
      });
    }
  });

  test('the producer reserves 50 concurrent executions, bounding its broker connections', () => {
    prod.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'producer' }) },
      ReservedConcurrentExecutions: 50,
    });
  });

  test('a raised max_message_size reaches the configuration and the functions, bounded by SQS', () => {
    const raised = synthStage('prod', { broker: { limits: { maxMessageSizeBytes: 2_000_000 } } });
    const [[, configuration]] = resourcesOf(raised.json, 'AWS::AmazonMQ::Configuration');
    expect((configuration.Properties.Data as Record<string, string>)['Fn::Base64']).toMatch(
      /^max_message_size = 2000000\n/,
    );
    const env = raised.json.Resources[logicalIdOf(raised, 'Functions/Bridge')].Properties.Environment.Variables;
    expect(env).toMatchObject({ MAX_BODY_BYTES: '1040384', BROKER_MAX_MESSAGE_SIZE_BYTES: '2000000' });
  });
});

describe('dev (RabbitMQ 3.13): no configuration unless consumer_timeout is set', () => {
  test('the defaults need none: 3.x runs at fixed maximums', () => {
    const dev = synthStage('dev');
    dev.template.resourceCountIs('AWS::AmazonMQ::Configuration', 0);
    dev.template.hasResourceProperties('AWS::AmazonMQ::Broker', { Configuration: Match.absent() });
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'producer' }) },
      ReservedConcurrentExecutions: 5,
    });
  });

  test('a consumer timeout is the only key of a 3.13 configuration', () => {
    const dev = synthStage('dev', { broker: { limits: { consumerTimeoutMs: 900_000 } } });
    dev.template.hasResourceProperties('AWS::AmazonMQ::Configuration', {
      EngineType: 'RABBITMQ',
      EngineVersion: '3.13',
      Data: { 'Fn::Base64': 'consumer_timeout = 900000\n' },
    });
  });
});

test('cdk synth refuses a max_message_size over the maximum, naming the field, the value and the range', () => {
  const root = join(__dirname, '..', '..');
  const run = spawnSync(process.execPath, [require.resolve('tsx/cli'), 'bin/app.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({
        stage: 'prod',
        config: '{"broker":{"limits":{"maxMessageSizeBytes":999999999}}}',
      }),
      // Refused before anything is written.
      CDK_OUTDIR: join(tmpdir(), 'mq-broker-limits-refusal'),
    },
  });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(
    /broker\.limits\.maxMessageSizeBytes: got 999999999; allowed: an integer from 1 to 134,217,728 \(max_message_size: Amazon MQ's maximum for mq\.m7g\.large CLUSTER_MULTI_AZ\)/,
  );
});
