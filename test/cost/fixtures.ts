import type { CfnTemplate } from '../../local/cfn-template';
import type { HandlerTimesFile } from '../../cost/handler-times';
import type { PriceEntry, PriceTable } from '../../cost/price-table';

/** Round prices, so the expected line items can be worked out by hand. */
const PRICES: Record<string, [number, string]> = {
  'amazonmq.instance-hour.mq.m5.large': [0.3, 'broker-node hour'],
  'amazonmq.rabbitmq-storage-gb-month': [0.1, 'GB-month'],
  'vpc.interface-endpoint-az-hour': [0.01, 'endpoint-AZ hour'],
  'vpc.interface-endpoint-gb': [0.01, 'GB processed'],
  'vpc.nat-gateway-hour': [0.05, 'NAT gateway hour'],
  'cloudwatch.alarm-metric-month': [0.1, 'alarm metric-month'],
  'cloudwatch.dashboard-month': [3, 'dashboard-month'],
  'cloudwatch.custom-metric-month': [0.3, 'metric-month'],
  'cloudwatch.logs-ingest-gb': [0.5, 'GB ingested'],
  'cloudwatch.logs-storage-gb-month': [0.03, 'GB-month archived'],
  'xray.traces-recorded-per-million': [5, 'million traces recorded'],
  'kms.key-month': [1, 'key-month'],
  'secretsmanager.secret-month': [0.4, 'secret-month'],
  'lambda.requests-per-million': [0.2, 'million requests'],
  'lambda.gb-second.arm64': [0.00001, 'GB-second'],
  'lambda.gb-second.x86_64': [0.00002, 'GB-second'],
  'sqs.standard-requests-per-million': [0.4, 'million requests'],
  'sqs.fifo-requests-per-million': [0.5, 'million requests'],
  'dynamodb.write-request-units-per-million': [1, 'million write request units'],
  'dynamodb.storage-gb-month': [0.25, 'GB-month'],
  'dynamodb.pitr-gb-month': [0.2, 'GB-month'],
};

export const FIXTURE_PRICES: PriceTable = {
  region: 'test-region-1',
  currency: 'USD',
  retrieved: '2026-11-30',
  prices: Object.fromEntries(
    Object.entries(PRICES).map(([id, [usd, unit]]): [string, PriceEntry] => [
      id,
      { usd, unit, url: `https://example.test/${id}`, date: '2026-11-30', source: 'test fixture' },
    ]),
  ),
};

export const FIXTURE_HANDLER_TIMES: HandlerTimesFile = {
  measuredAt: '2026-11-30T00:00:00.000Z',
  command: 'test fixture',
  machine: {},
  note: 'test fixture',
  functions: {
    Bridge: {
      perInvocationMs: 10,
      perRecordMs: 0.5,
      measuredBatchSizes: [1, 100],
      logs: { INFO: { perInvocationBytes: 400, perRecordBytes: 0, perInvocationEvents: 2, perRecordEvents: 0 } },
      customMetrics: 3,
    },
    Consumer: {
      perInvocationMs: 4,
      perRecordMs: 1,
      measuredBatchSizes: [1, 10],
      logs: { INFO: { perInvocationBytes: 500, perRecordBytes: 10, perInvocationEvents: 2, perRecordEvents: 0 } },
      customMetrics: 4,
    },
  },
};

const path = (id: string) => ({ 'aws:cdk:path': `Known/Functions/${id}/Resource` });

/**
 * A stack with one of each billable thing: a single-instance broker, an SQS interface endpoint in two AZs, a NAT
 * gateway, a standard and a Metrics Insights alarm, a dashboard, a key, a secret, the queue, the idempotency table,
 * the bridge (1024 MB arm64, in the VPC, logs kept 30 days), the consumer (512 MB x86, traced, logs never expire),
 * a producer without a trigger, and the two event source mappings.
 */
export const KNOWN_TEMPLATE: CfnTemplate = {
  Resources: {
    Broker: {
      Type: 'AWS::AmazonMQ::Broker',
      Properties: { BrokerName: 'b1', HostInstanceType: 'mq.m5.large', DeploymentMode: 'SINGLE_INSTANCE' },
    },
    SqsEndpoint: {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcEndpointType: 'Interface',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.sqs']] },
        SubnetIds: [{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }],
      },
    },
    Nat: { Type: 'AWS::EC2::NatGateway', Properties: {} },
    StandardAlarm: { Type: 'AWS::CloudWatch::Alarm', Properties: { MetricName: 'Errors', Namespace: 'AWS/Lambda' } },
    InsightsAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: {
        Metrics: [
          {
            Id: 'q',
            Expression: `SELECT MAX(SystemCpuUtilization) FROM SCHEMA("AWS/AmazonMQ", Broker, Node) WHERE Broker = 'b1'`,
            Period: 60,
          },
        ],
      },
    },
    Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: {} },
    Key: { Type: 'AWS::KMS::Key', Properties: {} },
    Secret: { Type: 'AWS::SecretsManager::Secret', Properties: {} },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Table: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      },
    },
    BridgeLogs: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } },
    Bridge: {
      Type: 'AWS::Lambda::Function',
      Metadata: path('Bridge'),
      Properties: {
        MemorySize: 1024,
        Architectures: ['arm64'],
        VpcConfig: { SubnetIds: [] },
        LoggingConfig: { LogGroup: { Ref: 'BridgeLogs' } },
        Environment: { Variables: { TARGET_QUEUE_URL: { Ref: 'Queue' }, POWERTOOLS_LOG_LEVEL: 'INFO' } },
      },
    },
    Consumer: {
      Type: 'AWS::Lambda::Function',
      Metadata: path('Consumer'),
      Properties: {
        MemorySize: 512,
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: {
            IDEMPOTENCY_TABLE_NAME: { Ref: 'Table' },
            IDEMPOTENCY_EXPIRY_SECONDS: '86400',
            POWERTOOLS_LOG_LEVEL: 'info',
          },
        },
      },
    },
    Producer: { Type: 'AWS::Lambda::Function', Metadata: path('Producer'), Properties: { MemorySize: 512 } },
    MqMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Bridge' },
        EventSourceArn: { 'Fn::GetAtt': ['Broker', 'Arn'] },
        Queues: ['events.to-sqs'],
        BatchSize: 100,
      },
    },
    SqsMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        FunctionName: { Ref: 'Consumer' },
        EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        BatchSize: 10,
      },
    },
  },
};
