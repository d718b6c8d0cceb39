import { buildFixture, BROKER_NAME, QUEUES } from './monitoring-fixture';

interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  properties: { title?: string; metrics?: unknown[][]; alarms?: unknown[] };
}

/** The dashboard body with every CloudFormation reference replaced by "TOKEN", parsed. */
function dashboardWidgets(options: Parameters<typeof buildFixture>[0] = {}): Widget[] {
  const dashboards = Object.values(buildFixture(options).template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const body = dashboards[0].Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  const text = body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

const widgets = dashboardWidgets();
const titled = (title: RegExp) => {
  const found = widgets.filter((w) => title.test(w.properties.title ?? ''));
  expect(found).toHaveLength(1);
  return found[0];
};
const metricNames = (w: Widget) => (w.properties.metrics ?? []).map((m) => m.filter((x) => typeof x === 'string'));

test('the first row follows a message left to right: publish → broker queue → bridge → SQS → consumer → DLQs', () => {
  const firstRow = widgets.filter((w) => w.y === 0).sort((a, b) => a.x - b.x);
  expect(firstRow.map((w) => w.properties.title)).toEqual([
    '1. Publish / confirm rate (msg/s)',
    `2. RabbitMQ ${QUEUES.sourceQueue}`,
    '3. Bridge',
    '4. SQS source queue',
    '5. Consumer results',
    '6. Dead-letter queues',
  ]);
  expect(firstRow.reduce((sum, w) => sum + w.width, 0)).toBe(24);
});

test('publish and confirm rates are the broker metrics with the broker name', () => {
  const names = metricNames(titled(/Publish \/ confirm/));
  expect(names).toEqual([
    expect.arrayContaining(['AWS/AmazonMQ', 'PublishRate', 'Broker', BROKER_NAME]),
    expect.arrayContaining(['AWS/AmazonMQ', 'ConfirmRate', 'Broker', BROKER_NAME]),
  ]);
});

test('broker queue depth shows ready, unacked and consumers of the source queue (3.13)', () => {
  const names = metricNames(titled(/^2\. RabbitMQ/)).flat();
  expect(names).toEqual(
    expect.arrayContaining(['MessageReadyCount', 'MessageUnacknowledgedCount', 'ConsumerCount', QUEUES.sourceQueue]),
  );
});

test('bridge, SQS and consumer widgets show invocations/errors, depth/age and processed messages', () => {
  expect(metricNames(titled(/^3\. Bridge/)).flat()).toEqual(expect.arrayContaining(['Invocations', 'Errors']));
  expect(metricNames(titled(/^4\. SQS/)).flat()).toEqual(
    expect.arrayContaining(['ApproximateNumberOfMessagesVisible', 'ApproximateAgeOfOldestMessage']),
  );
  expect(metricNames(titled(/^5\. Consumer/)).flat()).toEqual(
    expect.arrayContaining(['Invocations', 'Errors', 'NumberOfMessagesDeleted']),
  );
});

test('the DLQ widget shows both dead-letter queues', () => {
  const names = metricNames(titled(/Dead-letter queues/)).flat();
  expect(names).toEqual(
    expect.arrayContaining(['ApproximateNumberOfMessagesVisible', 'MessageCount', QUEUES.deadLetterQueue]),
  );
});

test('an alarm status widget lists all 18 alarms across the full width', () => {
  const status = widgets.filter((w) => w.type === 'alarm');
  expect(status).toHaveLength(1);
  expect(status[0].properties.alarms).toHaveLength(18);
  expect(status[0].width).toBe(24);
});

test('broker memory and disk are graphed as their alarms watch them, with the alarm threshold drawn in', () => {
  const memory = titled(/memory used/);
  expect(memory.properties.title).toBe('Broker memory used / limit (%)');
  expect(JSON.stringify(memory.properties)).toContain('100 * memUsed / memLimit');
  expect(JSON.stringify(memory.properties)).toContain('"value":80');
  expect(titled(/disk free/).properties.title).toBe('Broker disk free / limit');
});

test('on a cluster they are one Metrics Insights query each, against the bytes threshold', () => {
  const cluster = dashboardWidgets({
    deploymentMode: 'CLUSTER_MULTI_AZ',
    engineVersion: '4.2',
    instanceType: 'mq.m7g.large',
  });
  const memory = cluster.find((w) => /memory used/.test(w.properties.title ?? ''))!;
  expect(memory.properties.title).toBe('Broker memory used, fullest node (bytes)');
  const text = JSON.stringify(memory.properties);
  expect(text).toContain('SELECT MAX(RabbitMQMemUsed) FROM SCHEMA(\\"AWS/AmazonMQ\\", Broker, Node)');
  expect(text).toContain(`WHERE Broker = '${BROKER_NAME}'`);
  expect(text).toContain(`"value":${Math.floor(4.3 * 1024 ** 3 * 0.8)}`);
});

test('on RabbitMQ 4 the broker queue widget says it shows broker-wide metrics', () => {
  const v4 = dashboardWidgets({ engineVersion: '4.2', instanceType: 'mq.m7g.large' });
  expect(v4.map((w) => w.properties.title)).toContain('2. RabbitMQ queues (broker-wide, RabbitMQ 4)');
});
