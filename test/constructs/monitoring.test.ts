import { readFileSync } from 'fs';
import { join } from 'path';
import { devMonitoringDefaults, prodMonitoringDefaults } from '../../lib/config/monitoring';
import { BROKER_NAME, QUEUES, alarmProperties, buildFixture, topicLogicalId } from './monitoring-fixture';

// One fixture per broker flavour: building a stack costs about a second, so the alarm tests share it.
const single313 = buildFixture();
const template = single313.template;

function expectNotifiesTopicOnAlarmAndOk(props: Record<string, unknown>): void {
  const topic = { Ref: topicLogicalId(template) };
  expect(props.AlarmActions).toEqual([topic]);
  expect(props.OKActions).toEqual([topic]);
}

const brokerDimension = { Name: 'Broker', Value: BROKER_NAME };
const sourceQueueDimensions = [
  brokerDimension,
  { Name: 'Queue', Value: QUEUES.sourceQueue },
  { Name: 'VirtualHost', Value: QUEUES.vhost },
];

/** The Metrics Insights query that aggregates a node metric over every node of the fixture broker. */
function nodeQuery(aggregate: string, metricName: string): string {
  return `SELECT ${aggregate}(${metricName}) FROM SCHEMA("AWS/AmazonMQ", Broker, Node) WHERE Broker = '${BROKER_NAME}'`;
}

function expressions(props: Record<string, unknown>): { Id: string; Expression?: string; ReturnData?: boolean }[] {
  return props.Metrics as { Id: string; Expression?: string; ReturnData?: boolean }[];
}

describe('SQS alarms', () => {
  test('source queue age of oldest message: Maximum over 3 minutes above the stage threshold; silence is OK', () => {
    const props = alarmProperties(template, 'SourceQueueOldestMessageAge');
    expect(props).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching('^SourceQueue'), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: devMonitoringDefaults.thresholds.sourceQueueMaxMessageAgeSeconds,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });

  test('SQS dead-letter queue: any visible message alarms at once', () => {
    const props = alarmProperties(template, 'SqsDeadLetterQueueDepth');
    expect(props).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching('^DeadLetterQueue'), 'QueueName'] } },
      ],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });

  test('RabbitMQ dead-letter queue (3.13): queue-level MessageCount > 0 with broker, vhost and queue dimensions', () => {
    const props = alarmProperties(template, 'RabbitMqDeadLetterQueueDepth');
    expect(props).toMatchObject({
      Namespace: 'AWS/AmazonMQ',
      MetricName: 'MessageCount',
      Dimensions: [
        brokerDimension,
        { Name: 'Queue', Value: QUEUES.deadLetterQueue },
        { Name: 'VirtualHost', Value: QUEUES.vhost },
      ],
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });
});

describe.each([
  ['Producer', 30],
  ['Bridge', 60],
  ['Consumer', 20],
])('%s function alarms', (name, timeoutSeconds) => {
  const fnDimension = [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(`^${name}`) } }];

  test('errors: Sum over 5 minutes above the stage threshold; no invocations is OK', () => {
    const props = alarmProperties(template, `${name}Errors`);
    expect(props).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: fnDimension,
      Statistic: 'Sum',
      Period: 300,
      Threshold: devMonitoringDefaults.thresholds.functionErrors,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });

  test('throttles: any throttle alarms', () => {
    const props = alarmProperties(template, `${name}Throttles`);
    expect(props).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Throttles',
      Dimensions: fnDimension,
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });

  test('duration: p99 above timeout x ratio in 2 of 3 windows', () => {
    const props = alarmProperties(template, `${name}DurationNearTimeout`);
    expect(props).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Duration',
      Dimensions: fnDimension,
      ExtendedStatistic: 'p99',
      Threshold: timeoutSeconds * 1000 * devMonitoringDefaults.thresholds.functionDurationTimeoutRatio,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });
});

