import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAlerts, type MonitorAlert } from '../../src/monitor/monitor-store.js';
import { monitorPortfolios } from '../../src/monitor/monitor-portfolios.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { seedBars, seedPortfolio, seedRebalance } from './monitor-fixtures.js';

/** 30 flat weekdays before the rebalance (the strategy check's history), then the path. */
function history(from: string, count: number, close: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let ts = Date.parse(`${from}T00:00:00Z`); Object.keys(out).length < count; ts += 86_400_000) {
    if (![0, 6].includes(new Date(ts).getUTCDay())) out[new Date(ts).toISOString().slice(0, 10)] = close;
  }
  return out;
}

// AAA's path after the rebalance on Monday 1 January; BBB stays at 100.
const PATH: Record<string, number> = {
  '2024-01-02': 95,
  '2024-01-03': 90,
  '2024-01-04': 81,
  '2024-01-05': 94,
  '2024-01-08': 97,
  '2024-01-09': 88,
  '2024-01-10': 80,
  '2024-01-11': 85,
};
const DAYS = Object.keys(PATH);

/**
 * 60 AAA and 40 BBB at 100, no cash: the portfolio is worth 4000 + 60 p, its peak 10,000 on the 1st.
 * Portfolio drawdown (60 p - 6000) / 10,000: -3%, -6%, -11.4%, -3.6%, -1.8%, -7.2%, -12%, -9%.
 * AAA's own drawdown p / 100 - 1: -5%, -10%, -19%, -6%, -3%, -12%, -20%, -15%.
 * Recovery of threshold θ at θ / 2 or better.
 */
const EXPECTED = [
  // [observedAt, scope, symbol, threshold, recoveredAt]
  ['2024-01-02', 'position', 'AAA', -0.05, null], // -5% exactly; -3% on the 8th is not back to -2.5%
  ['2024-01-03', 'portfolio', null, -0.05, '2024-01-08'], // -6%; back to -1.8% on the 8th
  ['2024-01-03', 'position', 'AAA', -0.1, '2024-01-08'], // -10%; -6% on the 5th is not back to -5%, -3% on the 8th is
  ['2024-01-04', 'portfolio', null, -0.1, '2024-01-05'], // -11.4%; back to -3.6% on the 5th
  ['2024-01-09', 'portfolio', null, -0.05, null], // crossed again: -7.2%
  ['2024-01-09', 'position', 'AAA', -0.1, null], // crossed again: -12%
  ['2024-01-10', 'portfolio', null, -0.1, null], // crossed again: -12%
  ['2024-01-10', 'position', 'AAA', -0.2, null], // -20% exactly
];

const summary = (alerts: readonly MonitorAlert[]) =>
  [...alerts]
    .sort((a, b) => a.observedAt.localeCompare(b.observedAt) || a.scope.localeCompare(b.scope))
    .map((a) => [a.observedAt, a.scope, a.symbol, a.threshold, a.recoveredAt]);

