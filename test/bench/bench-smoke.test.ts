import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * Runs the whole bench with tiny counts so it cannot rot: every section, every field. Not timed — the figures of a
 * 200-message run mean nothing; docs/performance.md holds the real ones.
 */

const execFileAsync = promisify(execFile);
const ROOT = resolve(__dirname, '../..');

const NUMERIC_FIELDS = [
  'machine.cores',
  'machine.totalMemoryMB',
  'machine.freeMemoryMB',
  'machine.loadAverage1m',
  'settings.messages',
  'settings.sizeBytes',
  'settings.repetitions',
  'settings.sendParallelism',
  'rawAmqpConfirmedPublishPerSec',
  'rawSqsBatchSendPerSec',
  'rawSqsWithAttributesPerSec',
  'producerPerSec',
  'producerRatio',
  'producerPublishOnlyPerSec',
  'bridgePerSec',
  'bridgeRatio',
  'rawKafkaProducePerSec',
  'rawKafkaWithHeadersPerSec',
  'kafkaProducerPerSec',
  'kafkaProducerPublishOnlyPerSec',
  'kafkaProducerRatio',
  'kafkaRawSqsBatchSendPerSec',
  'kafkaRawSqsWithAttributesPerSec',
  'kafkaBridgePerSec',
  'kafkaBridgeRatio',
  'settings.kafkaBridgeEventRecords',
  'settings.kafkaPartitions',
  'settings.kafkaRawSqsParallelism',
  'pipelinePerSec',
  'pipelineRatio',
  'pipelineSqsCallsPerMessage',
  'handlers.Bridge.perInvocationMs',
  'handlers.Bridge.perRecordMs',
  'handlers.Consumer.perInvocationMs',
  'handlers.Consumer.perRecordMs',
  'handlers.Consumer.logs.INFO.perInvocationBytes',
  'handlers.Consumer.customMetrics',
  'latencyMs.p50',
  'latencyMs.p95',
  'latencyMs.p99',
  'latencyMs.ratePerSec',
  'functions.producer.bundleKB',
  'functions.producer.coldInitMs',
  'functions.producer.coldInitRatio',
  'functions.producer.sdkInitMs',
  'functions.bridge.bundleKB',
  'functions.bridge.coldInitMs',
  'functions.bridge.coldInitRatio',
  'functions.bridge.sdkInitMs',
  'functions.consumer.bundleKB',
  'functions.consumer.coldInitMs',
  'functions.consumer.coldInitRatio',
  'functions.consumer.sdkInitMs',
  'functions.empty.bundleKB',
  'functions.empty.coldInitMs',
  'synthSec',
  'minimalSynthSec',
  'synthRatio',
  'durationSec',
];

function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

describe('npm run bench (smoke, 200 messages, 1 repetition)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mq-bench-smoke-'));
  const jsonFile = join(dir, 'bench.json');
  let report: Record<string, unknown>;
  let stdout: string;

  beforeAll(async () => {
    ({ stdout } = await execFileAsync(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'bench/cli.ts'), '--smoke', '--messages', '200', '--json', jsonFile],
      { cwd: ROOT, timeout: 260_000, maxBuffer: 16 * 1024 * 1024 },
    ));
    report = JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, unknown>;
  }, 270_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(NUMERIC_FIELDS)('writes %s as a finite number', (field) => {
    const value = at(report, field);
    expect(typeof value).toBe('number');
    expect(Number.isFinite(value)).toBe(true);
  });

  test('throughputs and sizes are positive', () => {
    for (const field of NUMERIC_FIELDS.filter((f) => /PerSec$|bundleKB$|coldInitMs$|Sec$/.test(f))) {
      expect([field, at(report, field)]).toEqual([field, expect.any(Number)]);
      expect(at(report, field) as number).toBeGreaterThan(0);
    }
  });

  test('records the machine and marks the run as a smoke run', () => {
    expect(at(report, 'machine.nodeVersion')).toBe(process.version);
    expect(at(report, 'machine.brokerVersion')).toMatch(/^\d+\.\d+/);
    expect(at(report, 'machine.kafkaVersion')).toMatch(/^\d+\.\d+\.\d+$/);
    expect(at(report, 'settings.smoke')).toBe(true);
    expect(at(report, 'settings.messages')).toBe(200);
  });

  test('evaluates every target and prints the verdict', () => {
    const targets = report.targets as { figure: string; met: boolean; value?: number }[];
    expect(targets.map((t) => t.figure)).toEqual([
      'producerRatio',
      'bridgeRatio',
      'kafkaProducerRatio',
      'kafkaBridgeRatio',
      'pipelineRatio',
      'functions.producer.coldInitRatio',
      'functions.bridge.coldInitRatio',
      'functions.consumer.coldInitRatio',
      'latencyMs.p99',
      'shardScalingEfficiency',
    ]);
    for (const t of targets) expect(typeof t.value).toBe('number');
    expect(stdout).toMatch(/all targets met|targets MISSED/);
  });

  test('keeps every repetition beside the medians', () => {
    const runs = report.runs as Record<string, number[]>;
    for (const key of [
      'rawAmqpConfirmedPublishPerSec',
      'producerPerSec',
      'rawSqsBatchSendPerSec',
      'bridgePerSec',
      'rawKafkaProducePerSec',
      'kafkaProducerPerSec',
      'kafkaBridgePerSec',
      'pipelinePerSec',
      'synthSec',
    ]) {
      expect([key, runs[key]?.length]).toEqual([key, 1]);
    }
  });
});
