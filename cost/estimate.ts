import type { CfnTemplate } from '../local/cfn-template';
import { fixedLines } from './fixed-costs';
import type { HandlerTimesFile } from './handler-times';
import { HOURS_PER_MONTH, type LineItem, type NotPriced, SECONDS_PER_MONTH } from './line-items';
import { messagePathCosts, type Traffic } from './message-costs';
import type { PriceTable } from './price-table';
import { RESOURCE_TYPES } from './resource-types';
import { readStackInventory, type StackInventory } from './template-inventory';

/** What `npm run cost -- --json FILE` writes. */
export interface CostEstimate {
  readonly stage: string;
  readonly stackName: string;
  readonly region: string;
  readonly ratePerSec: number;
  readonly sizeBytes: number;
  /** The month: AWS's 730 hours, for hourly resources and for messages alike. */
  readonly month: { readonly hours: number; readonly seconds: number; readonly messages: number };
  readonly monthlyUsd: { readonly fixed: number; readonly variable: number; readonly total: number };
  /** The per-message lines for one million messages (fixed costs excluded). */
  readonly perMillionMessagesUsd: number;
  readonly lineItems: readonly LineItem[];
  /** Resources in the template with no cost per message or month, and why. */
  readonly notPriced: readonly NotPriced[];
  /** Resource types in the template that cost/resource-types.ts does not know (each should be added there). */
  readonly unknownResourceTypes: readonly string[];
}

export interface EstimateInput {
  readonly stage: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly prices: PriceTable;
  readonly handlerTimes: HandlerTimesFile;
  readonly traffic: Traffic;
}

/** The monthly estimate of one synthesized stage at one traffic profile. Pure. */
export function estimateCost(input: EstimateInput): CostEstimate {
  const inventory: StackInventory = readStackInventory(input.template);
  const path = messagePathCosts(inventory, input.prices, input.handlerTimes, input.traffic);
  const fixed = [...fixedLines(inventory, input.prices, input.handlerTimes, path.functions), ...path.fixed];
  const lineItems = [...fixed, ...path.perMessage];
  const sum = (items: readonly LineItem[]) => items.reduce((total, item) => total + item.monthlyUsd, 0);
  const fixedUsd = sum(fixed);
  const variableUsd = sum(path.perMessage);
  return {
    stage: input.stage,
    stackName: input.stackName,
    region: input.prices.region,
    ratePerSec: input.traffic.ratePerSec,
    sizeBytes: input.traffic.sizeBytes,
    month: {
      hours: HOURS_PER_MONTH,
      seconds: SECONDS_PER_MONTH,
      messages: input.traffic.ratePerSec * SECONDS_PER_MONTH,
    },
    monthlyUsd: { fixed: fixedUsd, variable: variableUsd, total: fixedUsd + variableUsd },
    perMillionMessagesUsd: path.perMessage.reduce((total, item) => total + (item.perMillionMessagesUsd ?? 0), 0),
    lineItems,
    notPriced: path.notPriced,
    unknownResourceTypes: Object.keys(inventory.resourceTypes).filter((type) => !RESOURCE_TYPES[type]),
  };
}