describe('broker alarms', () => {
  test('memory, one node: 100 x used / limit of the broker-level metrics (no Metrics Insights); silence breaches', () => {
    const props = alarmProperties(template, 'BrokerMemoryUsed');
    const metrics = expressions(props) as { Id: string; Expression?: string; MetricStat?: unknown }[];
    expect(metrics.find((m) => m.Expression !== undefined)?.Expression).toBe('100 * memUsed / memLimit');
    const stat = (id: string) => metrics.find((m) => m.Id === id)?.MetricStat as { Metric: unknown; Stat: string };
    expect(stat('memUsed')).toMatchObject({
      Metric: { Namespace: 'AWS/AmazonMQ', MetricName: 'RabbitMQMemUsed', Dimensions: [brokerDimension] },
      Stat: 'Maximum',
    });
    expect(stat('memLimit')).toMatchObject({ Metric: { MetricName: 'RabbitMQMemLimit' }, Stat: 'Minimum' });
    expect(JSON.stringify(props)).not.toContain('SELECT');
    expect(props).toMatchObject({
      Threshold: devMonitoringDefaults.thresholds.brokerMemoryUsedPercent,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      TreatMissingData: 'breaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });

  test('disk, one node: free / limit of the broker-level metrics below the ratio; silence breaches', () => {
    const props = alarmProperties(template, 'BrokerDiskFree');
    const metrics = expressions(props);
    expect(metrics.find((m) => m.Expression !== undefined)?.Expression).toBe('diskFree / diskFreeLimit');
    expect(JSON.stringify(props)).toContain('"RabbitMQDiskFreeLimit"');
    expect(JSON.stringify(props)).not.toContain('SELECT');
    expect(props).toMatchObject({
      Threshold: devMonitoringDefaults.thresholds.brokerDiskFreeToLimitRatio,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });

  test('CPU: busiest node above the threshold for 10 minutes; silence breaches', () => {
    const props = alarmProperties(template, 'BrokerCpu');
    expect(expressions(props)).toEqual([
      expect.objectContaining({ Expression: nodeQuery('MAX', 'SystemCpuUtilization'), Period: 60 }),
    ]);
    expect(props).toMatchObject({
      Threshold: devMonitoringDefaults.thresholds.brokerCpuPercent,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 10,
      TreatMissingData: 'breaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });

  test('connections: broker ConnectionCount above 90% of 5,000 (mq.m5.large, one node) in dev', () => {
    const props = alarmProperties(template, 'BrokerConnections');
    expect(props).toMatchObject({
      Namespace: 'AWS/AmazonMQ',
      MetricName: 'ConnectionCount',
      Dimensions: [brokerDimension],
      Statistic: 'Maximum',
      Threshold: 4_500,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });

  test('consumers (3.13): fewer than 1 consumer on the source queue for 5 minutes; silence breaches', () => {
    const props = alarmProperties(template, 'SourceQueueConsumers');
    expect(props).toMatchObject({
      Namespace: 'AWS/AmazonMQ',
      MetricName: 'ConsumerCount',
      Dimensions: sourceQueueDimensions,
      Statistic: 'Minimum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 5,
      TreatMissingData: 'breaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });

  test('ready messages (3.13): source queue MessageReadyCount above the stage threshold for 5 minutes', () => {
    const props = alarmProperties(template, 'SourceQueueReadyMessages');
    expect(props).toMatchObject({
      Namespace: 'AWS/AmazonMQ',
      MetricName: 'MessageReadyCount',
      Dimensions: sourceQueueDimensions,
      Statistic: 'Maximum',
      Threshold: devMonitoringDefaults.thresholds.sourceQueueReadyMessages,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 5,
      TreatMissingData: 'notBreaching',
    });
    expectNotifiesTopicOnAlarmAndOk(props);
  });
});

describe('RabbitMQ 4 cluster (no queue metrics, three nodes)', () => {
  const cluster42 = buildFixture({
    config: prodMonitoringDefaults,
    deploymentMode: 'CLUSTER_MULTI_AZ',
    engineVersion: '4.2',
    instanceType: 'mq.m7g.large',
  }).template;

  test('consumers fall back to the broker-level ConsumerCount (Broker dimension only)', () => {
    expect(alarmProperties(cluster42, 'SourceQueueConsumers')).toMatchObject({
      MetricName: 'ConsumerCount',
      Dimensions: [brokerDimension],
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('ready messages fall back to the broker-level MessageReadyCount', () => {
    expect(alarmProperties(cluster42, 'SourceQueueReadyMessages')).toMatchObject({
      MetricName: 'MessageReadyCount',
      Dimensions: [brokerDimension],
      Threshold: prodMonitoringDefaults.thresholds.sourceQueueReadyMessages,
    });
  });

  test('the RabbitMQ DLQ alarm is replaced by "ready messages never drained" (Minimum over 3 x 5 minutes > 0)', () => {
    expect(() => alarmProperties(cluster42, 'RabbitMqDeadLetterQueueDepth')).toThrow(/expected one alarm/);
    expect(alarmProperties(cluster42, 'BrokerReadyMessagesNotDraining')).toMatchObject({
      Namespace: 'AWS/AmazonMQ',
      MetricName: 'MessageReadyCount',
      Dimensions: [brokerDimension],
      Statistic: 'Minimum',
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  test('connection limit is per node x 3 nodes: 80% of 3 x 5,000 in prod', () => {
    expect(alarmProperties(cluster42, 'BrokerConnections')).toMatchObject({ Threshold: 12_000 });
  });

  test('node metrics still aggregate every node by broker name (node names are unknown at synth)', () => {
    const metrics = expressions(alarmProperties(cluster42, 'BrokerCpu'));
    expect(metrics[0].Expression).toBe(nodeQuery('MAX', 'SystemCpuUtilization'));
  });

  test('prod thresholds apply: CPU 80%', () => {
    expect(alarmProperties(cluster42, 'BrokerCpu')).toMatchObject({ Threshold: 80 });
  });

  test('memory, cluster: the fullest node in one query against 70% of the 4.3 GiB mq.m7g.large limit', () => {
    const props = alarmProperties(cluster42, 'BrokerMemoryUsed');
    expect(expressions(props)).toEqual([
      expect.objectContaining({ Expression: nodeQuery('MAX', 'RabbitMQMemUsed'), Period: 60 }),
    ]);
    expect(props).toMatchObject({
      Threshold: Math.floor(4.3 * 1024 ** 3 * 0.7),
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(props.AlarmDescription).toMatch(
      /more than 3\.01 GiB of memory \(70% of the 4\.30 GiB limit of mq\.m7g\.large\)/,
    );
  });

  test('disk, cluster: the emptiest node in one query below 2 x the 2 GiB m7g cluster disk free limit', () => {
    const props = alarmProperties(cluster42, 'BrokerDiskFree');
    expect(expressions(props)).toEqual([
      expect.objectContaining({ Expression: nodeQuery('MIN', 'RabbitMQDiskFree'), Period: 60 }),
    ]);
    expect(props).toMatchObject({ Threshold: 4 * 1024 ** 3, ComparisonOperator: 'LessThanThreshold' });
  });

  test('an m5 cluster uses 40% of its memory and its own disk free limit', () => {
    const m5 = buildFixture({
      config: prodMonitoringDefaults,
      deploymentMode: 'CLUSTER_MULTI_AZ',
      engineVersion: '3.13',
      instanceType: 'mq.m5.xlarge',
    }).template;
    expect(alarmProperties(m5, 'BrokerMemoryUsed')).toMatchObject({
      Threshold: Math.floor(0.4 * 16 * 1024 ** 3 * 0.7),
    });
    expect(alarmProperties(m5, 'BrokerDiskFree')).toMatchObject({ Threshold: 2 * 20 * 1024 ** 3 });
  });
});

test('every alarm notifies the alarm topic on ALARM and on OK, and sets treatMissingData deliberately', () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  expect(alarms).toHaveLength(18);
  for (const alarm of alarms) {
    expectNotifiesTopicOnAlarmAndOk(alarm.Properties);
    expect(['breaching', 'notBreaching']).toContain(alarm.Properties.TreatMissingData);
    expect(alarm.Properties.AlarmDescription).toMatch(/Runbook: docs\/operations\.md#[a-z0-9-]+$/);
  }
});

test('a cluster of an instance type whose memory and disk limits are not published is refused', () => {
  expect(() =>
    buildFixture({
      deploymentMode: 'CLUSTER_MULTI_AZ',
      instanceType: 'mq.m5.huge',
      config: {
        ...devMonitoringDefaults,
        thresholds: { ...devMonitoringDefaults.thresholds, brokerConnectionLimitPerNode: 100 },
      },
    }),
  ).toThrow(
    /instanceType is "mq\.m5\.huge", whose per-node memory and disk limits Amazon MQ does not publish; allowed for a CLUSTER_MULTI_AZ broker's memory and disk alarms: mq\.m5\.large/,
  );
});

test('an unknown instance type without a configured connection limit is refused with the allowed types', () => {
  expect(() => buildFixture({ instanceType: 'mq.x9.huge' })).toThrow(
    /instanceType is "mq\.x9\.huge".*allowed: mq\.t3\.micro.*brokerConnectionLimitPerNode/,
  );
});

test('a configured per-node connection limit wins over the table', () => {
  const t = buildFixture({
    instanceType: 'mq.x9.huge',
    config: {
      ...devMonitoringDefaults,
      thresholds: { ...devMonitoringDefaults.thresholds, brokerConnectionLimitPerNode: 1_000 },
    },
  }).template;
  expect(alarmProperties(t, 'BrokerConnections')).toMatchObject({ Threshold: 900 });
});

test('an engine version that is not a literal version is refused', () => {
  expect(() => buildFixture({ engineVersion: 'latest' })).toThrow(
    /engineVersion is "latest"; allowed: a literal RabbitMQ version/,
  );
});

test('invalid monitoring config is refused at synth', () => {
  expect(() =>
    buildFixture({
      config: { ...devMonitoringDefaults, thresholds: { ...devMonitoringDefaults.thresholds, brokerCpuPercent: 150 } },
    }),
  ).toThrow(/monitoring\.thresholds\.brokerCpuPercent: got 150/);
});

test('the runbook has an entry for every alarm, at the anchor the alarm description links to', () => {
  const runbook = readFileSync(join(__dirname, '../../docs/operations.md'), 'utf8');
  const anchors = new Set(
    [...runbook.matchAll(/^#{2,4} (.+)$/gm)].map((m) =>
      m[1]
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    ),
  );
  const withEmail = buildFixture({ config: { ...devMonitoringDefaults, alarmEmail: 'ops@example.com' } }).template;
  const cluster4 = buildFixture({ engineVersion: '4.2', instanceType: 'mq.m7g.large' }).template;
  for (const t of [withEmail, cluster4]) {
    for (const alarm of Object.values(t.findResources('AWS::CloudWatch::Alarm'))) {
      const anchor = /#([a-z0-9-]+)$/.exec(alarm.Properties.AlarmDescription as string)?.[1];
      expect(anchors).toContain(anchor);
    }
  }
});
