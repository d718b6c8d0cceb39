import type { PriceEntry } from './price-table';

/**
 * The month and the line items the estimate is made of. A month is AWS's 730 hours (8,760 ÷ 12), for hourly
 * resources and for traffic alike: messages per month = messages per second × 2,628,000.
 */
export const HOURS_PER_MONTH = 730;
export const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
export const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

/** One priced line: `quantity` units a month at `unitPriceUsd` each. */
export interface LineItem {
  readonly name: string;
  /** `fixed`: paid whatever the traffic; `per-message`: proportional to the messages sent. */
  readonly kind: 'fixed' | 'per-message';
  /** Units used in the month (at the given rate for per-message lines). */
  readonly quantity: number;
  readonly unit: string;
  readonly unitPriceUsd: number;
  readonly monthlyUsd: number;
  /** Per-message lines only: the cost of one million messages. */
  readonly perMillionMessagesUsd?: number;
  /** The price's id, its AWS pricing page and date, and how the quantity was derived. */
  readonly source: string;
}

/** A template resource that costs nothing per message, and why (deploy-time functions, on-demand producers). */
export interface NotPriced {
  readonly name: string;
  readonly reason: string;
}

function sourceOf(priceId: string, price: PriceEntry, derivation: string): string {
  return `${derivation}; price ${priceId} from ${price.url} (${price.date}): ${price.source}`;
}

/** A fixed line: `quantity` units a month. */
export function fixedLine(
  name: string,
  quantity: number,
  priceId: string,
  price: PriceEntry,
  derivation: string,
): LineItem {
  return {
    name,
    kind: 'fixed',
    quantity,
    unit: price.unit,
    unitPriceUsd: price.usd,
    monthlyUsd: quantity * price.usd,
    source: sourceOf(priceId, price, derivation),
  };
}

/** A per-message line from the units one million messages use, scaled to the month's messages. */
export function perMessageLine(
  name: string,
  unitsPerMillionMessages: number,
  messagesPerMonth: number,
  priceId: string,
  price: PriceEntry,
  derivation: string,
): LineItem {
  const quantity = (unitsPerMillionMessages * messagesPerMonth) / 1e6;
  return {
    name,
    kind: 'per-message',
    quantity,
    unit: price.unit,
    unitPriceUsd: price.usd,
    monthlyUsd: quantity * price.usd,
    perMillionMessagesUsd: unitsPerMillionMessages * price.usd,
    source: sourceOf(priceId, price, derivation),
  };
}
