import type { CostEstimate } from './estimate';
import type { LineItem } from './line-items';

/** The estimate as a person reads it: line items by fixed and per-message, then the totals. */
export function formatEstimate(estimate: CostEstimate): string {
  const usd = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  const num = (n: number) =>
    n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toLocaleString('en-US', { maximumSignificantDigits: 4 });
  const perMillion = (n: number) => `$${n.toFixed(4)}`;
  const unitPrice = (n: number) => `$${n.toLocaleString('en-US', { maximumSignificantDigits: 6 })}`;
  const nameWidth = Math.max(40, ...estimate.lineItems.map((item) => item.name.length));
  const row = (item: LineItem) =>
    `  ${item.name.padEnd(nameWidth)}  ${num(item.quantity).padStart(14)} ${item.unit.padEnd(28)} × ` +
    `${unitPrice(item.unitPriceUsd).padStart(13)} = ${usd(item.monthlyUsd).padStart(11)}` +
    (item.perMillionMessagesUsd !== undefined
      ? `  (${perMillion(item.perMillionMessagesUsd)} per million messages)`
      : '');
  const fixed = estimate.lineItems.filter((item) => item.kind === 'fixed');
  const perMessage = estimate.lineItems.filter((item) => item.kind === 'per-message');
  const lines = [
    `Monthly cost estimate — ${estimate.stackName} (stage ${estimate.stage}) in ${estimate.region}`,
    `  ${num(estimate.ratePerSec)} messages/s of ${num(estimate.sizeBytes)} bytes = ` +
      `${num(estimate.month.messages)} messages a month (a ${estimate.month.hours}-hour month)`,
    '',
    'Fixed (whatever the traffic)',
    ...fixed.map(row),
    '',
    'Per message',
    ...perMessage.map(row),
    '',
    `  Fixed         ${usd(estimate.monthlyUsd.fixed).padStart(14)} per month`,
    `  Per message   ${usd(estimate.monthlyUsd.variable).padStart(14)} per month (${perMillion(estimate.perMillionMessagesUsd)} per million messages)`,
    `  Total         ${usd(estimate.monthlyUsd.total).padStart(14)} per month`,
  ];
  if (estimate.notPriced.length > 0) {
    lines.push('', 'No cost per message or month:');
    for (const item of estimate.notPriced) lines.push(`  ${item.name}: ${item.reason}`);
  }
  if (estimate.unknownResourceTypes.length > 0) {
    lines.push('', `NOT PRICED (unknown to cost/resource-types.ts): ${estimate.unknownResourceTypes.join(', ')}`);
  }
  lines.push(
    '',
    `Prices: cost/prices/${estimate.region}.json; each line's source, page and date are in --json. Left out: ` +
      'free tiers, support plans, cross-AZ data transfer, flow-log volume (docs/cost.md).',
  );
  return `${lines.join('\n')}\n`;
}

/** The estimate as `--json` writes it. */
export function estimateJson(estimate: CostEstimate): string {
  return `${JSON.stringify(estimate, null, 2)}\n`;
}
