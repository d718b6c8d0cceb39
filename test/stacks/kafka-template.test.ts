import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { messageSizeLimit } from '../../lambda/shared/message-size';
import { nagPacks } from '../../lib/nag';
import { KAFKA_OUTPUTS as OUTPUT_KEYS_FOR_VERIFY } from '../../lib/stacks/kafka-outputs';
import { KAFKA_OUTPUTS } from '../../lib/stacks/kafka-wiring';
import type { CfnTemplate } from '../../local/cfn-template';
import { readKafkaSettings } from '../../local/kafka/kafka-template-reader';
import { readLocalSettings } from '../../local/template-reader';
import { synthStage } from './stack-fixture';

/** A synth with Kafka enabled (dev defaults): what ARCHITECTURE §6 and issue 13's "done when" ask for. */
const s = synthStage('dev', { kafka: { enabled: true } }, { 'aws:cdk:enable-path-metadata': true });
const { template } = s;

describe('Kafka enabled', () => {
  test('an MSK Provisioned cluster with IAM auth only, TLS in transit and in the cluster, broker logs to CloudWatch', () => {
    template.hasResourceProperties('AWS::MSK::Cluster', {
      KafkaVersion: '3.9.x',
      NumberOfBrokerNodes: 2,
      EnhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      BrokerNodeGroupInfo: Match.objectLike({
        InstanceType: 'kafka.t3.small',
        StorageInfo: { EBSStorageInfo: { VolumeSize: 20 } },
        ConnectivityInfo: { PublicAccess: { Type: 'DISABLED' } },
      }),
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: Match.anyValue() } } },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  test('the topic is an AWS::MSK::Topic with the configured partitions, copies and retention', () => {
    template.hasResourceProperties('AWS::MSK::Topic', {
      TopicName: 'events',
      PartitionCount: 3,
      ReplicationFactor: 2,
      Configs: { 'Fn::Base64': 'retention.ms=604800000' },
    });
  });

  test('the bridge has an MSK event source mapping in provisioned mode with retries, bisect, partial responses and an on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['events'],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      MaximumRetryAttempts: 3,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 },
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'mq-cloud-integration-kafka-bridge' },
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  test('a Kafka producer function with the IAM bootstrap brokers and the topic', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          KAFKA_TOPIC: 'events',
          SEND_TIMEOUT_MS: '10000',
          KAFKA_BOOTSTRAP_BROKERS: Match.anyValue(),
          // The flow's size limit: SQS's, below the topic's default max.message.bytes (1,048,588).
          MAX_BODY_BYTES: String(messageSizeLimit().maxBodyBytes),
        }),
      },
      VpcConfig: Match.anyValue(),
    });
  });

  test('kafka-cluster permissions are scoped to the cluster, the topic and the consumer group, never *', () => {
    const statements = Object.values(
      s.json.Resources as Record<
        string,
        {
          Type: string;
          Properties: { PolicyDocument?: { Statement: { Action: string | string[]; Resource: unknown }[] } };
        }
      >,
    )
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument?.Statement ?? [])
      .filter((st) => [st.Action].flat().some((a) => a.startsWith('kafka-cluster:')));
    expect(statements.length).toBeGreaterThanOrEqual(5);
    for (const st of statements) expect(JSON.stringify(st.Resource)).not.toBe('"*"');
    const actions = statements.flatMap((st) => [st.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['kafka-cluster:WriteData', 'kafka-cluster:ReadData', 'kafka-cluster:AlterGroup']),
    );
  });

  test('the cluster admits the IAM port only from the producer and from itself (the event source pollers)', () => {
    const ingress = Object.values(
      s.json.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    ).filter((r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties.FromPort === 9098);
    expect(ingress).toHaveLength(2);
    expect(
      ingress.every((r) => r.Properties.SourceSecurityGroupId !== undefined && r.Properties.CidrIp === undefined),
    ).toBe(true);
  });

  test('alarms with actions on lag, broker disk and CPU, under-replicated partitions, bridge errors and the on-failure queue', () => {
    const alarms = Object.entries(
      s.json.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
    )
      .filter(([id, r]) => r.Type === 'AWS::CloudWatch::Alarm' && id.startsWith('KafkaMonitoring'))
      .map(([id, r]) => [id.replace(/[A-F0-9]{8}$/, ''), (r.Properties.AlarmActions as unknown[]).length] as const);
    expect(alarms.map(([id]) => id).sort()).toEqual([
      'KafkaMonitoringKafkaBridgeErrors',
      'KafkaMonitoringKafkaBrokerCpu',
      'KafkaMonitoringKafkaBrokerDisk',
      'KafkaMonitoringKafkaOffsetLag',
      'KafkaMonitoringKafkaOnFailureDepth',
      'KafkaMonitoringKafkaTimeLag',
      'KafkaMonitoringKafkaUnderReplicatedPartitions',
    ]);
    expect(alarms.every(([, actions]) => actions === 1)).toBe(true);
  });

  test('outputs for verify', () => {
    for (const key of Object.values(KAFKA_OUTPUTS)) template.hasOutput(key, {});
  });

  test('verify reaches the Kafka producer and the MSK mapping’s on-failure destination through the outputs', () => {
    const resources = s.json.Resources as Record<string, { Type: string; Properties: Record<string, never> }>;
    const outputs = s.json.Outputs as Record<string, { Value: { Ref?: string } }>;
    const producer = resources[outputs[KAFKA_OUTPUTS.producerFunctionName].Value.Ref ?? ''];
    expect(producer.Type).toBe('AWS::Lambda::Function');
    expect(Object.keys((producer.Properties.Environment as { Variables: object }).Variables)).toEqual(
      expect.arrayContaining(['KAFKA_BOOTSTRAP_BROKERS', 'KAFKA_TOPIC']),
    );
    const queueId = outputs[KAFKA_OUTPUTS.onFailureQueueUrl].Value.Ref;
    expect(resources[queueId ?? ''].Type).toBe('AWS::SQS::Queue');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['events'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  test('the Kafka output keys verify reads are the ones the stack writes (one list, no CDK needed to read it)', () => {
    expect(KAFKA_OUTPUTS).toBe(OUTPUT_KEYS_FOR_VERIFY);
    expect(Object.keys(s.json.Outputs as object)).toEqual(
      expect.arrayContaining(Object.values(OUTPUT_KEYS_FOR_VERIFY)),
    );
  });

  test('cdk-nag AwsSolutions and Serverless report no unacknowledged finding', () => {
    const findings = nagPacks(s.app).flatMap((pack) =>
      pack
        .validateScope(s.app)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`)),
    );
    expect(findings).toEqual([]);
  });

  test('the local runtime reads the same settings from this synth as from the committed fixture', () => {
    const fixture = JSON.parse(
      readFileSync(path.join(__dirname, '..', 'local', 'fixtures', 'kafka-template.json'), 'utf8'),
    ) as CfnTemplate;
    // Regenerate with test/local/fixtures/regenerate-kafka-template.ts when this fails after a change to the stack.
    expect(readKafkaSettings(s.json as CfnTemplate)).toEqual(readKafkaSettings(fixture));
    expect(readLocalSettings(s.json as CfnTemplate)).toEqual(readLocalSettings(fixture));
  });
});

test('Kafka is off by default: no MSK resources in dev', () => {
  const dev = synthStage('dev');
  dev.template.resourceCountIs('AWS::MSK::Cluster', 0);
  dev.template.resourceCountIs('AWS::MSK::Topic', 0);
  // Without them `npm run verify -- --source kafka` says the stack has no Kafka and how to enable it.
  const outputs = Object.keys(dev.template.findOutputs('*'));
  for (const key of Object.values(KAFKA_OUTPUTS)) expect(outputs).not.toContain(key);
});
