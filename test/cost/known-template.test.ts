import { estimateCost } from '../../cost/estimate';
import { FIXTURE_HANDLER_TIMES, FIXTURE_PRICES, KNOWN_TEMPLATE } from './fixtures';

/**
 * A template with known resources, round prices and round handler figures gives exactly these line items, worked out
 * by hand: 100 msg/s of 1,000 bytes = 262,800,000 messages (262.8 million) in a 730-hour month.
 */
const M = 262.8;
const DAYS_PER_MONTH = 730 / 24;
// Per invocation: handler bytes + Lambda's START/END/REPORT lines (268 B; 359 B with the X-Ray ids) + 26 B × events.
const BRIDGE_LOG_GB = ((400 + 268 + 26 * 5) * 0.01 * 1e6) / 1e9; // per million messages, 100 records per invocation
const CONSUMER_LOG_GB = ((500 + 359 + 26 * 5) * 0.1 + 10) * 1e-3; // 10 records per invocation, 10 B per record
const IDEMPOTENCY_GB_MONTHS = (100 * 86_400 * (252 + 100)) / 1e9; // rate × expiry × (item + DynamoDB's 100 B)

const EXPECTED: [string, 'fixed' | 'per-message', number, string, number][] = [
  ['Amazon MQ broker mq.m5.large × 1 node (SINGLE_INSTANCE)', 'fixed', 730, 'broker-node hour', 0.3],
  ['Interface endpoints: sqs ×2 AZ', 'fixed', 2 * 730, 'endpoint-AZ hour', 0.01],
  ['NAT gateways × 1', 'fixed', 730, 'NAT gateway hour', 0.05],
  ['CloudWatch alarms: 1 standard (1 alarm metrics)', 'fixed', 1, 'alarm metric-month', 0.1],
  ['CloudWatch alarms: 1 on Metrics Insights queries (1 time series analyzed)', 'fixed', 1, 'alarm metric-month', 0.1],
  ['CloudWatch dashboards × 1', 'fixed', 1, 'dashboard-month', 3],
  ['KMS customer managed keys × 1', 'fixed', 1, 'key-month', 1],
  ['Secrets Manager secrets × 1', 'fixed', 1, 'secret-month', 0.4],
  ['CloudWatch custom metrics from handlers × 7', 'fixed', 7, 'metric-month', 0.3],
  // The consumer runs 10 times a second: the reservoir's one trace a second, all month.
  ['X-Ray trace reservoir, Consumer', 'fixed', 2.628, 'million traces recorded', 5],
  ['Lambda Bridge requests', 'per-message', 0.01 * M, 'million requests', 0.2],
  // ceil(10 ms + 0.5 ms × 100) = 60 ms × 1 GB per 100 messages.
  ['Lambda Bridge duration (1024 MB arm64)', 'per-message', 0.01 * 0.06 * 1 * M * 1e6, 'GB-second', 0.00001],
  ['CloudWatch Logs ingestion, Bridge (INFO)', 'per-message', BRIDGE_LOG_GB * M, 'GB ingested', 0.5],
  [
    'CloudWatch Logs storage, Bridge (30 days)',
    'per-message',
    (BRIDGE_LOG_GB * M * 30) / DAYS_PER_MONTH,
    'GB-month archived',
    0.03,
  ],
  // 10 × (1,000 B body + 157 B of attributes) fits one 64 KiB request.
  ['SQS SendMessageBatch by Bridge', 'per-message', 0.1 * M, 'million requests', 0.4],
  ['Interface endpoint data, Bridge → SQS', 'per-message', (1157 * M * 1e6) / 1e9, 'GB processed', 0.01],
  ['Lambda Consumer requests', 'per-message', 0.1 * M, 'million requests', 0.2],
  // ceil(4 ms + 1 ms × 10) = 14 ms × 0.5 GB per 10 messages.
  ['Lambda Consumer duration (512 MB x86_64)', 'per-message', 0.1 * 0.014 * 0.5 * M * 1e6, 'GB-second', 0.00002],
  ['CloudWatch Logs ingestion, Consumer (INFO)', 'per-message', CONSUMER_LOG_GB * M, 'GB ingested', 0.5],
  [
    'CloudWatch Logs storage, Consumer (never expires: one month)',
    'per-message',
    CONSUMER_LOG_GB * M,
    'GB-month archived',
    0.03,
  ],
  ['X-Ray traces, Consumer (5% sampled)', 'per-message', 0.05 * 0.1 * M, 'million traces recorded', 5],
  ['SQS ReceiveMessage by the Consumer event source', 'per-message', 0.1 * M, 'million requests', 0.4],
  ['SQS DeleteMessageBatch by the Consumer event source', 'per-message', 0.1 * M, 'million requests', 0.4],
  ['DynamoDB writes by Consumer (idempotency)', 'per-message', 2 * M, 'million write request units', 1],
  ['DynamoDB storage of idempotency records', 'per-message', IDEMPOTENCY_GB_MONTHS, 'GB-month', 0.25],
  ['DynamoDB point-in-time recovery', 'per-message', IDEMPOTENCY_GB_MONTHS, 'GB-month', 0.2],
  // One 0.5 s batching window of 100 msg/s × 1,000 B on one node.
  ['Amazon MQ storage of waiting messages', 'per-message', (100 * 1000 * 0.5) / 1e9, 'GB-month', 0.1],
];

describe('estimate of a template with known resources', () => {
  const estimate = estimateCost({
    stage: 'known',
    stackName: 'Known',
    template: KNOWN_TEMPLATE,
    prices: FIXTURE_PRICES,
    handlerTimes: FIXTURE_HANDLER_TIMES,
    traffic: { ratePerSec: 100, sizeBytes: 1000 },
  });

  test('has exactly the expected line items, in order', () => {
    expect(estimate.lineItems.map((item) => [item.name, item.kind, item.unit, item.unitPriceUsd])).toEqual(
      EXPECTED.map(([name, kind, , unit, price]) => [name, kind, unit, price]),
    );
  });

  test.each(EXPECTED)('%s: quantity and monthly cost', (name, _kind, quantity, _unit, price) => {
    const item = estimate.lineItems.find((i) => i.name === name);
    expect(item?.quantity).toBeCloseTo(quantity, 9);
    expect(item?.monthlyUsd).toBeCloseTo(quantity * price, 9);
  });

  test('totals: fixed and per-message lines, per million messages', () => {
    const sum = (kind: string) =>
      EXPECTED.filter(([, k]) => k === kind).reduce((total, [, , quantity, , price]) => total + quantity * price, 0);
    expect(estimate.monthlyUsd.fixed).toBeCloseTo(sum('fixed'), 9);
    expect(estimate.monthlyUsd.variable).toBeCloseTo(sum('per-message'), 9);
    expect(estimate.monthlyUsd.total).toBeCloseTo(sum('fixed') + sum('per-message'), 9);
    expect(estimate.perMillionMessagesUsd).toBeCloseTo(sum('per-message') / M, 9);
    expect(estimate.month).toEqual({ hours: 730, seconds: 2_628_000, messages: 262_800_000 });
  });

  test('every line names its price id and page', () => {
    for (const item of estimate.lineItems)
      expect(item.source).toMatch(/price [a-z0-9._-]+ from https:\/\/example\.test\//);
  });

  test('lists the functions without a trigger as not priced, with the reason', () => {
    expect(estimate.notPriced).toEqual([
      { name: 'Lambda Producer', reason: expect.stringMatching(/invoked on demand/) },
    ]);
    expect(estimate.unknownResourceTypes).toEqual([]);
  });
});
