import { handlerTimesFor, logVolumeAt } from '../../cost/handler-times';
import { DAYS_PER_MONTH, fixedLine, HOURS_PER_MONTH, perMessageLine, SECONDS_PER_MONTH } from '../../cost/line-items';
import { bridgeAttributeBytes, idempotencyItemBytes } from '../../cost/message-costs';
import { lambdaPlatformLogVolume } from '../../cost/platform-logs';
import { loadPriceTable, PRICE_REGIONS, priceOf } from '../../cost/price-table';
import { FIXTURE_HANDLER_TIMES, FIXTURE_PRICES } from './fixtures';

const PRICE = { usd: 0.25, unit: 'GB-month', url: 'https://example.test', date: '2026-11-30', source: 'fixture' };

describe('cost arithmetic', () => {
  test('a month is 730 hours, for hourly resources and for messages', () => {
    expect(HOURS_PER_MONTH).toBe(730);
    expect(SECONDS_PER_MONTH).toBe(2_628_000);
    expect(DAYS_PER_MONTH).toBeCloseTo(30.4167, 4);
  });

  test('a fixed line is quantity × unit price, with the derivation and the price source', () => {
    expect(fixedLine('Thing', 4, 'x.thing', PRICE, '4 things')).toEqual({
      name: 'Thing',
      kind: 'fixed',
      quantity: 4,
      unit: 'GB-month',
      unitPriceUsd: 0.25,
      monthlyUsd: 1,
      source: '4 things; price x.thing from https://example.test (2026-11-30): fixture',
    });
  });

  test('a per-message line scales the units of a million messages to the month', () => {
    const item = perMessageLine('Thing', 2, 5_000_000, 'x.thing', PRICE, 'two per million');
    expect(item.quantity).toBe(10);
    expect(item.monthlyUsd).toBe(2.5);
    expect(item.perMillionMessagesUsd).toBe(0.5);
    expect(item.kind).toBe('per-message');
  });

  test('the bridge adds 157 bytes of attributes to each SQS message (message id, correlation id, content type)', () => {
    expect(bridgeAttributeBytes()).toBe(15 + 6 + 36 + 19 + 6 + 36 + 17 + 6 + 16);
  });

  test('an idempotency item is 252 bytes: names, key, two numbers, status, stored result', () => {
    expect(idempotencyItemBytes()).toBe(44 + 97 + 16 + 9 + 86);
  });

  test("Lambda's own lines per invocation: START, END, REPORT, the X-Ray ids when tracing", () => {
    expect(lambdaPlatformLogVolume({ memoryMb: 1024, tracing: false })).toEqual({ bytes: 268, events: 3 });
    expect(lambdaPlatformLogVolume({ memoryMb: 512, tracing: true })).toEqual({ bytes: 359, events: 3 });
  });

  test('handler figures fall back to the function in the same place of the pipeline, and say so', () => {
    expect(handlerTimesFor(FIXTURE_HANDLER_TIMES, 'Consumer', 'Bridge').measuredAs).toBe('Consumer');
    expect(handlerTimesFor(FIXTURE_HANDLER_TIMES, 'KafkaBridge', 'Bridge').measuredAs).toBe('Bridge');
    expect(() => handlerTimesFor(FIXTURE_HANDLER_TIMES, 'Other', 'Nothing')).toThrow(
      /no measured handler time for Other \(nor Nothing\) in the handler-times file; measured: Bridge, Consumer/,
    );
  });

  test('log volume at a level not measured is the next more verbose one', () => {
    const consumer = FIXTURE_HANDLER_TIMES.functions.Consumer;
    expect(logVolumeAt(consumer, 'WARN')).toBe(consumer.logs.INFO);
    expect(() => logVolumeAt(consumer, 'DEBUG')).toThrow(/no log volume measured at DEBUG or a more verbose level/);
  });

  test('a missing price names the price, the region file and what to add', () => {
    expect(() =>
      priceOf(FIXTURE_PRICES, 'amazonmq.instance-hour.mq.m9.huge', 'Amazon MQ instance type mq.m9.huge'),
    ).toThrow(
      /no price for Amazon MQ instance type mq.m9.huge \(amazonmq.instance-hour.mq.m9.huge\) in cost\/prices\/test-region-1.json; add it with its AWS pricing page, date and source/,
    );
  });

  test.each(PRICE_REGIONS)(
    'the %s table: every price positive, with a unit, an AWS page, a date and a source',
    (region) => {
      const table = loadPriceTable(region);
      expect(table.region).toBe(region);
      expect(Object.keys(table.prices).sort()).toEqual(Object.keys(loadPriceTable('us-east-1').prices).sort());
      for (const [id, price] of Object.entries(table.prices)) {
        expect([id, price.usd > 0, price.unit.length > 0]).toEqual([id, true, true]);
        expect(price.url).toMatch(/^https:\/\/aws\.amazon\.com\//);
        expect(price.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(price.source.length).toBeGreaterThan(20);
      }
    },
  );
});
