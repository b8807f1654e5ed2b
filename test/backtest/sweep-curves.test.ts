/**
 * A sweep stores its combinations' metrics; their equity curves are rebuilt when read
 * (sweep-curves.ts). A rebuilt curve must be exactly the single backtest's, bars ingested after
 * the sweep must not change it, and a restatement or figures that no longer reproduce must be
 * refused, never papered over.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { getBacktest } from '../../src/backtest/backtest-store.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { getBacktestSeries } from '../../src/backtest/sweep-curves.js';
import { runSweep, type SweepGrid } from '../../src/backtest/sweep.js';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-EQ-EM', 'SYN-BOND-LONG', 'SYN-GOLD'];
const GRID: SweepGrid = { lookback: [63, 126], topPct: [20, 50] };
// No `to`: the sweep runs to the last bar stored, as `momentum sweep` usually does.
const SPEC = parseBacktestSpec({ strategy: 'xs-momentum', symbols: SYMBOLS, from: '2006-01-01' });

describe(`equity curves of a sweep's combinations, rebuilt when read (${engineName})`, () => {
  let db: TestDatabase;
  const provider = new SyntheticProvider({ seed: 11 });
  const curvesOf = async (ids: readonly number[]) => {
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from backtest_equity where backtest_id in (${sql.join(ids)})`.execute(db.kysely);
    return rows[0]!.n;
  };

  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, provider, { symbols: SYMBOLS, interval: '1d', now: () => dateToTs('2010-12-31') });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('stores none at first; the first read rebuilds every curve of the sweep, each exactly the single backtest, after newer bars arrived', async () => {
    const sweep = await runSweep(db, SPEC, GRID, { workers: 1 });
    const ids = sweep.entries.map((e) => e.backtestId);
    expect(ids).toHaveLength(4);
    expect(await curvesOf(ids)).toBe(0);
    // Half a year more of prices after the sweep: its curves still end where it ended.
    await ingest(db, provider, { symbols: SYMBOLS, interval: '1d', now: () => dateToTs('2011-06-30') });

    const entry = sweep.entries[2]!;
    const series = await getBacktestSeries(db, entry.backtestId);
    expect(await curvesOf(ids)).toBe(4);
    const stored = await getBacktest(db, entry.backtestId);
    const single = await runBacktest(db, { ...SPEC, params: entry.params, to: stored.periodTo });
    expect(single.dates[single.dates.length - 1]).toBeLessThan(dateToTs('2011-01-01'));
    expect(Array.from(series.equity)).toEqual(Array.from(single.equity));
    expect(Array.from(series.dates)).toEqual(Array.from(single.dates));
    // The other combinations were rebuilt as well, each its own curve.
    const other = await getBacktestSeries(db, sweep.entries[1]!.backtestId);
    expect(Array.from(other.equity)).not.toEqual(Array.from(series.equity));
  });

  it('answers reads of several combinations at once (a selection), each with its own rebuilt curve', async () => {
    const sweep = await runSweep(db, { ...SPEC, to: '2009-06-30' }, GRID, { workers: 1 });
    const series = await Promise.all(sweep.entries.map((e) => getBacktestSeries(db, e.backtestId)));
    for (const [i, entry] of sweep.entries.entries()) {
      const single = await runBacktest(db, { ...SPEC, params: entry.params, to: '2009-06-30' });
      expect(Array.from(series[i]!.equity)).toEqual(Array.from(single.equity));
    }
    expect(await curvesOf(sweep.entries.map((e) => e.backtestId))).toBe(4);
  });

  it('keeps every curve from the start when asked (--curves)', async () => {
    const sweep = await runSweep(db, { ...SPEC, to: '2010-12-31' }, GRID, { workers: 1, keepCurves: true });
    expect(await curvesOf(sweep.entries.map((e) => e.backtestId))).toBe(4);
  });

  it('refuses to rebuild on restated prices, and when the stored figures do not reproduce', async () => {
    const restated = await runSweep(db, { ...SPEC, to: '2010-12-31' }, GRID, { workers: 1 });
    const tampered = await runSweep(db, { ...SPEC, to: '2009-12-31' }, GRID, { workers: 1 });
    await sql`update backtests set metrics = jsonb_set(metrics, '{returns,sharpe}', '9') where id = ${tampered.entries[0]!.backtestId}`.execute(
      db.kysely,
    );
    await expect(getBacktestSeries(db, tampered.entries[3]!.backtestId)).rejects.toThrow(
      new RegExp(
        `sweep ${tampered.sweepId}: backtest ${tampered.entries[0]!.backtestId} run again does not reproduce its stored figures \\(returns\\.sharpe: 9 -> `,
      ),
    );
    // A dividend restates a symbol's adjusted closes: one of them inside the period is enough.
    await sql`update bars set adj_close = adj_close * 0.99 where symbol = 'SYN-GOLD' and ts = '2010-06-01T00:00:00Z'`.execute(db.kysely);
    await expect(getBacktestSeries(db, restated.entries[0]!.backtestId)).rejects.toThrow(
      /prices under it changed since it ran \(restated or back-filled bars\).*run the sweep again \(with --curves/,
    );
    expect(await curvesOf([...restated.entries, ...tampered.entries].map((e) => e.backtestId))).toBe(0);
  });
});
