import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The committed price tables (cost/prices/REGION.json): one per region, each price with its unit, the AWS pricing page
 * it belongs to, the date it was taken and how the figure was found. Nothing here knows what the stack contains.
 */

/** One price: US dollars per `unit`. */
export interface PriceEntry {
  readonly usd: number;
  /** What one unit is, e.g. `broker-node hour`, `million requests`. */
  readonly unit: string;
  /** The AWS pricing page the price belongs to. */
  readonly url: string;
  /** When the price was taken (ISO date). */
  readonly date: string;
  /** Where the figure came from, and what could not be confirmed. */
  readonly source: string;
  /** False when this region's own figure was not found and another region's is used. @default true */
  readonly regionVerified?: boolean;
}

export interface PriceTable {
  readonly region: string;
  readonly currency: 'USD';
  readonly retrieved: string;
  readonly prices: Readonly<Record<string, PriceEntry>>;
}

/** Regions with a committed price table. */
export const PRICE_REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2'] as const;
export type PriceRegion = (typeof PRICE_REGIONS)[number];

/** The region `npm run cost` prices in when `--region` is not given. */
export const DEFAULT_PRICE_REGION: PriceRegion = 'us-east-1';

/** A price the estimate needs is not in the table (a new instance type, a new service). */
export class MissingPriceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingPriceError';
  }
}

const PRICES_DIR = join(__dirname, 'prices');

/** Reads the committed table of `region`. */
export function loadPriceTable(region: PriceRegion): PriceTable {
  return JSON.parse(readFileSync(join(PRICES_DIR, `${region}.json`), 'utf8')) as PriceTable;
}

/** The price `id`, or an error that names it, the region and where to add it. */
export function priceOf(table: PriceTable, id: string, what: string): PriceEntry {
  const entry = table.prices[id];
  if (!entry) {
    throw new MissingPriceError(
      `no price for ${what} (${id}) in cost/prices/${table.region}.json; add it with its AWS pricing page, date and source`,
    );
  }
  return entry;
}
