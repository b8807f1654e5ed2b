/**
 * A sweep shares its combinations' signal inputs (signal-memo.ts) and stores their dates once on
 * the sweep: every combination's stored metrics and equity curve must still be exactly what a
 * single backtest of the same spec computes, on synthetic and on real prices (../shared/data).
 */
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec, type BacktestSpec } from '../../src/backtest/backtest-spec.js';
import { getBacktest } from '../../src/backtest/backtest-store.js';
import { getBacktestSeries } from '../../src/backtest/sweep-curves.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { runSweep, type SweepGrid } from '../../src/backtest/sweep.js';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { CsvProvider } from '../../src/data/providers/csv-provider.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const ETF_DATA = resolve(__dirname, '../../../shared/data/etf-daily');
const SYNTHETIC = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-EQ-EM', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-BOND-SHORT'];
const ETFS = ['AGG', 'DBC', 'DIA', 'EEM', 'EFA', 'EMB', 'EWJ', 'FXE', 'GLD'];
// Combinations that share a lookback and skip share their returns and rankings; topPct and
// longShort vary inside each group, and a 3-bar schedule group runs beside the month-end one.
const GRID: SweepGrid = { lookback: [63, 126, 252], skip: [0, 21], topPct: [10, 34, 50], rebalance: ['month-end', 'every'], every: [3] };

/** Runs the grid as a sweep, then each sampled combination alone, and compares them exactly. */
async function expectSweepEqualsSingles(db: TestDatabase, spec: BacktestSpec, sampleEvery: number): Promise<void> {
  const result = await runSweep(db, spec, GRID, { workers: 2 });
  expect(result.failures).toEqual([]);
  expect(result.entries).toHaveLength(36);
  const sample = result.entries.filter((_, i) => i % sampleEvery === 0);
  for (const entry of sample) {
    const single = await runBacktest(db, { ...spec, params: entry.params });
    const stored = await getBacktest(db, entry.backtestId);
    const series = await getBacktestSeries(db, entry.backtestId);
    // The database keeps metrics as JSON: compare what a single backtest would store.
    const asStored = JSON.parse(JSON.stringify(single.metrics)) as unknown;
    expect(stored.metrics).toEqual(asStored);
    expect(JSON.parse(JSON.stringify(entry.metrics))).toEqual(asStored);
    expect(stored.dataFingerprint).toBe(single.dataFingerprint);
    expect(Array.from(series.equity)).toEqual(Array.from(single.equity));
    expect(Array.from(series.dates)).toEqual(Array.from(single.dates));
  }
  // Not a vacuous comparison: the combinations differ from one another.
  const sharpes = new Set(result.entries.map((e) => e.metrics.returns.sharpe));
  expect(sharpes.size).toBeGreaterThan(20);
}

describe(`a sweep's combinations are exactly single backtests (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 5 }), { symbols: SYNTHETIC, interval: '1d', now: () => dateToTs('2012-12-31') });
    await ingest(db, new CsvProvider({ path: ETF_DATA }), { symbols: ETFS, interval: '1d' });
  });
  afterAll(async () => {
    await db?.close();
  });

  const spec = (symbols: string[], from: string, to: string, settings: Record<string, unknown>) =>
    parseBacktestSpec({ strategy: 'xs-momentum', symbols, from, to, ...settings });

  it('on synthetic prices: metrics, equity and dates of a sample of 12 combinations', async () => {
    await expectSweepEqualsSingles(db, spec(SYNTHETIC, '2004-01-01', '2012-12-31', { benchmark: 'SYN-EQ-US' }), 3);
  });

  it("trading from the first bar (no warm-up cut: the engine's series are the outcome's, not copies)", async () => {
    await expectSweepEqualsSingles(db, parseBacktestSpec({ strategy: 'xs-momentum', symbols: SYNTHETIC, to: '2012-12-31' }), 5);
  });

  it('on real ETF prices (../shared/data), with costs and whole shares', async () => {
    const settings = { wholeShares: true, costs: { bps: 5, slippageBps: 2 }, benchmark: 'DIA' };
    await expectSweepEqualsSingles(db, spec(ETFS, '2010-01-01', '2020-12-31', settings), 4);
  });
});
