/**
 * The tearsheet's numbers on a real backtest (xs-momentum on five ETFs of ../shared/data, benchmark
 * SPY), each checked against a straightforward computation written here from the stored equity
 * curve (and, for beta, SPY's adjusted closes read from its CSV file): monthly and yearly returns,
 * the five worst drawdowns, rolling 6- and 12-month Sharpe, volatility and beta, the return
 * distribution, exposure and turnover, and the summary figures (metrics.ts) they sit beside.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeBacktest } from '../../src/backtest/backtest-store.js';
import { getBacktestSeries } from '../../src/backtest/sweep-curves.js';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { runBacktest, type BacktestOutcome } from '../../src/backtest/run-backtest.js';
import { loadTearsheetInput } from '../../src/backtest/tearsheet-input.js';
import { tearsheetOf, type Tearsheet } from '../../src/backtest/tearsheet.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const SYMBOLS = ['SPY', 'TLT', 'GLD', 'EFA', 'IEF'];
const INITIAL = 1_000_000;

let db: TestDatabase;
let outcome: BacktestOutcome;
let sheet: Tearsheet;
let dates: string[];
let equity: number[];

beforeAll(async () => {
  db = await openTestDatabase();
  await ingest(db, new CsvProvider({ path: ETF }), { symbols: SYMBOLS, interval: '1d' });
  const spec = parseBacktestSpec({
    strategy: 'xs-momentum',
    symbols: SYMBOLS,
    from: '2006-01-01',
    to: '2020-12-31',
    initialCash: INITIAL,
    benchmark: 'SPY',
  });
  outcome = await runBacktest(db, spec);
  const id = await storeBacktest(db, outcome);
  sheet = tearsheetOf(await loadTearsheetInput(db, id));
  const series = await getBacktestSeries(db, id);
  dates = Array.from(series.dates, (t) => new Date(t).toISOString().slice(0, 10));
  equity = Array.from(series.equity);
});

afterAll(async () => {
  await db?.close();
});

// ---- independent computations, plain arrays and loops ----

function returnsOf(values: number[], start: number): number[] {
  return values.map((v, i) => v / (i === 0 ? start : values[i - 1]!) - 1);
}

function meanStd(xs: number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** Underwater runs: consecutive bars below the running maximum (the initial capital counting). */
function underwaterRuns(values: number[], start: number) {
  const runs: { peak: number; trough: number; recovery: number; depth: number }[] = [];
  let high = start;
  let highBar = -1;
  let current: (typeof runs)[number] | null = null;
  values.forEach((v, t) => {
    if (v >= high) {
      if (current) runs.push({ ...current, recovery: t });
      current = null;
      high = v;
      highBar = t;
      return;
    }
    const depth = 1 - v / high;
    if (!current) current = { peak: highBar, trough: t, recovery: -1, depth };
    else if (depth > current.depth) current = { ...current, trough: t, depth };
  });
  if (current) runs.push(current);
  return runs.sort((a, b) => b.depth - a.depth || a.peak - b.peak);
}

