import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../cost/cli';
import { type CostEstimate, estimateCost } from '../../cost/estimate';
import { loadHandlerTimes } from '../../cost/handler-times';
import { loadPriceTable } from '../../cost/price-table';
import { RESOURCE_TYPES } from '../../cost/resource-types';
import { STAGE_NAMES, type StageConfigOverrides } from '../../lib/config/stages';
import { type SynthesizedStage, synthesizeStage } from '../../local/synth';

/**
 * The real stages' templates: every resource type in them is priced or free with a reason, and the estimate of the
 * committed prices and handler times behaves as the issue asks. Each variant is a stage with config overrides
 * (FIFO queues, the Kafka source; prod's default already has three RabbitMQ shards).
 */
// Synthesizing four templates in process takes minutes on a loaded machine (the first loads aws-cdk-lib).
jest.setTimeout(300_000);

const VARIANTS: Record<string, StageConfigOverrides> = {
  default: {},
  fifo: { queues: { fifo: true, messageGroupIdField: 'type' } },
  kafka: { kafka: { enabled: true } },
};

const synthesized = new Map<string, SynthesizedStage>();
function stage(name: string, variant = 'default'): SynthesizedStage {
  const key = `${name}/${variant}`;
  if (!synthesized.has(key)) synthesized.set(key, synthesizeStage(name, VARIANTS[variant]));
  return synthesized.get(key)!;
}

const prices = loadPriceTable('us-east-1');
const handlerTimes = loadHandlerTimes();
const estimate = (name: string, ratePerSec: number, variant = 'default'): CostEstimate =>
  estimateCost({
    stage: name,
    ...stage(name, variant),
    prices,
    handlerTimes,
    traffic: { ratePerSec, sizeBytes: 1024 },
  });

describe('cost of the real stages', () => {
  const cases = STAGE_NAMES.flatMap((name) => Object.keys(VARIANTS).map((variant) => [name, variant] as const));

  test.each(cases)('every resource type in %s (%s) is priced or free with a reason', (name, variant) => {
    const types = Object.keys(typesOf(name, variant));
    expect(estimate(name, 100, variant).unknownResourceTypes).toEqual(types.filter((type) => !RESOURCE_TYPES[type]));
    const untreated = types.filter((type) => !RESOURCE_TYPES[type]);
    expect(untreated).toEqual([]);
    for (const type of types) {
      const treatment = RESOURCE_TYPES[type];
      expect([type, 'priced' in treatment ? treatment.priced : treatment.free]).toEqual([
        type,
        expect.stringMatching(/\w{4,}/),
      ]);
    }
  });

  test.each(cases)('%s (%s): every Lambda function is priced per message or listed as not priced', (name, variant) => {
    const result = estimate(name, 100, variant);
    const functions = Object.values(stage(name, variant).template.Resources ?? {}).filter(
      (r) => r.Type === 'AWS::Lambda::Function',
    ).length;
    const notPriced = result.notPriced.reduce((sum, item) => sum + item.name.split(', ').length, 0);
    const priced = new Set(result.lineItems.filter((i) => /^Lambda \w+ requests$/.test(i.name)).map((i) => i.name));
    expect(notPriced + priced.size).toBe(functions);
    expect(priced.size).toBeGreaterThanOrEqual(2);
  });

  test('with Kafka: the MSK brokers and their storage are fixed costs; the Kafka producer is on demand like the other', () => {
    const result = estimate('prod', 100, 'kafka');
    expect(result.lineItems.map((i) => i.name)).toEqual(
      expect.arrayContaining(['MSK brokers kafka.m7g.large × 3', 'MSK broker storage 500 GB × 3']),
    );
    const producers = result.notPriced.find((item) => item.name.split(', ').includes('KafkaProducer'));
    expect(producers?.reason).toMatch(/invoked on demand/);
    expect(result.unknownResourceTypes).toEqual([]);
  });

  test('FIFO queues are priced at the FIFO rate', () => {
    const fifo = estimate('prod', 100, 'fifo').lineItems.find((i) => i.name === 'SQS SendMessageBatch by Bridge')!;
    expect(fifo.source).toContain('sqs.fifo-requests-per-million');
  });

  test.each(STAGE_NAMES)('%s: 2,000 msg/s keeps the fixed part and doubles the variable part (±1%)', (name) => {
    const once = estimate(name, 1000);
    const twice = estimate(name, 2000);
    expect(twice.monthlyUsd.fixed).toBe(once.monthlyUsd.fixed);
    expect(Math.abs(twice.monthlyUsd.variable / once.monthlyUsd.variable - 2)).toBeLessThan(0.02);
  });

  test('prod: three mq.m7g.large nodes, interface endpoints in three AZs, Metrics Insights alarms per node', () => {
    const names = estimate('prod', 1000).lineItems.map((i) => i.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'Amazon MQ broker mq.m7g.large × 3 nodes (CLUSTER_MULTI_AZ)',
        'Interface endpoints: sqs ×3 AZ, secretsmanager ×3 AZ, lambda ×3 AZ, sts ×3 AZ',
        'CloudWatch alarms: 3 on Metrics Insights queries (9 time series analyzed)',
      ]),
    );
  });

  test('SQS requests per message: 0.4 in dev (send, receive, delete, receipts), 0.3 in prod (no receipts)', () => {
    const sqsPerMessage = (name: string) =>
      estimate(name, 1000)
        .lineItems.filter((i) => i.name.startsWith('SQS '))
        .reduce((sum, i) => sum + i.quantity, 0) / 2628; // million requests ÷ million messages a month
    expect(sqsPerMessage('dev')).toBeCloseTo(0.4, 9);
    expect(sqsPerMessage('prod')).toBeCloseTo(0.3, 9);
  });

  test('npm run cost -- --stage prod --rate 1000 --json FILE --plot FILE.svg prints the table, writes both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mq-cost-'));
    try {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let out = '';
      stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      const code = await main(
        ['--stage', 'prod', '--rate', '1000', '--json', join(dir, 'c.json'), '--plot', join(dir, 'c.svg')],
        { stdout, stderr },
      );
      expect(code).toBe(0);
      expect(out).toMatch(/Monthly cost estimate — MqCloudIntegration-prod \(stage prod\) in us-east-1/);
      expect(out).toMatch(/Fixed\s+\$[\d,]+\.\d\d per month/);
      expect(out).toMatch(/Total\s+\$[\d,]+\.\d\d per month/);
      const json = JSON.parse(readFileSync(join(dir, 'c.json'), 'utf8')) as CostEstimate;
      expect(json.monthlyUsd.total).toBeCloseTo(json.monthlyUsd.fixed + json.monthlyUsd.variable, 6);
      expect(json.perMillionMessagesUsd).toBeGreaterThan(0);
      for (const item of json.lineItems) {
        expect(Object.keys(item)).toEqual(
          expect.arrayContaining(['name', 'quantity', 'unit', 'unitPriceUsd', 'monthlyUsd', 'source']),
        );
      }
      const svg = readFileSync(join(dir, 'c.svg'), 'utf8');
      expect(svg.match(/<polyline /g)).toHaveLength(STAGE_NAMES.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  function typesOf(name: string, variant: string): Record<string, true> {
    return Object.fromEntries(Object.values(stage(name, variant).template.Resources ?? {}).map((r) => [r.Type, true]));
  }
});
