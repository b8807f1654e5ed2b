/**
 * The tearsheet's kernels on small hand-worked curves: the cases a real backtest may not reach (an
 * unrecovered drawdown, a benchmark that starts late, constant returns), and inputs left unmutated.
 */
import { describe, expect, it } from 'vitest';
import { calendarReturns, monthlyTurnover } from '../../src/backtest/calendar-returns.js';
import { drawdownEpisodes, worstDrawdowns } from '../../src/backtest/drawdown-episodes.js';
import { returnDistribution } from '../../src/backtest/return-distribution.js';
import { priceReturns, rollingStatistics } from '../../src/backtest/rolling-statistics.js';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('calendar returns', () => {
  it('chains month ends from the initial cash; a year is the product of its months', () => {
    const dates = Float64Array.from(['2023-12-29', '2024-01-15', '2024-01-31', '2024-02-29'].map(day));
    const equity = Float64Array.of(100, 104, 110, 99);
    const copy = equity.slice();
    const { months, years } = calendarReturns(dates, equity, 80);
    expect(months.map((m) => [m.year, m.month])).toEqual([
      [2023, 12],
      [2024, 1],
      [2024, 2],
    ]);
    expect(months.map((m) => m.return)).toEqual([100 / 80 - 1, 110 / 100 - 1, 99 / 110 - 1]);
    expect(years.map((y) => y.year)).toEqual([2023, 2024]);
    expect(years[1]!.return).toBeCloseTo(99 / 100 - 1, 15);
    expect(equity).toEqual(copy);
  });

  it('turnover per month is its traded value over its mean equity', () => {
    const dates = Float64Array.from(['2024-01-30', '2024-01-31', '2024-02-01'].map(day));
    const turnover = monthlyTurnover(dates, Float64Array.of(100, 300, 50), Float64Array.of(40, 0, 25));
    expect(turnover).toEqual([
      { year: 2024, month: 1, turnover: 40 / 200 },
      { year: 2024, month: 2, turnover: 25 / 50 },
    ]);
  });
});

describe('drawdown episodes', () => {
  it('lists every episode deepest first, an unrecovered one with recovery -1, the initial capital as peak -1', () => {
    const equity = Float64Array.of(90, 101, 95, 120, 60, 100);
    expect(drawdownEpisodes(equity, 100)).toEqual([
      { peak: 3, trough: 4, recovery: -1, depth: 0.5 },
      { peak: -1, trough: 0, recovery: 1, depth: 0.1 },
      { peak: 1, trough: 2, recovery: 3, depth: 6 / 101 },
    ]);
    const dates = Float64Array.from(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08'].map(day));
    const [worst, second] = worstDrawdowns(dates, equity, 100, '1d', 2);
    expect(worst).toEqual({ start: '2024-01-04', trough: '2024-01-05', recovery: null, depthPct: 50, bars: 2, days: 4 });
    expect(second).toEqual({ start: '2024-01-01', trough: '2024-01-01', recovery: '2024-01-02', depthPct: 10, bars: 2, days: 1 });
  });

  it('has none for a curve that never falls', () => {
    expect(drawdownEpisodes(Float64Array.of(100, 100, 101), 100)).toEqual([]);
  });
});

describe('rolling statistics', () => {
  it('is NaN before a full window and while the benchmark has no return', () => {
    const returns = Float64Array.of(0.01, -0.02, 0.03, 0.01, 0.02);
    const prices = Float64Array.of(Number.NaN, Number.NaN, 100, 102, 101);
    const b = priceReturns(prices);
    expect(Array.from(b.subarray(0, 3)).every(Number.isNaN)).toBe(true);
    const stats = rollingStatistics({ returns, benchmarkReturns: b, window: 2, periodsPerYear: 252 });
    expect(Number.isNaN(stats.sharpe[0]!)).toBe(true);
    expect(stats.volatility[1]).toBeCloseTo(Math.sqrt(((0.01 - -0.005) ** 2 + (-0.02 - -0.005) ** 2) / 1) * Math.sqrt(252), 12);
    expect(Number.isNaN(stats.beta![3]!)).toBe(true); // window (2, 3): bar 2 has no benchmark return
    // Window (3, 4): x = returns 0.01, 0.02; y = 102 / 100 - 1, 101 / 102 - 1.
    const [x0, x1, y0, y1] = [0.01, 0.02, 102 / 100 - 1, 101 / 102 - 1];
    const mx = (x0 + x1) / 2;
    const my = (y0 + y1) / 2;
    const cov = (x0 - mx) * (y0 - my) + (x1 - mx) * (y1 - my);
    const variance = (y0 - my) ** 2 + (y1 - my) ** 2;
    expect(stats.beta![4]).toBeCloseTo(cov / variance, 12);
  });

  it('gives no Sharpe ratio for constant returns, as metrics.ts', () => {
    const stats = rollingStatistics({ returns: new Float64Array(5).fill(0.001), window: 3, periodsPerYear: 252 });
    expect(Number.isNaN(stats.sharpe[4]!)).toBe(true);
    expect(stats.beta).toBeNull();
  });
});

describe('return distribution', () => {
  it('counts every return in its bin and scales the normal to the sample', () => {
    const returns = Float64Array.of(-0.02, -0.01, 0, 0, 0.01, 0.03);
    const d = returnDistribution(returns, 5);
    expect(d.width).toBeCloseTo(0.01, 15);
    expect(Array.from(d.counts)).toEqual([1, 1, 2, 1, 1]);
    expect(d.centres[0]).toBeCloseTo(-0.015, 15);
    const sd = Math.sqrt(returns.reduce((s, r) => s + (r - 0.0016666666666666668) ** 2, 0) / 5);
    expect(d.normal[2]).toBeCloseTo(
      (6 * 0.01 * Math.exp(-0.5 * ((0.005 - 0.0016666666666666668) / sd) ** 2)) / (sd * Math.sqrt(2 * Math.PI)),
      12,
    );
  });
});
