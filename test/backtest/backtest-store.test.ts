import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { deleteBacktest, getBacktest, getBacktestTrades, listBacktests, storeBacktest } from '../../src/backtest/backtest-store.js';
import { getBacktestSeries } from '../../src/backtest/sweep-curves.js';
import { compareWithStored } from '../../src/backtest/rerun.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { runSweep } from '../../src/backtest/sweep.js';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { DataError, ValidationError } from '../../src/errors.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-EQ-EM', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-BOND-SHORT'];

describe(`stored backtests (${engineName})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 11 }), { symbols: SYMBOLS, interval: '1d', now: () => dateToTs('2012-12-31') });
  });
  afterAll(async () => {
    await db.close();
  });

  const spec = (overrides: Record<string, unknown> = {}) =>
    parseBacktestSpec({
      strategy: 'xs-momentum',
      symbols: SYMBOLS,
      from: '2004-01-01',
      to: '2012-12-31',
      params: { topPct: 34 },
      benchmark: 'SYN-EQ-US',
      ...overrides,
    });

  it('stores spec, provenance, metrics, equity and trades, and reads them back unchanged', async () => {
    const outcome = await runBacktest(db, spec());
    const id = await storeBacktest(db, outcome);
    const stored = await getBacktest(db, id);
    expect(stored.spec).toEqual(outcome.spec);
    expect(stored.metrics).toEqual(JSON.parse(JSON.stringify(outcome.metrics)));
    expect(stored.dataFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(stored.codeVersion).toMatch(/^0\.\d+\.\d+/);
    expect(stored.periodFrom).toBe('2004-01-01');
    const series = await getBacktestSeries(db, id);
    expect(series.equity).toEqual(outcome.equity);
    expect(series.dates).toEqual(outcome.dates);
    expect(series.cash).toEqual(outcome.cash);
    const trades = await getBacktestTrades(db, id);
    expect(trades).toEqual(outcome.trades);
    expect(trades.length).toBeGreaterThan(10);
    const [listed] = await listBacktests(db, { strategy: 'xs-momentum', limit: 1 });
    expect(listed).toMatchObject({ id, strategy: 'xs-momentum', sharpe: outcome.metrics.returns.sharpe });
  });

  it('re-running a stored backtest from its stored spec reproduces identical metrics on the same data', async () => {
    const id = await storeBacktest(db, await runBacktest(db, spec({ strategy: 'ts-momentum', params: {} })));
    const comparison = await compareWithStored(db, id);
    expect(comparison.sameData).toBe(true);
    expect(comparison.differences).toEqual([]);
  });

  it('re-running a backtest stored by an older version names the metrics it lacks, and still reports a changed one', async () => {
    const id = await storeBacktest(db, await runBacktest(db, spec()));
    const written = await db.kysely.selectFrom('backtests').select('metrics').where('id', '=', id).executeTakeFirstOrThrow();
    const metrics = (typeof written.metrics === 'string' ? JSON.parse(written.metrics) : written.metrics) as Record<string, unknown> & {
      benchmark: Record<string, unknown>;
      returns: Record<string, unknown>;
    };
    // As an older version wrote them: no warm-up, and the benchmark without its own risk figures.
    delete metrics.warmUp;
    for (const field of ['volatility', 'sharpe', 'sortino', 'calmar', 'maxDrawdownPct']) delete metrics.benchmark[field];
    const rewrite = (value: unknown) =>
      db.kysely
        .updateTable('backtests')
        .set({ metrics: JSON.stringify(value) })
        .where('id', '=', id)
        .execute();
    await rewrite(metrics);
    const old = await compareWithStored(db, id);
    expect(old.differences).toEqual([]);
    expect(old.notStoredThen).toEqual(
      expect.arrayContaining(['warmUp', 'benchmark.volatility', 'benchmark.sharpe', 'benchmark.sortino', 'benchmark.calmar']),
    );
    expect(old.notStoredThen).toHaveLength(6);
    const sharpe = metrics.returns.sharpe as number;
    await rewrite({ ...metrics, returns: { ...metrics.returns, sharpe: sharpe + 0.01 } });
    expect((await compareWithStored(db, id)).differences).toEqual([`returns.sharpe: ${sharpe + 0.01} -> ${sharpe}`]);
    // Another order of the same floating-point operations moves the last digits only: not a change.
    await rewrite({ ...metrics, returns: { ...metrics.returns, sharpe: sharpe * (1 + 4e-16) } });
    expect((await compareWithStored(db, id)).differences).toEqual([]);
    await rewrite({ ...metrics, returns: { ...metrics.returns, sharpe: sharpe * (1 + 1e-9) } });
    expect((await compareWithStored(db, id)).differences).toHaveLength(1);
  });

  it('warms up signals on bars before `from` and trades from `from` on', async () => {
    const outcome = await runBacktest(db, spec({ from: '2010-01-04' }));
    expect(new Date(outcome.dates[0]!).toISOString().slice(0, 10)).toBe('2010-01-04');
    // A 12-1 signal needs a year of bars: with warm-up the first month-end already trades.
    expect(outcome.trades[0]!.entry).toBe('2010-02-01');
  });

  it('drops symbols without bars, with a warning, and refuses a universe with none', async () => {
    const outcome = await runBacktest(db, spec({ symbols: [...SYMBOLS, 'NOPE'] }));
    expect(outcome.symbols).not.toContain('NOPE');
    expect(outcome.warnings).toContain('no 1d bars for NOPE: dropped from the universe');
    await expect(runBacktest(db, spec({ symbols: ['NOPE', 'NADA'] }))).rejects.toThrow(DataError);
    await expect(runBacktest(db, spec({ from: '2020-01-01', to: '2021-01-01' }))).rejects.toThrow(
      /no 1d bars to trade between 2020-01-01 and 2021-01-01/,
    );
  });

  it.each([
    [{ strategy: 'momo' }, 'strategy: unknown strategy "momo"; use one of'],
    [{ params: { lookbak: 12 } }, 'params: Unrecognized key: "lookbak"'],
    [{ params: { topPct: 0 } }, 'params.topPct'],
    [{ params: { lookback: 20, skip: 21 } }, 'params.skip: skip must be shorter than lookback'],
    [{ symbols: [] }, 'symbols: the universe is empty'],
    [{ from: '2012-01-01', to: '2011-01-01' }, 'from: from 2012-01-01 is after to 2011-01-01'],
    [{ costs: { bps: -1 } }, 'costs.bps'],
    [{ symbols: ['SPY', 'spy'] }, 'symbols: a symbol appears twice'],
  ])('refuses a bad spec %j with the field named', (overrides, message) => {
    expect(() => spec(overrides)).toThrow(ValidationError);
    expect(() => spec(overrides)).toThrow(message);
  });

  it('sweeps a grid on worker threads, stores every result under one sweep, and reports bad combinations', async () => {
    const result = await runSweep(db, spec(), { lookback: [63, 126, 252], skip: [0, 21], topPct: [34] }, { workers: 2 });
    expect(result.combinations).toBe(6);
    expect(result.entries).toHaveLength(6);
    expect(result.failures).toEqual([]);
    const stored = await listBacktests(db, { sweepId: result.sweepId, limit: 100 });
    expect(stored.map((s) => s.id).sort()).toEqual(result.entries.map((e) => e.backtestId).sort());
    const sharpes = result.ranked('sharpe').map((e) => e.metrics.returns.sharpe!);
    expect(sharpes).toEqual([...sharpes].sort((a, b) => b - a));
    // A sweep result is the same backtest as a single run with those parameters.
    const best = result.ranked('sharpe')[0]!;
    const single = await runBacktest(db, spec({ params: best.params }));
    expect(JSON.parse(JSON.stringify(single.metrics))).toEqual(JSON.parse(JSON.stringify(best.metrics)));
    expect((await getBacktestSeries(db, best.backtestId)).equity).toEqual(single.equity);

    const withBad = await runSweep(db, spec(), { lookback: [20, 63], skip: [21] }, { workers: 1 });
    expect(withBad.entries).toHaveLength(1);
    expect(withBad.failures).toEqual([{ params: { lookback: 20, skip: 21 }, error: 'params.skip: skip must be shorter than lookback' }]);
  });

  it('deletes a backtest with its series and trades; reading it then says it does not exist', async () => {
    const id = await storeBacktest(db, await runBacktest(db, spec()));
    expect(await deleteBacktest(db, id)).toBe(true);
    await expect(getBacktest(db, id)).rejects.toThrow(`backtest ${id} does not exist`);
    expect(await deleteBacktest(db, id)).toBe(false);
  });
  it('reads stored metrics back through their schema: a row missing a figure fails naming the backtest and the field', async () => {
    const id = await storeBacktest(db, await runBacktest(db, spec()));
    const { metrics } = await getBacktest(db, id);
    const broken = { ...metrics, returns: { ...metrics.returns, sharpe: 'high' } };
    await db.kysely
      .updateTable('backtests')
      .set({ metrics: JSON.stringify(broken) })
      .where('id', '=', id)
      .execute();
    const failure = getBacktest(db, id);
    await expect(failure).rejects.toThrow(DataError);
    await expect(failure).rejects.toThrow(`backtest ${id}'s metrics as stored do not read back at returns.sharpe`);
    await expect(listBacktests(db, { limit: 1 })).rejects.toThrow(`backtest ${id}'s metrics`);
    expect(await deleteBacktest(db, id)).toBe(true);
  });
  // Last: it changes the stored bars.
  it('notices when the data under a stored backtest changed', async () => {
    const id = await storeBacktest(db, await runBacktest(db, spec({ to: '2012-06-29' })));
    await db.kysely.updateTable('bars').set({ close: 1, adj_close: 1 }).where('ts', '=', new Date('2010-03-01')).execute();
    const comparison = await compareWithStored(db, id);
    expect(comparison.sameData).toBe(false);
    expect(comparison.differences.length).toBeGreaterThan(0);
  });
});
