/**
 * Backtests of the strategies that read point-in-time data, end to end on a database: fundamentals
 * and events stored, the backtest run through the normal entry point (and a sweep through its worker
 * threads), what it read stored with it, the fingerprint covering it, and a re-run reproducing it.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { getBacktest, storeBacktest } from '../../src/backtest/backtest-store.js';
import { compareWithStored } from '../../src/backtest/rerun.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { runSweep } from '../../src/backtest/sweep.js';
import { dateToTs } from '../../src/data/bar.js';
import type { FundamentalValue } from '../../src/data/fundamental.js';
import { AS_OF_RULE } from '../../src/data/fundamentals.js';
import { storeFundamentals } from '../../src/data/fundamentals-store.js';
import type { AnalystAction, EarningsEvent } from '../../src/data/qualitative.js';
import { storeAnalystActions, storeEarningsEvents } from '../../src/data/qualitative-store.js';
import { ingest } from '../../src/data/ingest.js';
import { loadPanel } from '../../src/data/panel.js';
import { dataUsed, loadStrategyData, slicePointInTime, type DataNeeds } from '../../src/data/strategy-data.js';
import { generatePortfolio } from '../../src/portfolio/generate.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-EQ-EM', 'SYN-GOLD'];
const day = (iso: string) => dateToTs(iso);

/** One annual statement: net income, equity and debt of fiscal `year`, known `lagDays` after its end. */
function statement(symbol: string, year: number, ni: number, te: number, td: number, lagDays = 60): FundamentalValue[] {
  const periodEnd = `${year}-12-31`;
  const knownAt = day(periodEnd) + lagDays * 86_400_000;
  const value = (field: FundamentalValue['field'], v: number): FundamentalValue => ({
    symbol,
    field,
    periodEnd,
    periodType: 'annual',
    value: v,
    knownAt,
    source: 'test',
    flag: null,
  });
  return [value('net_income', ni), value('total_equity', te), value('total_debt', td)];
}

/** An announcement for the quarter ending `periodEnd`, made 30 days later. */
const announcement = (symbol: string, periodEnd: string, epsActual: number, epsEstimate: number): EarningsEvent => ({
  symbol,
  periodEnd,
  epsActual,
  epsEstimate,
  knownAt: day(periodEnd) + 30 * 86_400_000,
  knownRule: 'reported',
  source: 'test',
});
const QUARTER_ENDS = [2009, 2010, 2011, 2012].flatMap((y) => ['03-31', '06-30', '09-30', '12-31'].map((md) => `${y}-${md}`));

const analystAction = (symbol: string, iso: string, action: AnalystAction['action'], firm = 'Firm'): AnalystAction => ({
  symbol,
  actedAt: Date.parse(iso),
  firm,
  action,
  fromGrade: null,
  toGrade: null,
  source: 'test',
});

