import { estimateCost } from '../../cost/estimate';
import { FIXTURE_HANDLER_TIMES, FIXTURE_PRICES, KNOWN_TEMPLATE } from './fixtures';

const at = (ratePerSec: number, sizeBytes = 1000) =>
  estimateCost({
    stage: 'known',
    stackName: 'Known',
    template: KNOWN_TEMPLATE,
    prices: FIXTURE_PRICES,
    handlerTimes: FIXTURE_HANDLER_TIMES,
    traffic: { ratePerSec, sizeBytes },
  });

describe('cost against rate', () => {
  test('doubling the rate keeps the fixed part and doubles the variable part', () => {
    const once = at(1000);
    const twice = at(2000);
    expect(twice.monthlyUsd.fixed).toBe(once.monthlyUsd.fixed);
    expect(twice.monthlyUsd.variable).toBeCloseTo(2 * once.monthlyUsd.variable, 6);
    expect(twice.perMillionMessagesUsd).toBeCloseTo(once.perMillionMessagesUsd, 12);
  });

  test('the total is fixed + per million messages × millions of messages a month', () => {
    for (const rate of [1, 10, 100, 1000, 100_000]) {
      const estimate = at(rate);
      expect(estimate.monthlyUsd.total).toBeCloseTo(
        estimate.monthlyUsd.fixed + (estimate.perMillionMessagesUsd * rate * 2_628_000) / 1e6,
        6,
      );
    }
  });

  test('below one invocation a second the X-Ray reservoir records fewer traces', () => {
    const reservoir = (rate: number) => at(rate).lineItems.find((i) => i.name === 'X-Ray trace reservoir, Consumer')!;
    // The consumer takes 10 messages an invocation: 5 msg/s is half an invocation a second.
    expect(reservoir(5).quantity).toBeCloseTo(1.314, 9);
    expect(reservoir(10).quantity).toBeCloseTo(2.628, 9);
    expect(reservoir(10_000).quantity).toBeCloseTo(2.628, 9);
  });

  test('messages above 64 KiB per batch bill one SQS request per 64 KiB chunk', () => {
    const send = (size: number) => at(100, size).lineItems.find((i) => i.name === 'SQS SendMessageBatch by Bridge')!;
    // 10 × (10,000 + 157) B = 101,570 B: two 64 KiB chunks per batch of 10.
    expect(send(10_000).perMillionMessagesUsd).toBeCloseTo(2 * send(1000).perMillionMessagesUsd!, 12);
  });
});