function adjustedCloses(symbol: string): Map<string, number> {
  const lines = readFileSync(join(ETF, `${symbol}.csv`), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return new Map(lines.map((l) => [l.split(',')[0]!, Number(l.split(',')[5])]));
}
const spyCloses = () => adjustedCloses('SPY');

describe(`the tearsheet of a real backtest, checked independently (${engineName})`, () => {
  it('stores the traded value with the curve, as the engine produced it', async () => {
    expect(Array.from(sheet.dates)).toEqual(Array.from(outcome.dates));
    expect(sheet.turnover).not.toBeNull();
    const traded = outcome.traded.reduce((a, b) => a + b, 0);
    expect(traded).toBeGreaterThan(0);
    // Turnover per month x mean equity of the month adds back up to every traded dollar.
    const months = new Map<string, number[]>();
    dates.forEach((d, t) => months.set(d.slice(0, 7), [...(months.get(d.slice(0, 7)) ?? []), t]));
    const rebuilt = sheet.turnover!.reduce((sum, m) => {
      const bars = months.get(`${m.year}-${String(m.month).padStart(2, '0')}`)!;
      return sum + m.turnover * (bars.reduce((s, t) => s + equity[t]!, 0) / bars.length);
    }, 0);
    expect(rebuilt).toBeCloseTo(traded, 2);
  });

  it('monthly returns and yearly totals equal month-end to month-end returns of the equity', () => {
    const monthEnd = new Map<string, number>();
    dates.forEach((d, t) => monthEnd.set(d.slice(0, 7), equity[t]!));
    const keys = [...monthEnd.keys()];
    const expected = keys.map((k, i) => monthEnd.get(k)! / (i === 0 ? INITIAL : monthEnd.get(keys[i - 1]!)!) - 1);
    expect(sheet.calendar.months).toHaveLength(keys.length);
    sheet.calendar.months.forEach((m, i) => {
      expect(`${m.year}-${String(m.month).padStart(2, '0')}`).toBe(keys[i]);
      expect(m.return).toBeCloseTo(expected[i]!, 12);
    });
    const years = [...new Set(keys.map((k) => k.slice(0, 4)))];
    expect(sheet.calendar.years.map((y) => String(y.year))).toEqual(years);
    for (const y of sheet.calendar.years) {
      const product = keys.reduce((p, k, i) => (k.startsWith(String(y.year)) ? p * (1 + expected[i]!) : p), 1);
      expect(y.return).toBeCloseTo(product - 1, 12);
    }
    const chained = sheet.calendar.years.reduce((p, y) => p * (1 + y.return), 1);
    expect((chained - 1) * 100).toBeCloseTo(sheet.metrics.returns.totalReturnPct, 8);
  });

  it('lists the five worst drawdowns as the underwater runs of the curve, the first being the metrics maximum', () => {
    const runs = underwaterRuns(equity, INITIAL).slice(0, 5);
    expect(runs.length).toBe(5);
    expect(sheet.worstDrawdowns).toHaveLength(5);
    sheet.worstDrawdowns.forEach((d, i) => {
      const run = runs[i]!;
      const endBar = run.recovery >= 0 ? run.recovery : equity.length - 1;
      expect(d.start).toBe(dates[Math.max(run.peak, 0)]);
      expect(d.trough).toBe(dates[run.trough]);
      expect(d.recovery).toBe(run.recovery >= 0 ? dates[run.recovery] : null);
      expect(d.depthPct).toBeCloseTo(run.depth * 100, 10);
      expect(d.bars).toBe(endBar - run.peak);
      expect(d.days).toBe((Date.parse(dates[endBar]!) - Date.parse(dates[Math.max(run.peak, 0)]!)) / 86_400_000);
    });
    const [worst] = sheet.worstDrawdowns;
    const m = sheet.metrics.drawdown;
    expect([worst!.start, worst!.trough, worst!.recovery, worst!.bars]).toEqual([m.start, m.trough, m.recovery, m.durationBars]);
    expect(worst!.depthPct).toBeCloseTo(m.maxDepthPct, 10);
    // Underwater: 1 - V / running max, at every bar.
    let high = INITIAL;
    equity.forEach((v, t) => {
      high = Math.max(high, v);
      expect(sheet.drawdown[t]).toBeCloseTo(1 - v / high, 12);
    });
  });

  it('rolls Sharpe, volatility and beta over 6 and 12 months (126 and 252 bars) as written out here', () => {
    const r = returnsOf(equity, INITIAL);
    const spy = spyCloses();
    const b = dates.map((d, t) => (t === 0 ? Number.NaN : spy.get(d)! / spy.get(dates[t - 1]!)! - 1));
    for (const [stats, window] of [
      [sheet.rolling.sixMonths, 126],
      [sheet.rolling.twelveMonths, 252],
    ] as const) {
      expect(stats.window).toBe(window);
      expect(Number.isNaN(stats.sharpe[window - 2]!)).toBe(true);
      for (const t of [window - 1, 1000, 2345, equity.length - 1]) {
        const x = r.slice(t - window + 1, t + 1);
        const { mean, std } = meanStd(x);
        expect(stats.volatility[t]).toBeCloseTo(std * Math.sqrt(252), 10);
        expect(stats.sharpe[t]).toBeCloseTo((mean / std) * Math.sqrt(252), 8);
        const y = b.slice(t - window + 1, t + 1);
        if (y.some(Number.isNaN)) expect(Number.isNaN(stats.beta![t]!)).toBe(true);
        else {
          const my = meanStd(y);
          const cov = x.reduce((s, xi, i) => s + (xi - mean) * (y[i]! - my.mean), 0) / (window - 1);
          expect(stats.beta![t]).toBeCloseTo(cov / my.std ** 2, 8);
        }
      }
    }
  });

  it('sits beside summary figures that equal the same computation over the whole curve', () => {
    const r = returnsOf(equity, INITIAL);
    const { mean, std } = meanStd(r);
    const m = sheet.metrics.returns;
    expect(m.volatility).toBeCloseTo(std * Math.sqrt(252), 10);
    expect(m.sharpe).toBeCloseTo((mean / std) * Math.sqrt(252), 8);
    const years = (Date.parse(dates.at(-1)!) - Date.parse(dates[0]!)) / (365.25 * 86_400_000);
    expect(m.cagr).toBeCloseTo((equity.at(-1)! / INITIAL) ** (1 / years) - 1, 10);
    // A last full 12-month window is the whole-sample Sharpe of those bars.
    expect(sheet.rolling.twelveMonths.sharpe[equity.length - 1]).toBeCloseTo(
      (meanStd(r.slice(-252)).mean / meanStd(r.slice(-252)).std) * Math.sqrt(252),
      8,
    );
  });

  it('bins every return, and the normal curve holds about as many bars as there are', () => {
    const d = sheet.distribution;
    const r = returnsOf(equity, INITIAL);
    expect(d.counts.reduce((a, b) => a + b, 0)).toBe(r.length);
    const lo = Math.min(...r);
    for (const x of r) {
      const bin = Math.min(d.counts.length - 1, Math.floor((x - lo) / d.width));
      expect(Math.abs(x - d.centres[bin]!)).toBeLessThanOrEqual(d.width / 2 + 1e-15);
    }
    expect(d.mean).toBeCloseTo(meanStd(r).mean, 14);
    expect(d.std).toBeCloseTo(meanStd(r).std, 14);
    const normalTotal = d.normal.reduce((a, b) => a + b, 0);
    expect(normalTotal / r.length).toBeGreaterThan(0.95);
    expect(normalTotal / r.length).toBeLessThan(1.01);
    expect(d.excessKurtosis).toBeGreaterThan(0); // real daily returns have fat tails
  });

  it('shows exposure as gross exposure over equity', () => {
    expect(sheet.exposure).not.toBeNull();
    outcome.grossExposure.forEach((g, t) => expect(sheet.exposure![t]).toBeCloseTo(g / equity[t]!, 12));
    expect(sheet.trades.length).toBe(outcome.trades.length);
  });
});

describe(`the tearsheet of a backtest measured against SHY's returns (${engineName})`, () => {
  it('rolls Sharpe and beta on returns in excess of the risk-free return of each bar, as the summary does', async () => {
    await ingest(db, new CsvProvider({ path: ETF }), { symbols: ['SHY'], interval: '1d' });
    const spec = parseBacktestSpec({
      strategy: 'xs-momentum',
      symbols: SYMBOLS,
      from: '2006-01-01',
      to: '2020-12-31',
      initialCash: INITIAL,
      benchmark: 'SPY',
      riskFreeSymbol: 'SHY',
    });
    const id = await storeBacktest(db, await runBacktest(db, spec));
    const measured = tearsheetOf(await loadTearsheetInput(db, id));
    const series = await getBacktestSeries(db, id);
    const days = Array.from(series.dates, (t) => new Date(t).toISOString().slice(0, 10));
    const values = Array.from(series.equity);
    const shy = adjustedCloses('SHY');
    const spy = spyCloses();
    const rf = days.map((d, t) => (t === 0 ? 0 : shy.get(d)! / shy.get(days[t - 1]!)! - 1));
    // The first bar has SHY's return from the day before the period (as risk-free.ts takes it).
    const before = [...shy.keys()].filter((d) => d < days[0]!).at(-1)!;
    rf[0] = shy.get(days[0]!)! / shy.get(before)! - 1;
    const excess = returnsOf(values, INITIAL).map((x, t) => x - rf[t]!);
    const spyExcess = days.map((d, t) => (t === 0 ? Number.NaN : spy.get(d)! / spy.get(days[t - 1]!)! - 1 - rf[t]!));
    const window = 252;
    // From bar `window`: the first window holds bar 0, which has no benchmark return (no beta).
    for (const t of [window, 1500, values.length - 1]) {
      const x = excess.slice(t - window + 1, t + 1);
      const { mean, std } = meanStd(x);
      expect(measured.rolling.twelveMonths.sharpe[t]).toBeCloseTo((mean / std) * Math.sqrt(252), 8);
      const y = spyExcess.slice(t - window + 1, t + 1);
      const my = meanStd(y);
      const cov = x.reduce((acc, xi, i) => acc + (xi - mean) * (y[i]! - my.mean), 0) / (window - 1);
      expect(measured.rolling.twelveMonths.beta![t]).toBeCloseTo(cov / my.std ** 2, 8);
    }
    // The whole curve's excess Sharpe is the summary's.
    const whole = meanStd(excess);
    expect(measured.metrics.returns.sharpe).toBeCloseTo((whole.mean / whole.std) * Math.sqrt(252), 8);
  });
});