describe(`point-in-time strategies' backtests (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 5 }), { symbols: SYMBOLS, interval: '1d', now: () => day('2012-12-31') });
    const years = [2008, 2009, 2010, 2011];
    await storeFundamentals(db, [
      ...years.flatMap((y) => statement('SYN-EQ-US', y, 20, 100, 50)),
      ...years.flatMap((y) => statement('SYN-EQ-EU', y, y % 2 === 0 ? 15 : 5, 100, 80)), // passes in even years only
      ...years.flatMap((y) => statement('SYN-EQ-EM', y, 25, 100, 40)),
      // SYN-GOLD: no fundamentals (never held)
    ]);
    // Every name beats or misses by turns; SYN-EQ-EM beats most.
    await storeEarningsEvents(
      db,
      SYMBOLS.flatMap((symbol, j) =>
        QUARTER_ENDS.map((q, i) => announcement(symbol, q, 1 + 0.1 * (((i + j) % 3) - 1) + (j === 2 ? 0.2 : 0), 1)),
      ),
    );
    // An upgrade or a downgrade of some name every month, by turns.
    await storeAnalystActions(
      db,
      Array.from({ length: 48 }, (_, m) =>
        analystAction(SYMBOLS[m % 4]!, new Date(Date.UTC(2009, m, 10, 14)).toISOString(), m % 3 === 0 ? 'down' : 'up', `Firm ${m % 5}`),
      ),
    );
  }, 120_000);
  afterAll(async () => {
    await db.close();
  });

  describe('quality-momentum', () => {
    const spec = parseBacktestSpec({
      strategy: 'quality-momentum',
      symbols: SYMBOLS,
      from: '2010-01-01',
      to: '2012-06-30',
      params: { lookback: 126, skip: 5, topPct: 50, minRoe: 0.1, maxLeverage: 1.5 },
    });
    let id: number;

    it('stores the data it read (fields, period type, as-of rule, lag) and never holds a name without fundamentals', async () => {
      const outcome = await runBacktest(db, spec);
      expect(outcome.dataUsed).toMatchObject({
        asOfRule: AS_OF_RULE,
        fundamentals: { fields: ['net_income', 'total_equity', 'total_debt'], periodType: 'annual', lagDays: 90 },
        events: [],
      });
      expect(outcome.trades.length).toBeGreaterThan(0);
      expect(outcome.trades.some((t) => t.symbol === 'SYN-GOLD')).toBe(false);
      id = await storeBacktest(db, outcome);
      const stored = await getBacktest(db, id);
      expect(stored.dataUsed).toEqual(outcome.dataUsed);
      expect(stored.dataFingerprint).toBe(outcome.dataFingerprint);
    });

    it('a sweep (worker threads) reads the same data: the same fingerprint, record and figures as a single backtest', async () => {
      const sweep = await runSweep(db, spec, { topPct: [30, 50] }, { workers: 2 });
      expect(sweep.failures).toEqual([]);
      const single = await runBacktest(db, spec);
      const entry = sweep.entries.find((e) => e.params.topPct === 50)!;
      const stored = await getBacktest(db, entry.backtestId);
      expect(stored.dataFingerprint).toBe(single.dataFingerprint);
      expect(stored.dataUsed).toEqual(single.dataUsed);
      expect(entry.metrics).toEqual(single.metrics);
    });

    it('re-runs to the same data; a statement known after the end leaves the fingerprint, one inside the period changes it', async () => {
      const first = await compareWithStored(db, id);
      expect(first).toMatchObject({ sameData: true, differences: [] });
      expect(first.dataUsed).toEqual(first.storedDataUsed);
      await storeFundamentals(db, statement('SYN-GOLD', 2011, 30, 100, 10, 200)); // known 2012-07-18
      expect((await compareWithStored(db, id)).sameData).toBe(true);
      await storeFundamentals(db, statement('SYN-GOLD', 2010, 30, 100, 10)); // known 2011-03-01
      const after = await compareWithStored(db, id);
      expect(after.sameData).toBe(false);
      expect(after.dataUsed!.fingerprint).not.toBe(after.storedDataUsed!.fingerprint);
    });
  });

  describe.each([
    {
      strategy: 'earnings-momentum',
      params: { holdBars: 42, topPct: 50 } as Record<string, number>,
      used: { fundamentals: null, events: ['earnings'] },
      late: () => storeEarningsEvents(db, [announcement('SYN-GOLD', '2012-06-30', 9, 1)]), // known 2012-07-30
      inside: () => storeEarningsEvents(db, [announcement('SYN-GOLD', '2011-05-31', 9, 1)]), // known 2011-06-30
    },
    {
      strategy: 'revision-momentum',
      params: { windowBars: 42, topPct: 50 } as Record<string, number>,
      used: { fundamentals: null, events: ['analyst-actions'] },
      late: () => storeAnalystActions(db, [analystAction('SYN-GOLD', '2012-06-29T13:00:00Z', 'up', 'Late')]), // the last bar's day: seen after it
      inside: () => storeAnalystActions(db, [analystAction('SYN-GOLD', '2011-06-15T13:00:00Z', 'up', 'Inside')]),
    },
  ])('$strategy', ({ strategy, params, used, late, inside }) => {
    const spec = parseBacktestSpec({ strategy, symbols: SYMBOLS, from: '2010-01-01', to: '2012-06-29', params });

    it('trades on the stored events, stores what it read, and re-runs to the same data until an event inside the period is added', async () => {
      const outcome = await runBacktest(db, spec);
      expect(outcome.dataUsed).toMatchObject({ asOfRule: AS_OF_RULE, ...used });
      expect(outcome.dataUsed!.eventRows).toBeGreaterThan(0);
      expect(outcome.trades.length).toBeGreaterThan(0);
      const id = await storeBacktest(db, outcome);
      expect((await getBacktest(db, id)).dataUsed).toEqual(outcome.dataUsed);
      expect(await compareWithStored(db, id)).toMatchObject({ sameData: true, differences: [] });
      await late();
      expect((await compareWithStored(db, id)).sameData).toBe(true);
      await inside();
      expect((await compareWithStored(db, id)).sameData).toBe(false);
    });
  });

  it('a model portfolio of revision-momentum holds the names upgraded on net in the window as of its day, counted plainly', async () => {
    const proposal = await generatePortfolio(
      db,
      {
        strategy: 'revision-momentum',
        hyperparameters: { windowBars: 42, topPct: 100 },
        symbols: SYMBOLS,
        asOf: '2012-06-29',
        amount: 100_000,
        ignoreGates: true,
      },
      { gates: { name: 'lenient', set: { minSharpe: -10 } } },
    );
    // Plainly: the actions of a UTC day before the last bar's and on or after the day of the bar 42 back.
    const panel = await loadPanel(db, { symbols: SYMBOLS, interval: '1d', to: day('2012-06-29') + 86_399_999, field: 'adj_close' });
    const t = panel.dates.length - 1;
    const dayOf = (ms: number) => Math.floor(ms / 86_400_000);
    const { rows } = await sql<{
      symbol: string;
      acted_at: Date;
      action: string;
    }>`select symbol, acted_at, action from analyst_actions`.execute(db.kysely);
    const net = new Map<string, number>();
    for (const r of rows) {
      const d = dayOf(r.acted_at.getTime());
      if (d < dayOf(panel.dates[t - 42]!) || d >= dayOf(panel.dates[t]!)) continue;
      net.set(r.symbol, (net.get(r.symbol) ?? 0) + (r.action === 'up' ? 1 : r.action === 'down' ? -1 : 0));
    }
    const upgraded = [...net]
      .filter(([, n]) => n > 0)
      .map(([symbol]) => symbol)
      .sort();
    expect(upgraded.length).toBeGreaterThan(0);
    // SYN-GOLD's upgrade of the as-of day itself is not seen yet.
    expect(upgraded).not.toContain('SYN-GOLD');
    expect(proposal.holdings.map((h) => h.symbol).sort()).toEqual(upgraded);
    for (const h of proposal.holdings) expect(h.reason).toMatch(/^net analyst upgrades .* \d/);
  });

  it('the loader shows a panel ending at bar t exactly what the full panel shows at bars up to t (nothing stored later leaks in)', async () => {
    const panel = await loadPanel(db, {
      symbols: SYMBOLS,
      interval: '1d',
      from: day('2009-01-01'),
      to: day('2012-12-31'),
      field: 'adj_close',
    });
    const needs: DataNeeds = {
      fundamentals: { fields: ['net_income', 'total_equity', 'total_debt'], periodType: 'annual' },
      earnings: true,
      analystActions: true,
    };
    const full = await loadStrategyData(db, needs, panel);
    for (const t of [0, 100, 400, 700, panel.dates.length - 2]) {
      const upToT = await loadStrategyData(db, needs, { symbols: panel.symbols, dates: panel.dates.subarray(0, t + 1) });
      expect(dataUsed(upToT), `bar ${t}`).toEqual(dataUsed(slicePointInTime(full, 0, t + 1)));
    }
    expect(dataUsed(full)!.eventRows).toBeGreaterThan(0);
  });
});
