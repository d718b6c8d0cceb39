import { costPlotSvg, logRates } from '../../cost/plot';

describe('cost plot', () => {
  test('rates are log-spaced from 1 to 100,000', () => {
    const rates = logRates(1, 100_000, 10);
    expect(rates).toHaveLength(51);
    expect(rates[0]).toBe(1);
    expect(rates[10]).toBeCloseTo(10, 9);
    expect(rates[50]).toBeCloseTo(100_000, 6);
  });

  test('draws one labelled curve per stage on log axes with a tick per power of ten', () => {
    const curve = (label: string, fixed: number) => ({
      label,
      points: logRates(1, 100_000, 10).map((ratePerSec) => ({ ratePerSec, monthlyUsd: fixed + ratePerSec * 4 })),
    });
    const svg = costPlotSvg([curve('dev', 100), curve('prod', 700)], 'Monthly cost <test>');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('>dev</text>');
    expect(svg).toContain('>prod</text>');
    expect(svg).toContain('Monthly cost &lt;test&gt;');
    for (const tick of ['>1<', '>10<', '>100<', '>1,000<', '>10,000<', '>100,000<', '>$100<', '>$1k<', '>$1M<']) {
      expect(svg).toContain(tick);
    }
    expect(svg).toContain('messages per second (log scale)');
    expect(svg).toContain('US dollars per month (log scale)');
  });
});
