/**
 * The tearsheet page without a browser: plotly.js once per page (inline, from a src, or left to the
 * notebook), and a backtest stored without exposure, traded value or benchmark (a sweep's light
 * series) gets a page that says what it cannot show instead of empty charts.
 */
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/backtest/metrics.js';
import { tearsheetOf, type TearsheetInput } from '../../src/backtest/tearsheet.js';
import { renderTearsheet } from '../../src/report/render-tearsheet.js';

function input(overrides: Partial<TearsheetInput> = {}): TearsheetInput {
  const n = 600;
  const dates = Float64Array.from({ length: n }, (_, t) => Date.UTC(2020, 0, 1) + t * 86_400_000);
  const equity = Float64Array.from({ length: n }, (_, t) => 1000 * (1 + 0.0004 * t + 0.03 * Math.sin(t / 15)));
  return {
    label: '#7 example',
    description: 'lookback=20',
    interval: '1d',
    dates,
    equity,
    initialCash: 1000,
    grossExposure: null,
    traded: null,
    benchmark: null,
    trades: [],
    riskFreeReturns: null,
    metrics: computeMetrics({ interval: '1d', dates, equity, initialCash: 1000, trades: [] }),
    ...overrides,
  };
}

const count = (html: string, text: string) => html.split(text).length - 1;

describe('the tearsheet page', () => {
  it('loads plotly.js once, inline, and says which charts a light backtest cannot have', () => {
    const html = renderTearsheet([tearsheetOf(input())]);
    expect(count(html, 'DecompressionStream')).toBe(1);
    // Equity, drawdown, monthly, rolling Sharpe and volatility, distribution: no beta, exposure or turnover.
    expect(count(html, 'Plotly.newPlot')).toBe(6);
    expect(html).toContain('No benchmark: no rolling beta');
    expect(html).toContain('Exposure was not stored');
    expect(html).toContain('no turnover chart');
    expect(html).not.toContain('data-metric="beta"');
  });

  it('loads plotly.js from plotlySrc instead, and a notebook fragment can leave it out', () => {
    const sheet = tearsheetOf(input());
    const served = renderTearsheet([sheet], { plotlySrc: '../assets/plotly-x.min.js' });
    expect(served).toContain('<script src="../assets/plotly-x.min.js"></script>');
    expect(served).not.toContain('DecompressionStream');
    const fragment = renderTearsheet([sheet], { fragment: true, includeBundle: false });
    expect(fragment).not.toContain('<html');
    expect(fragment).not.toContain('DecompressionStream');
    expect(count(fragment, 'Plotly.newPlot')).toBe(6);
  });

  it('escapes what the stored backtest says about itself', () => {
    const html = renderTearsheet([tearsheetOf(input({ label: '#8 <b>x</b>', description: 'a=<script>' }))]);
    expect(html).not.toContain('<b>x</b>');
    expect(html).not.toContain('a=<script>');
    expect(html).toContain('a&#x3D;&lt;script&gt;');
  });
});