describe(`monitorPortfolios (${engineName})`, () => {
  let db: TestDatabase;
  let rebalanceIds: Record<string, number>;

  beforeAll(async () => {
    db = await openTestDatabase();
    await seedBars(db, 'AAA', { ...history('2023-11-20', 30, 100), '2024-01-01': 100, ...PATH });
    await seedBars(db, 'BBB', { ...history('2023-11-20', 30, 100), '2024-01-01': 100, ...Object.fromEntries(DAYS.map((d) => [d, 100])) });
    await seedBars(db, 'ZZZ', { '2023-12-28': 50, '2023-12-29': 50 });
    rebalanceIds = {};
    for (const name of ['once', 'daily', 'concurrent']) {
      const id = await seedPortfolio(db, name, { symbols: ['AAA', 'BBB'] });
      rebalanceIds[name] = await seedRebalance(db, id, '2024-01-01', 0, [
        { symbol: 'AAA', shares: 60, price: 100, targetWeight: 0.6 },
        { symbol: 'BBB', shares: 40, price: 100, targetWeight: 0.4 },
      ]);
    }
    const stale = await seedPortfolio(db, 'stale', { symbols: ['AAA', 'YYY', 'ZZZ'] });
    await seedRebalance(db, stale, '2024-01-01', 100, [
      { symbol: 'AAA', shares: 10, price: 100, targetWeight: 0.5 },
      { symbol: 'YYY', shares: 2, price: 10, targetWeight: 0.02 },
      { symbol: 'ZZZ', shares: 5, price: 50, targetWeight: 0.2 },
    ]);
  });
  afterAll(async () => {
    await db.close();
  });

  it('acceptance: a path that crosses -5% and -10%, recovers and crosses again gives exactly the expected alerts', async () => {
    const result = await monitorPortfolios(db, { portfolio: 'once', asOf: '2024-01-11' });
    expect(result.failed).toEqual([]);
    expect(summary(result.newAlerts)).toEqual(EXPECTED);
    expect(summary(await listAlerts(db, { portfolio: 'once' }))).toEqual(EXPECTED);
    const portfolioAlerts = result.newAlerts.filter((a) => a.scope === 'portfolio');
    expect(portfolioAlerts.map((a) => a.threshold)).toEqual([-0.05, -0.1, -0.05, -0.1]);
    const first = result.newAlerts.find((a) => a.scope === 'portfolio' && a.observedAt === '2024-01-03')!;
    expect(first).toMatchObject({
      portfolio: 'once',
      rebalanceId: rebalanceIds.once,
      peakDate: '2024-01-01',
      peakValue: 10_000,
      resolution: 'recovered',
    });
    expect(first.drawdown).toBeCloseTo(-0.06, 12);
    expect(first.details).toMatchObject({ value: 9400 });
  });

  it('reports value, drawdown, drift and positions against hand computations', async () => {
    const { portfolios } = await monitorPortfolios(db, { portfolio: 'once', asOf: '2024-01-11', trailingStop: 0.15 });
    const state = portfolios[0]!;
    expect(state).toMatchObject({ portfolio: 'once', value: 9100, peakValue: 10_000, peakDate: '2024-01-01', lastBarDate: '2024-01-11' });
    expect(state.drawdown).toBeCloseTo(-0.09, 12);
    expect(state.maxDrawdown).toBeCloseTo(-0.12, 12);
    expect(state.returnSinceRebalance).toBeCloseTo(-0.09, 12);
    expect(state.drift.total).toBeCloseTo((Math.abs(5100 / 9100 - 0.6) + Math.abs(4000 / 9100 - 0.4)) / 2, 12);
    const aaa = state.positions.find((p) => p.symbol === 'AAA')!;
    expect(aaa).toMatchObject({
      price: 85,
      value: 5100,
      peakPrice: 100,
      peakDate: '2024-01-01',
      entryDate: '2024-01-01',
      ageDays: 0,
      stale: false,
    });
    expect(aaa.drawdown).toBeCloseTo(-0.15, 12);
    // 85 is 15% below 100: the 15% trailing stop is hit, at its boundary
    expect(aaa.trailingStop).toEqual({ stop: 0.15, hit: true });
    // ma-trend (3-bar SMA) today: AAA 85 above SMA(88, 80, 85); BBB flat at its SMA, not above: the strategy would sell it
    expect(aaa.strategy.verdict).toBe('holds');
    expect(state.positions.find((p) => p.symbol === 'BBB')!.strategy).toMatchObject({ verdict: 'exit', targetWeight: 0 });
    expect(state.exitRule).toMatch(/SMA at a month-end/);
    expect(state.exitSignals.map((s) => [s.symbol, s.rule])).toEqual([
      ['AAA', 'trailing-stop'],
      ['BBB', 'strategy'],
    ]);
    expect(state.series.dates).toEqual(['2024-01-01', ...DAYS]);
  });

  it('is idempotent: the same as-of again, or an earlier one, creates and changes nothing', async () => {
    const before = await listAlerts(db, { portfolio: 'once' });
    expect((await monitorPortfolios(db, { portfolio: 'once', asOf: '2024-01-11' })).newAlerts).toEqual([]);
    expect((await monitorPortfolios(db, { portfolio: 'once', asOf: '2024-01-05' })).newAlerts).toEqual([]);
    expect(await listAlerts(db, { portfolio: 'once' })).toEqual(before);
    const snapshots = await db.kysely
      .selectFrom('monitor_snapshots')
      .select(['as_of', 'through', 'value'])
      .where('portfolio_id', '=', before[0]!.portfolioId)
      .orderBy('as_of')
      .execute();
    // one row per as-of; the earlier run did not move the watermark back
    expect(snapshots).toEqual([
      { as_of: '2024-01-05', through: '2024-01-11', value: 4000 + 60 * 94 },
      { as_of: '2024-01-11', through: '2024-01-11', value: 9100 },
    ]);
  });

  it('running every day (weekends too) gives the same alerts as one run at the end', async () => {
    const created: MonitorAlert[] = [];
    for (const asOf of ['2024-01-01', ...DAYS.slice(0, 4), '2024-01-06', '2024-01-07', ...DAYS.slice(4)]) {
      const result = await monitorPortfolios(db, { portfolio: 'daily', asOf });
      created.push(...result.newAlerts);
      // and once more the same day: nothing new
      expect((await monitorPortfolios(db, { portfolio: 'daily', asOf })).newAlerts).toEqual([]);
    }
    expect(created).toHaveLength(EXPECTED.length);
    expect(summary(await listAlerts(db, { portfolio: 'daily' }))).toEqual(EXPECTED);
  });

  it('two runs at once store each alert once', async () => {
    const runs = await Promise.all([
      monitorPortfolios(db, { portfolio: 'concurrent', asOf: '2024-01-11' }),
      monitorPortfolios(db, { portfolio: 'concurrent', asOf: '2024-01-11' }),
    ]);
    expect(runs.map((r) => r.failed)).toEqual([[], []]);
    expect(runs[0]!.newAlerts.length + runs[1]!.newAlerts.length).toBe(EXPECTED.length);
    expect(summary(await listAlerts(db, { portfolio: 'concurrent' }))).toEqual(EXPECTED);
  });

  it('reports stale data with its age and values missing symbols at their last known price', async () => {
    const { portfolios, newAlerts } = await monitorPortfolios(db, { portfolio: 'stale', asOf: '2024-01-19' });
    const state = portfolios[0]!;
    // cash 100 + 10 AAA at its last close 85 + 2 YYY (no bars ever) at 10 + 5 ZZZ (none since the rebalance) at 50
    expect(state.value).toBe(100 + 850 + 20 + 250);
    const bySymbol = Object.fromEntries(state.positions.map((p) => [p.symbol, [p.lastBarDate, p.ageDays, p.stale, p.missing, p.price]]));
    expect(bySymbol).toEqual({
      AAA: ['2024-01-11', 8, true, false, 85],
      YYY: [null, null, true, true, 10],
      ZZZ: ['2023-12-29', 21, true, true, 50],
    });
    expect(state.data).toEqual({ ageDays: null, staleAfterDays: 4, staleSymbols: ['AAA', 'YYY', 'ZZZ'], missingSymbols: ['YYY', 'ZZZ'] });
    expect(state.warnings).toContain('AAA: last bar 2024-01-11 is 8 days old on 2024-01-19 (stale after 4): ingest fresh data');
    expect(state.warnings).toContain('YYY: no 1d bars stored at all: valued at the rebalance price 10');
    expect(
      state.warnings.some((w) =>
        w.startsWith(
          'ZZZ: no bar since the rebalance on 2024-01-01 while other holdings have newer ones (last bar 2023-12-29, 21 days old)',
        ),
      ),
    ).toBe(true);
    expect(newAlerts.map((a) => [a.scope, a.symbol, a.threshold])).toContainEqual(['position', 'AAA', -0.2]);
    const snapshot = await db.kysely
      .selectFrom('monitor_snapshots')
      .selectAll()
      .where('portfolio_id', '=', state.portfolioId)
      .executeTakeFirstOrThrow();
    expect(snapshot).toMatchObject({
      as_of: '2024-01-19',
      data_age_days: null,
      stale_symbols: ['AAA', 'YYY', 'ZZZ'],
      last_bar_date: '2024-01-11',
    });
  });

  it('ends the episodes of a position sold by a rebalance stored after the monitor ran that day', async () => {
    const id = await seedPortfolio(db, 'late', { symbols: ['AAA', 'BBB'] });
    const first = await seedRebalance(db, id, '2024-01-01', 0, [
      { symbol: 'AAA', shares: 60, price: 100, targetWeight: 0.6 },
      { symbol: 'BBB', shares: 40, price: 100, targetWeight: 0.4 },
    ]);
    const before = await monitorPortfolios(db, { portfolio: 'late', asOf: '2024-01-03' });
    expect(summary(before.newAlerts)).toEqual(EXPECTED.slice(0, 3).map(([d, scope, symbol, t]) => [d, scope, symbol, t, null]));
    // the rebalance job runs after the monitor on the 3rd: everything into BBB (9400 at 100)
    await seedRebalance(db, id, '2024-01-03', 0, [{ symbol: 'BBB', shares: 94, price: 100, targetWeight: 1 }]);
    const after = await monitorPortfolios(db, { portfolio: 'late', asOf: '2024-01-05' });
    // BBB is flat: the index stays at -6%, no new alert, the portfolio's -5% episode goes on
    expect(after.newAlerts).toEqual([]);
    expect(after.portfolios[0]).toMatchObject({ value: 9400, rebalanceDate: '2024-01-03' });
    expect(after.portfolios[0]!.drawdown).toBeCloseTo(-0.06, 12);
    const alerts = summary(await listAlerts(db, { portfolio: 'late' }));
    expect(alerts).toEqual([
      ['2024-01-02', 'position', 'AAA', -0.05, '2024-01-03'],
      ['2024-01-03', 'portfolio', null, -0.05, null],
      ['2024-01-03', 'position', 'AAA', -0.1, '2024-01-03'],
    ]);
    const aaa = (await listAlerts(db, { portfolio: 'late' })).filter((a) => a.symbol === 'AAA');
    expect(aaa.map((a) => [a.resolution, a.rebalanceId])).toEqual([
      ['position-closed', first],
      ['position-closed', first],
    ]);
  });

  it('skips portfolios not yet invested, and refuses an unknown name or a bad date', async () => {
    const early = await monitorPortfolios(db, { asOf: '2023-12-01' });
    expect(early.portfolios).toEqual([]);
    expect(early.skipped.map((s) => s.portfolio)).toEqual(['concurrent', 'daily', 'late', 'once', 'stale']);
    expect(early.skipped[0]!.reason).toBe('no rebalance on or before 2023-12-01');
    await expect(monitorPortfolios(db, { portfolio: 'nope' })).rejects.toThrow(
      /^no portfolio named "nope"; there are concurrent, daily, late, once, stale$/,
    );
    await expect(monitorPortfolios(db, { asOf: '2024-02-30' })).rejects.toThrow(
      'asOf: 2024-02-30 is not a calendar date (February 2024 has 29 days)',
    );
  });
});
