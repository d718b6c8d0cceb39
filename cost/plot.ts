/**
 * `--plot FILE.svg`: monthly cost against message rate, both axes logarithmic, one curve per stage. Hand-written
 * SVG (no charting dependency): a grid at each power of ten, the curves as polylines, a legend.
 */

export interface CostCurve {
  readonly label: string;
  /** Points in increasing rate order: messages per second and dollars per month. */
  readonly points: readonly { readonly ratePerSec: number; readonly monthlyUsd: number }[];
}

const WIDTH = 800;
const HEIGHT = 500;
const MARGIN = { left: 90, right: 45, top: 50, bottom: 60 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

/** Log-spaced rates from `from` to `to`, `perDecade` points a decade. */
export function logRates(from: number, to: number, perDecade: number): number[] {
  const rates: number[] = [];
  const steps = Math.round(Math.log10(to / from) * perDecade);
  for (let i = 0; i <= steps; i++) rates.push(from * 10 ** (i / perDecade));
  return rates;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function dollars(value: number): string {
  if (value >= 1e6) return `$${(value / 1e6).toLocaleString('en-US')}M`;
  return value >= 1000 ? `$${(value / 1000).toLocaleString('en-US')}k` : `$${value.toLocaleString('en-US')}`;
}

/** The SVG document for `curves`. */
export function costPlotSvg(curves: readonly CostCurve[], title: string): string {
  const all = curves.flatMap((c) => c.points);
  const xMin = Math.min(...all.map((p) => p.ratePerSec));
  const xMax = Math.max(...all.map((p) => p.ratePerSec));
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p.monthlyUsd))));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.monthlyUsd))));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (rate: number) => MARGIN.left + (Math.log10(rate / xMin) / Math.log10(xMax / xMin)) * plotW;
  const y = (usd: number) => MARGIN.top + plotH - (Math.log10(usd / yMin) / Math.log10(yMax / yMin)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16">${escapeXml(title)}</text>`,
  ];
  for (let decade = Math.log10(xMin); decade <= Math.log10(xMax) + 1e-9; decade++) {
    const rate = 10 ** decade;
    parts.push(
      `<line x1="${x(rate)}" y1="${MARGIN.top}" x2="${x(rate)}" y2="${MARGIN.top + plotH}" stroke="#ddd"/>`,
      `<text x="${x(rate)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${rate.toLocaleString('en-US')}</text>`,
    );
  }
  for (let decade = Math.log10(yMin); decade <= Math.log10(yMax) + 1e-9; decade++) {
    const usd = 10 ** decade;
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y(usd)}" x2="${MARGIN.left + plotW}" y2="${y(usd)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(usd) + 4}" text-anchor="end">${dollars(usd)}</text>`,
    );
  }
  parts.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#444"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 15}" text-anchor="middle">messages per second (log scale)</text>`,
    `<text x="20" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 20 ${MARGIN.top + plotH / 2})">US dollars per month (log scale)</text>`,
  );
  curves.forEach((curve, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = curve.points.map((p) => `${x(p.ratePerSec).toFixed(1)},${y(p.monthlyUsd).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2.5" points="${points}"/>`,
      `<line x1="${MARGIN.left + 15}" y1="${MARGIN.top + 18 + i * 20}" x2="${MARGIN.left + 45}" y2="${MARGIN.top + 18 + i * 20}" stroke="${colour}" stroke-width="2.5"/>`,
      `<text x="${MARGIN.left + 52}" y="${MARGIN.top + 22 + i * 20}">${escapeXml(curve.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
