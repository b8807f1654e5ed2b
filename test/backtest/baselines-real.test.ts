/**
 * The baselines on the real ETFs of ../shared/data, checked against figures computed here from the
 * CSV files alone. Buy and hold, with the documented execution semantics (DESIGN.md): the signal at
 * the first trading bar s fills at bar s + 1's adjusted open, each order sized at s's adjusted
 * close (w x equity_s / close_s shares), paying slippage then commission, a purchase that does not
 * fit the cash cut to what fits, symbols filled in panel order. The risk-free rate from SHY (1-3
 * year Treasuries; the data has no T-bill fund such as BIL or SHV): its adjusted-close returns.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec, type BacktestSpecInput } from '../../src/backtest/backtest-spec.js';
import { getBacktest, storeBacktest } from '../../src/backtest/backtest-store.js';
import { compareWithStored } from '../../src/backtest/rerun.js';
import { loadBacktestData, runBacktest } from '../../src/backtest/run-backtest.js';
import { walkForwardOnData } from '../../src/research/walk-forward.js';
import { runSweep } from '../../src/backtest/sweep.js';
import { gateBacktest } from '../../src/research/gate-runner.js';
import { DEFAULT_GATE_SETS } from '../../src/research/gate-set.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const SYMBOLS = ['SPY', 'TLT', 'GLD'];
const RISK_FREE = 'SHY';
const FROM = '2010-01-01';
const TO = '2019-12-31';
const CASH = 1_000_000;
const BUY_RATE = (1 + 5 / 1e4) * (1 + 5 / 1e4); // default costs: 5 bps slippage, then 5 bps commission

/** date -> [adjusted open, adjusted close], straight from the file. */
function adjustedBars(symbol: string): Map<string, [number, number]> {
  const lines = readFileSync(resolve(ETF, `${symbol}.csv`), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  return new Map(
    lines.map((line) => {
      const [date, open, , , close, adjClose] = line.split(',');
      return [date!, [(Number(open) * Number(adjClose)) / Number(close), Number(adjClose)]];
    }),
  );
}

/** The daily equity of buying `weights` at the first bar on or after FROM and holding to TO, with its days. */
function independentEquity(symbols: readonly string[], weights: readonly number[]): { days: string[]; equity: number[] } {
  const bars = symbols.map(adjustedBars);
  const days = [...new Set(bars.flatMap((b) => [...b.keys()]))].filter((d) => d >= FROM && d <= TO).sort();
  const signal = days.indexOf(days.find((d) => bars.every((b) => b.has(d)))!);
  let cash = CASH;
  const shares = symbols.map((_, j) => {
    const unit = bars[j]!.get(days[signal + 1]!)![0] * BUY_RATE;
    const bought = Math.min((weights[j]! * CASH) / bars[j]!.get(days[signal]!)![1], cash / unit);
    cash -= bought * unit;
    return bought;
  });
  const equity = days.map((day, t) => (t <= signal ? CASH : cash + shares.reduce((v, q, j) => v + q * bars[j]!.get(day)![1], 0)));
  return { days, equity };
}

/** Final equity over initial cash. */
function independentGrowth(symbols: readonly string[], weights: readonly number[]): number {
  const { equity } = independentEquity(symbols, weights);
  return equity[equity.length - 1]! / CASH;
}

/** SHY's adjusted close on or before each day, and on the last day before the first. */
function riskFreeReturns(days: readonly string[]): number[] {
  const bars = adjustedBars(RISK_FREE);
  const own = [...bars.keys()].sort();
  const priceAt = (day: string, strictly: boolean) => bars.get(own.filter((d) => (strictly ? d < day : d <= day)).at(-1)!)![1];
  return days.map((day, t) => priceAt(day, false) / (t === 0 ? priceAt(day, true) : priceAt(days[t - 1]!, false)) - 1);
}

const avg = (x: readonly number[]) => x.reduce((a, b) => a + b, 0) / x.length;
const sd = (x: readonly number[]) => Math.sqrt(x.reduce((s, v) => s + (v - avg(x)) ** 2, 0) / (x.length - 1));

describe(`buy-and-hold on real ETFs (${engineName})`, () => {
  let db: TestDatabase;
  const growth = async (input: Partial<BacktestSpecInput>) => {
    const spec = parseBacktestSpec({ strategy: 'buy-and-hold', symbols: SYMBOLS, from: FROM, to: TO, initialCash: CASH, ...input });
    const outcome = await runBacktest(db, spec);
    return { outcome, growth: outcome.equity[outcome.equity.length - 1]! / CASH };
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new CsvProvider({ path: ETF }), { symbols: [...SYMBOLS, RISK_FREE], interval: '1d' });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('one ETF: its adjusted price ratio from the entry fill to the end, net of the entry costs', async () => {
    const { outcome, growth: spy } = await growth({ symbols: ['SPY'] });
    expect(spy).toBeCloseTo(independentGrowth(['SPY'], [1]), 10);
    expect(spy).toBeGreaterThan(2.5); // SPY 2010-2019: about x3.5 with dividends
    expect(outcome.trades).toHaveLength(1);
    expect(outcome.trades[0]!.open).toBe(true);
  });

  it('equal weights, never rebalanced: the average of the three growths', async () => {
    const { outcome, growth: equal } = await growth({});
    expect(equal).toBeCloseTo(independentGrowth(SYMBOLS, [1 / 3, 1 / 3, 1 / 3]), 10);
    expect(outcome.traded.filter((v) => v > 0)).toHaveLength(1); // one day of trading: the entry
  });

  it('given weights: the weighted average of the growths, the rest in cash', async () => {
    const { growth: sixtyForty } = await growth({ params: { weights: 'SPY:0.6,TLT:0.4' } });
    expect(sixtyForty).toBeCloseTo(independentGrowth(SYMBOLS, [0.6, 0.4, 0]), 10);
  });

  it('rebalanced every quarter: trades at each quarter-end and ends apart from the held book', async () => {
    const { outcome, growth: quarterly } = await growth({ params: { rebalance: 'quarter-end' } });
    const tradingDays = outcome.traded.filter((v) => v > 0).length;
    expect(tradingDays).toBeGreaterThanOrEqual(39); // the entry and 39 quarter-ends after it, the last one's orders expiring
    expect(tradingDays).toBeLessThanOrEqual(41);
    expect(Math.abs(quarterly - independentGrowth(SYMBOLS, [1 / 3, 1 / 3, 1 / 3]))).toBeGreaterThan(0.001);
  });

  it("Sharpe and Sortino over SHY's returns, the benchmark's own figures beside, stored and re-run the same", async () => {
    const { outcome } = await growth({ symbols: ['SPY'], benchmark: 'TLT', riskFreeSymbol: RISK_FREE });
    const { days, equity } = independentEquity(['SPY'], [1]);
    const r = equity.map((v, t) => v / (t === 0 ? CASH : equity[t - 1]!) - 1);
    const rf = riskFreeReturns(days);
    const excess = r.map((v, t) => v - rf[t]!);
    const m = outcome.metrics;
    expect(m.period.bars).toBe(days.length);
    expect(m.returns.sharpe).toBeCloseTo((avg(excess) / sd(excess)) * Math.sqrt(252), 9);
    expect(m.returns.sortino).toBeCloseTo((avg(excess) / Math.sqrt(avg(excess.map((e) => Math.min(e, 0) ** 2)))) * Math.sqrt(252), 9);
    expect(m.returns.riskFreeRate).toBeCloseTo(avg(rf) * 252, 12);
    expect(m.returns.riskFreeRate).toBeGreaterThan(0.005); // SHY 2010-2019: about 1% a year
    const withoutRf = (await growth({ symbols: ['SPY'], benchmark: 'TLT' })).outcome;
    expect(m.returns.sharpe!).toBeLessThan(withoutRf.metrics.returns.sharpe!);
    expect(outcome.dataFingerprint).not.toBe(withoutRf.dataFingerprint); // the fingerprint covers SHY's series

    // TLT held from the same bar: its own figures by the same formulas, over its returns less SHY's.
    const tlt = adjustedBars('TLT');
    const y = days.slice(1).map((day, i) => tlt.get(day)![1] / tlt.get(days[i]!)![1] - 1);
    const yExcess = y.map((v, i) => v - rf[i + 1]!);
    const b = m.benchmark!;
    expect(b.sharpe).toBeCloseTo((avg(yExcess) / sd(yExcess)) * Math.sqrt(252), 9);
    expect(b.volatility).toBeCloseTo(sd(y) * Math.sqrt(252), 12);
    expect(b.maxDrawdownPct).toBeGreaterThan(10);
    expect(b.calmar).toBeCloseTo(b.cagr! / (b.maxDrawdownPct! / 100), 12);

    const id = await storeBacktest(db, outcome);
    const stored = await getBacktest(db, id);
    expect(stored.spec).toMatchObject({ riskFreeRate: 0, riskFreeSymbol: RISK_FREE });
    expect(stored.metrics.benchmark).toEqual(JSON.parse(JSON.stringify(b)));
    const rerun = await compareWithStored(db, id);
    expect(rerun).toMatchObject({ sameData: true, differences: [] });
    // The gates judge the same excess returns: the PSR's per-bar Sharpe is the annual one over sqrt(252).
    const verdict = await gateBacktest(db, id, 'default', DEFAULT_GATE_SETS.default!);
    expect(verdict.statistics.sharpePerPeriod! * Math.sqrt(252)).toBeCloseTo(m.returns.sharpe!, 9);
  });

  it("a sweep's workers measure against the same risk-free series as a single backtest", async () => {
    const spec = parseBacktestSpec({
      strategy: 'buy-and-hold',
      symbols: SYMBOLS,
      from: FROM,
      to: TO,
      riskFreeSymbol: RISK_FREE,
      benchmark: 'SPY',
    });
    const sweep = await runSweep(db, spec, { rebalance: ['none', 'year-end'] }, { workers: 1 });
    expect(sweep.entries).toHaveLength(2);
    for (const entry of sweep.entries) {
      const alone = await runBacktest(db, { ...spec, params: entry.params });
      expect(entry.metrics).toEqual(JSON.parse(JSON.stringify(alone.metrics)));
      expect(entry.metrics.returns.riskFreeRate).toBeGreaterThan(0.005);
    }
  });

  it("a walk-forward's stitched figures are measured against the risk-free series too", async () => {
    const spec = parseBacktestSpec({ strategy: 'buy-and-hold', symbols: ['SPY'], from: FROM, to: TO, riskFreeSymbol: RISK_FREE });
    const options = {
      grid: { rebalance: ['none', 'year-end'] },
      trainBars: 504,
      testBars: 252,
      mode: 'rolling',
      selectBy: 'sharpe',
    } as const;
    const result = walkForwardOnData(spec, await loadBacktestData(db, spec), options);
    const days = [...result.dates].map((t) => new Date(t).toISOString().slice(0, 10));
    expect(result.metrics.returns.riskFreeRate).toBeCloseTo(avg(riskFreeReturns(days)) * 252, 12);
  });

  it('a constant rate: rf / 252 a bar, stored with the spec', async () => {
    const { outcome } = await growth({ symbols: ['SPY'], riskFreeRate: 0.02 });
    const { equity } = independentEquity(['SPY'], [1]);
    const excess = equity.map((v, t) => v / (t === 0 ? CASH : equity[t - 1]!) - 1 - 0.02 / 252);
    expect(outcome.metrics.returns.sharpe).toBeCloseTo((avg(excess) / sd(excess)) * Math.sqrt(252), 9);
    expect((await getBacktest(db, await storeBacktest(db, outcome))).spec.riskFreeRate).toBe(0.02);
  });

  it('reports the warm-up: a 210-bar average in cash until its history exists, none with history before the start', async () => {
    const days = [...adjustedBars('SPY').keys()].sort();
    const cold = await runBacktest(db, parseBacktestSpec({ strategy: 'ma-trend', symbols: ['SPY'], to: TO }));
    expect(cold.metrics.warmUp).toEqual({
      fullSignal: days[209], // the 210th bar: the first with a 210-bar average
      barsBefore: 209,
      daysBefore: (Date.parse(days[209]!) - Date.parse(days[0]!)) / 86_400_000,
      cashBars: 209,
    });
    const warm = await runBacktest(db, parseBacktestSpec({ strategy: 'ma-trend', symbols: ['SPY'], from: FROM, to: TO }));
    expect(warm.metrics.warmUp).toEqual({ fullSignal: days.find((d) => d >= FROM), barsBefore: 0, daysBefore: 0, cashBars: 0 });
  });
});
