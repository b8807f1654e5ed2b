/**
 * The buy-and-hold baseline on the real ETFs of ../shared/data, checked against growth computed
 * here from the CSV files alone, with the documented execution semantics (DESIGN.md): the signal
 * at the first trading bar s fills at bar s + 1's adjusted open, each order sized at s's adjusted
 * close (w x equity_s / close_s shares), paying slippage then commission, a purchase that does not
 * fit the cash cut to what fits, symbols filled in panel order.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec, type BacktestSpecInput } from '../../src/backtest/backtest-spec.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const ETF = resolve(__dirname, '../../../shared/data/etf-daily');
const SYMBOLS = ['SPY', 'TLT', 'GLD'];
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

/** Final equity over initial cash of buying `weights` at the first bar on or after FROM and holding to TO. */
function independentGrowth(symbols: readonly string[], weights: readonly number[]): number {
  const bars = symbols.map(adjustedBars);
  const days = [...new Set(bars.flatMap((b) => [...b.keys()]))].filter((d) => d >= FROM && d <= TO).sort();
  const signal = days.find((d) => bars.every((b) => b.has(d)))!;
  const fill = days[days.indexOf(signal) + 1]!;
  const last = days[days.length - 1]!;
  let cash = CASH;
  let value = 0;
  symbols.forEach((_, j) => {
    const unit = bars[j]!.get(fill)![0] * BUY_RATE;
    const shares = Math.min((weights[j]! * CASH) / bars[j]!.get(signal)![1], cash / unit);
    cash -= shares * unit;
    value += shares * bars[j]!.get(last)![1];
  });
  return (value + cash) / CASH;
}

describe(`buy-and-hold on real ETFs (${engineName})`, () => {
  let db: TestDatabase;
  const growth = async (input: Partial<BacktestSpecInput>) => {
    const spec = parseBacktestSpec({ strategy: 'buy-and-hold', symbols: SYMBOLS, from: FROM, to: TO, initialCash: CASH, ...input });
    const outcome = await runBacktest(db, spec);
    return { outcome, growth: outcome.equity[outcome.equity.length - 1]! / CASH };
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new CsvProvider({ path: ETF }), { symbols: SYMBOLS, interval: '1d' });
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
});
