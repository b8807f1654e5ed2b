import { describe, expect, it } from 'vitest';
import { computeMetrics, type MetricsInput } from '../../src/backtest/metrics.js';
import type { Trade } from '../../src/backtest/engine.js';
import { dateToTs } from '../../src/data/bar.js';
import { expectValidationError } from '../helpers/validation-error.js';

// Independent reference formulas on plain arrays, written from the definitions.
const avg = (x: readonly number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const cov = (x: readonly number[], y: readonly number[]) => {
  const mx = avg(x);
  const my = avg(y);
  return x.reduce((s, xi, i) => s + (xi - mx) * (y[i]! - my), 0) / (x.length - 1);
};
const sd = (x: readonly number[]) => Math.sqrt(cov(x, x));
const popMoment = (x: readonly number[], k: number) => avg(x.map((v) => (v - avg(x)) ** k));
const days = (...isoDates: string[]) => Float64Array.from(isoDates.map(dateToTs));

function trade(entryBar: number, exitBar: number, pnlNet: number): Trade {
  return { symbol: 0, entryBar, exitBar, direction: 1, maxShares: 1, entryPrice: 10, exitPrice: 10, pnl: pnlNet, fees: 0, pnlNet };
}

// 100 -> 110 -> 99 -> 121 from 100 of cash; dates spaced so that years = 1461 / 365.25 = 4 exactly.
// The interval sets periodsPerYear = 252 and the date format only.
function fixture(overrides: Partial<MetricsInput> = {}): MetricsInput {
  return {
    interval: '1d',
    dates: days('2020-01-01', '2021-01-01', '2022-01-01', '2024-01-01'),
    equity: Float64Array.of(100, 110, 99, 121),
    initialCash: 100,
    trades: [trade(0, 1, 50), trade(1, 2, -20), trade(0, 3, 0), trade(2, 3, 30), trade(1, 3, -10)],
    openTrades: [trade(3, -1, 5)],
    traded: Float64Array.of(0, 100, 50, 110),
    grossExposure: Float64Array.of(0, 110, 99, 0),
    ...overrides,
  };
}

// r = [100/100 - 1, 110/100 - 1, 99/110 - 1, 121/99 - 1] = [0, 0.1, -0.1, 0.2222]
const R = [0, 0.1, -0.1, 121 / 99 - 1];
const SQRT_PPY = Math.sqrt(252);

/** Every leaf is a finite number, a string or null. */
function leaves(value: unknown): unknown[] {
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [value];
}

describe('computeMetrics: period and returns', () => {
  const m = computeMetrics(fixture());

  it('reports the period with ISO dates and years = days / 365.25', () => {
    expect(m.period).toEqual({ start: '2020-01-01', end: '2024-01-01', bars: 4, years: 4, interval: '1d', periodsPerYear: 252 });
  });

  it('total return % and CAGR: 4 years exactly, so CAGR = 1.21^(1/4) - 1 = sqrt(1.1) - 1 = 0.04881', () => {
    expect(m.returns.totalReturnPct).toBeCloseTo(21, 12);
    expect(m.returns.cagr).toBeCloseTo(Math.sqrt(1.1) - 1, 12);
    expect(m.returns.cagr).toBeCloseTo(0.0488088, 6);
  });

  it('volatility is the sample std (n - 1) of per-bar returns from the initial cash, x sqrt(252)', () => {
    // mean = 0.2222 / 4 = 1/18 = 0.05556; std = sqrt(0.057037 / 3) = 0.13789; x 15.875 = 2.18886
    expect(m.returns.meanReturn).toBeCloseTo(1 / 18, 12);
    expect(m.returns.volatility).toBeCloseTo(sd(R) * SQRT_PPY, 12);
    expect(m.returns.volatility).toBeCloseTo(2.18886, 5);
  });

  it('Sharpe = mean / std x sqrt(ppy) with rf = 0', () => {
    // 0.05556 / 0.13789 x 15.875 = 6.39602
    expect(m.returns.sharpe).toBeCloseTo((avg(R) / sd(R)) * SQRT_PPY, 12);
    expect(m.returns.sharpe).toBeCloseTo(6.39602, 5);
  });

  it('Sortino divides by sqrt(sum(min(r, 0)^2) / n) over all n bars (quantstats), not over losing bars only', () => {
    // downside deviation = sqrt(0.1^2 / 4) = 0.05; 0.05556 / 0.05 x 15.875 = 17.63834
    expect(m.returns.sortino).toBeCloseTo((avg(R) / 0.05) * SQRT_PPY, 12);
    expect(m.returns.sortino).toBeCloseTo(17.63834, 5);
    const losingBarsOnly = (avg(R) / 0.1) * SQRT_PPY;
    expect(m.returns.sortino).not.toBeCloseTo(losingBarsOnly, 3);
  });

  it('subtracts rf / ppy per bar in Sharpe and Sortino', () => {
    const withRf = computeMetrics(fixture({ riskFreeRate: 0.0252 })); // 0.0001 per bar
    const excess = R.map((r) => r - 0.0001);
    const downside = Math.sqrt(avg(excess.map((e) => Math.min(e, 0) ** 2)));
    expect(withRf.returns.riskFreeRate).toBe(0.0252);
    expect(withRf.returns.sharpe).toBeCloseTo(((avg(R) - 0.0001) / sd(R)) * SQRT_PPY, 12);
    expect(withRf.returns.sortino).toBeCloseTo((avg(excess) / downside) * SQRT_PPY, 12);
  });

  it('takes per-bar risk-free returns (a T-bill series): Sharpe on the excess returns, rf its annualised mean', () => {
    const rf = [0.0001, 0.0002, 0.0001, 0.0003];
    const withSeries = computeMetrics(fixture({ riskFreeReturns: Float64Array.from(rf) }));
    const excess = R.map((r, t) => r - rf[t]!);
    const downside = Math.sqrt(avg(excess.map((e) => Math.min(e, 0) ** 2)));
    expect(withSeries.returns.riskFreeRate).toBeCloseTo(avg(rf) * 252, 15);
    expect(withSeries.returns.sharpe).toBeCloseTo((avg(excess) / sd(excess)) * SQRT_PPY, 12);
    expect(withSeries.returns.sortino).toBeCloseTo((avg(excess) / downside) * SQRT_PPY, 12);
    expect(withSeries.returns.volatility).toBe(computeMetrics(fixture()).returns.volatility);
    expect(() => computeMetrics(fixture({ riskFreeReturns: Float64Array.of(0, 0, Number.NaN, 0) }))).toThrow(/riskFreeReturns/);
    expect(() => computeMetrics(fixture({ riskFreeReturns: new Float64Array(4), riskFreeRate: 0.01 }))).toThrow(/not both/);
  });

  it('annualises with periodsPerYear when given', () => {
    const monthly = computeMetrics(fixture({ periodsPerYear: 12 }));
    expect(monthly.period.periodsPerYear).toBe(12);
    expect(monthly.returns.volatility).toBeCloseTo(sd(R) * Math.sqrt(12), 12);
  });

  it('skewness g1 = m3 / m2^1.5 and excess kurtosis g2 = m4 / m2^2 - 3 with population moments', () => {
    // m2 = 0.057037 / 4 = 0.014259; g1 = 0.11480, g2 = -1.31484 (pandas' adjusted G1/G2 would differ)
    expect(m.returns.skewness).toBeCloseTo(popMoment(R, 3) / popMoment(R, 2) ** 1.5, 12);
    expect(m.returns.skewness).toBeCloseTo(0.1148, 4);
    expect(m.returns.excessKurtosis).toBeCloseTo(popMoment(R, 4) / popMoment(R, 2) ** 2 - 3, 12);
    expect(m.returns.excessKurtosis).toBeCloseTo(-1.31484, 5);
  });

  it('Calmar = CAGR / max drawdown depth (fractions): 0.04881 / 0.1', () => {
    expect(m.returns.calmar).toBeCloseTo((Math.sqrt(1.1) - 1) / 0.1, 12);
  });
});

describe('computeMetrics: drawdown', () => {
  it('describes the deepest episode: peak 110, trough 99 (10%, 11 in money), recovered at 121', () => {
    expect(computeMetrics(fixture()).drawdown).toEqual({
      maxDepthPct: expect.closeTo(10, 12),
      maxMoneydown: 11,
      start: '2021-01-01',
      trough: '2022-01-01',
      recovery: '2024-01-01',
      durationBars: 2, // bar 1 -> bar 3
      durationDays: 1095, // 2021-01-01 -> 2024-01-01 = 3 x 365
      longestBars: 1,
    });
  });

  it('a never-recovered drawdown has recovery null and lasts to the last bar', () => {
    const m = computeMetrics(
      fixture({ dates: days('2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'), equity: Float64Array.of(100, 120, 90, 100) }),
    );
    expect(m.drawdown).toEqual({
      maxDepthPct: 25, // (120 - 90) / 120
      maxMoneydown: 30,
      start: '2024-01-03',
      trough: '2024-01-04',
      recovery: null,
      durationBars: 2, // bar 1 -> last bar 3
      durationDays: 2,
      longestBars: 2,
    });
  });

  it('a peak at the initial capital is bar -1 for durationBars and dated at the first bar', () => {
    const m = computeMetrics(
      fixture({ dates: days('2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'), equity: Float64Array.of(90, 95, 100, 105) }),
    );
    expect(m.drawdown).toMatchObject({
      maxDepthPct: expect.closeTo(10, 12),
      start: '2024-01-02',
      trough: '2024-01-02',
      recovery: '2024-01-04',
    });
    expect(m.drawdown.durationBars).toBe(3); // bar -1 -> bar 2
    expect(m.drawdown.durationDays).toBe(2); // 2024-01-02 -> 2024-01-04
    expect(m.drawdown.longestBars).toBe(2);
  });
});

describe('computeMetrics: trades and activity', () => {
  it('counts and averages closed trades on pnlNet', () => {
    // pnlNet 50, -20, 0, 30, -10; held 1, 1, 3, 1, 2 bars
    expect(computeMetrics(fixture()).trades).toEqual({
      closed: 5,
      won: 2,
      lost: 2,
      breakEven: 1,
      winRate: 0.4,
      profitFactor: 80 / 30,
      netPnl: 50,
      avgWin: 40,
      avgLoss: -15,
      avgPnlNet: 10,
      best: 50,
      worst: -20,
      avgBarsHeld: 1.6,
      openAtEnd: 1,
    });
  });

  it('profit factor is null with no losing trade, averages null with no trade', () => {
    expect(computeMetrics(fixture({ trades: [trade(0, 1, 10), trade(1, 2, 0)] })).trades.profitFactor).toBeNull();
    const none = computeMetrics(fixture({ trades: [], openTrades: undefined })).trades;
    expect(none).toMatchObject({ closed: 0, winRate: null, profitFactor: null, avgWin: null, avgLoss: null, best: null, openAtEnd: 0 });
  });

  it('turnover = sum(traded) / mean(equity) / years; exposure from grossExposure', () => {
    const { activity } = computeMetrics(fixture());
    expect(activity.turnover).toBeCloseTo(260 / 107.5 / 4, 12); // mean equity 430 / 4
    expect(activity.timeInMarket).toBe(0.5); // 2 of 4 bars
    expect(activity.avgGrossExposure).toBeCloseTo(0.5, 12); // mean(0, 1, 1, 0)
  });

  it('activity figures are null when their inputs are not given', () => {
    const { activity } = computeMetrics(fixture({ traded: undefined, grossExposure: undefined }));
    expect(activity).toEqual({ turnover: null, timeInMarket: null, avgGrossExposure: null });
  });
});

describe('computeMetrics: benchmark', () => {
  const prices = Float64Array.of(50, 52, 49.4, 54.34);

  it('computes buy and hold, beta, alpha, correlation, tracking error and IR over bars 1..n-1', () => {
    const b = computeMetrics(fixture({ benchmark: { symbol: 'SPY', prices } })).benchmark!;
    const x = R.slice(1); // r_0 comes from the initial cash: no benchmark return to pair it with
    const y = [52 / 50 - 1, 49.4 / 52 - 1, 54.34 / 49.4 - 1]; // 0.04, -0.05, 0.1
    const beta = cov(x, y) / cov(y, y);
    const active = x.map((v, i) => v - y[i]!);
    const te = sd(active) * SQRT_PPY;
    expect(b.symbol).toBe('SPY');
    expect(b.start).toBe('2020-01-01');
    expect(b.pairedBars).toBe(3);
    expect(b.totalReturnPct).toBeCloseTo(8.68, 10); // 54.34 / 50 = 1.0868
    expect(b.cagr).toBeCloseTo(1.0868 ** 0.25 - 1, 12);
    expect(b.excessCagr).toBeCloseTo(Math.sqrt(1.1) - 1.0868 ** 0.25, 12);
    expect(b.beta).toBeCloseTo(beta, 12);
    expect(b.alpha).toBeCloseTo((avg(x) - beta * avg(y)) * 252, 10);
    expect(b.correlation).toBeCloseTo(cov(x, y) / (sd(x) * sd(y)), 12);
    expect(b.trackingError).toBeCloseTo(te, 12);
    expect(b.informationRatio).toBeCloseTo((avg(active) * 252) / te, 12);
  });

  it("gives the benchmark the strategy's own figures: volatility, Sharpe, Sortino, drawdown and Calmar", () => {
    const b = computeMetrics(fixture({ benchmark: { symbol: 'SPY', prices } })).benchmark!;
    const y = [52 / 50 - 1, 49.4 / 52 - 1, 54.34 / 49.4 - 1];
    const depth = 1 - 49.4 / 52; // peak 52, trough 49.4
    const cagr = 1.0868 ** 0.25 - 1;
    expect(b.volatility).toBeCloseTo(sd(y) * SQRT_PPY, 12);
    expect(b.sharpe).toBeCloseTo((avg(y) / sd(y)) * SQRT_PPY, 12);
    expect(b.sortino).toBeCloseTo((avg(y) / Math.sqrt(avg(y.map((v) => Math.min(v, 0) ** 2)))) * SQRT_PPY, 12);
    expect(b.maxDrawdownPct).toBeCloseTo(depth * 100, 12);
    expect(b.calmar).toBeCloseTo(cagr / depth, 12);
  });

  it('subtracts the risk-free rate in Sharpe, Sortino, beta and alpha of the benchmark comparison', () => {
    const rf = Float64Array.of(0.0001, 0.0002, 0.0001, 0.0003);
    const b = computeMetrics(fixture({ benchmark: { symbol: 'SPY', prices }, riskFreeReturns: rf })).benchmark!;
    const x = R.slice(1).map((v, i) => v - rf[i + 1]!);
    const y = [52 / 50 - 1, 49.4 / 52 - 1, 54.34 / 49.4 - 1].map((v, i) => v - rf[i + 1]!);
    const beta = cov(x, y) / cov(y, y);
    expect(b.beta).toBeCloseTo(beta, 12);
    expect(b.alpha).toBeCloseTo((avg(x) - beta * avg(y)) * 252, 10);
    expect(b.sharpe).toBeCloseTo((avg(y) / sd(y)) * SQRT_PPY, 12);
  });

  it('starts at the first non-NaN price: total return and CAGR over its own period', () => {
    const late = Float64Array.of(Number.NaN, 52, 49.4, 54.34);
    const b = computeMetrics(fixture({ benchmark: { symbol: 'SPY', prices: late } })).benchmark!;
    const x = R.slice(2);
    const y = [49.4 / 52 - 1, 54.34 / 49.4 - 1];
    expect(b.start).toBe('2021-01-01');
    expect(b.pairedBars).toBe(2);
    expect(b.totalReturnPct).toBeCloseTo((54.34 / 52 - 1) * 100, 10);
    expect(b.cagr).toBeCloseTo((54.34 / 52) ** (365.25 / 1095) - 1, 12); // 2021-01-01 -> 2024-01-01
    expect(b.beta).toBeCloseTo(cov(x, y) / cov(y, y), 12);
  });

  it('a benchmark without any price gives nulls, and no benchmark gives null', () => {
    const empty = computeMetrics(fixture({ benchmark: { symbol: 'SPY', prices: new Float64Array(4).fill(Number.NaN) } })).benchmark!;
    expect(empty).toMatchObject({ start: null, totalReturnPct: null, beta: null, informationRatio: null, pairedBars: 0 });
    expect(empty).toMatchObject({ volatility: null, sharpe: null, sortino: null, calmar: null, maxDrawdownPct: null });
    expect(computeMetrics(fixture()).benchmark).toBeNull();
  });
});

describe('computeMetrics: degenerate series', () => {
  it('a flat equity has 0 volatility and null Sharpe, Sortino, Calmar and moments', () => {
    const m = computeMetrics(fixture({ equity: Float64Array.of(100, 100, 100, 100) }));
    expect(m.returns).toMatchObject({ totalReturnPct: 0, cagr: 0, volatility: 0, sharpe: null, sortino: null, calmar: null });
    expect(m.returns.skewness).toBeNull();
    expect(m.returns.excessKurtosis).toBeNull();
    expect(m.drawdown).toEqual({
      maxDepthPct: 0,
      maxMoneydown: 0,
      start: null,
      trough: null,
      recovery: null,
      durationBars: 0,
      durationDays: 0,
      longestBars: 0,
    });
  });

  it('an equity growing by a constant rate has a null Sharpe ratio, not rounding noise blown up to 1e16', () => {
    const equity = Float64Array.from({ length: 100 }, (_, t) => 100 * 1.001 ** (t + 1));
    const dates = Float64Array.from({ length: 100 }, (_, t) => dateToTs('2020-01-01') + t * 86_400_000);
    const m = computeMetrics(fixture({ equity, dates, traded: undefined, grossExposure: undefined }));
    expect(m.returns.volatility).toBeLessThan(1e-12);
    expect(m.returns.sharpe).toBeNull();
  });

  it('equity at or below zero: CAGR and the return statistics after it are null, never NaN', () => {
    const m = computeMetrics(fixture({ equity: Float64Array.of(100, -10, 0, 5) }));
    expect(m.returns.totalReturnPct).toBeCloseTo(-95, 12);
    expect(m.returns).toMatchObject({ volatility: null, sharpe: null, sortino: null });
    expect(computeMetrics(fixture({ equity: Float64Array.of(100, 50, 20, -10) })).returns.cagr).toBeNull();
  });

  it('everything is JSON-serialisable, with no NaN, Infinity or undefined', () => {
    const cases = [
      computeMetrics(fixture({ benchmark: { symbol: 'SPY', prices: Float64Array.of(Number.NaN, 52, 49.4, 54.34) } })),
      computeMetrics(fixture({ equity: Float64Array.of(100, 100, 100, 100), trades: [], traded: undefined })),
      computeMetrics(fixture({ equity: Float64Array.of(100, -10, 0, 5), benchmark: { symbol: 'X', prices: Float64Array.of(1, 1, 1, 1) } })),
    ];
    for (const m of cases) {
      expect(JSON.parse(JSON.stringify(m))).toEqual(m);
      for (const leaf of leaves(m)) expect(leaf === null || typeof leaf === 'string' || Number.isFinite(leaf)).toBe(true);
    }
  });
});

describe('computeMetrics: input', () => {
  const fails = (overrides: Partial<MetricsInput>, field: string, message: RegExp) =>
    expectValidationError(() => computeMetrics(fixture(overrides)), field, message);

  it('rejects fewer than 2 bars and mismatched lengths, naming the field', () => {
    fails({ equity: Float64Array.of(100), dates: days('2024-01-02') }, 'equity', /at least 2 bars/);
    fails({ dates: days('2024-01-02', '2024-01-03') }, 'dates', /has 2 values but equity has 4/);
    fails({ traded: Float64Array.of(0, 0) }, 'traded', /has 2 values/);
    fails({ grossExposure: new Float64Array(5) }, 'grossExposure', /has 5 values/);
    fails({ benchmark: { symbol: 'SPY', prices: Float64Array.of(1, 2) } }, 'benchmark.prices', /SPY has 2 prices/);
  });

  it('rejects non-positive initial cash', () => {
    fails({ initialCash: 0 }, 'initialCash', /positive/);
    fails({ initialCash: -5 }, 'initialCash', /positive/);
  });

  it('rejects NaN in the equity, naming the bar', () => {
    fails({ equity: Float64Array.of(100, 110, Number.NaN, 121) }, 'equity', /equity: has NaN at bar 2/);
  });

  it('rejects unordered dates, a gap in the benchmark after its first price, and a trade without P&L', () => {
    fails({ dates: days('2020-01-01', '2021-01-01', '2021-01-01', '2024-01-01') }, 'dates', /bar 2 is not after bar 1/);
    fails({ benchmark: { symbol: 'SPY', prices: Float64Array.of(Number.NaN, 1, Number.NaN, 1) } }, 'benchmark.prices', /NaN at bar 2/);
    fails({ benchmark: { symbol: 'SPY', prices: Float64Array.of(1, 0, 1, 1) } }, 'benchmark.prices', /positive/);
    fails({ trades: [trade(0, 1, Number.NaN)] }, 'trades[0].pnlNet', /NaN/);
    fails({ periodsPerYear: 0 }, 'periodsPerYear', /positive/);
  });

  it('does not mutate its inputs', () => {
    const input = fixture({ benchmark: { symbol: 'SPY', prices: Float64Array.of(Number.NaN, 52, 49.4, 54.34) } });
    const copy = structuredClone(input);
    computeMetrics(input);
    expect(input).toEqual(copy);
  });
});
