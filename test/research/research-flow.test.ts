import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { deleteBacktest, getBacktest, storeBacktest } from '../../src/backtest/backtest-store.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { runSweep } from '../../src/backtest/sweep.js';
import { DataError, ValidationError } from '../../src/errors.js';
import { DEFAULT_GATE_SETS } from '../../src/research/gate-set.js';
import { gateBacktest, gateSweep, latestGateResults } from '../../src/research/gate-runner.js';
import { listSimulations, simulateOutOfSample } from '../../src/research/simulate.js';
import { getWalkForward, runWalkForward } from '../../src/research/walk-forward-store.js';
import { SYNTHETIC_SYMBOLS as SYMBOLS, storeSyntheticReference } from '../helpers/synthetic-reference.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const lenient = { name: 'lenient', set: { minSharpe: -10, minTrades: 1 } };
const impossible = { name: 'impossible', set: { minSharpe: 9 } };

describe(`gate -> simulate -> stored results (${engineName})`, () => {
  let db: TestDatabase;
  let backtestId: number;
  beforeAll(async () => {
    db = await openTestDatabase();
    backtestId = await storeSyntheticReference(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it('gates a lone backtest: PSR/DSR from its returns, PBO skipped with the reason, verdict stored', async () => {
    const verdict = await gateBacktest(db, backtestId, 'default', DEFAULT_GATE_SETS.default!);
    expect(verdict.statistics.trials).toBe(1);
    expect(verdict.statistics.psr).toBeGreaterThan(0);
    expect(verdict.statistics.psr).toBeLessThan(1);
    expect(verdict.statistics.dsr).toBe(verdict.statistics.psr);
    expect(verdict.checks.find((c) => c.name === 'maxPbo')).toMatchObject({ status: 'skipped' });
    expect((await latestGateResults(db, [backtestId])).get(backtestId)).toMatchObject({ id: verdict.id, passed: verdict.passed });
  });

  it('reads stored statistics back through their schema; a verdict from before the trial registry reads its missing fields as null', async () => {
    const verdict = await gateBacktest(db, backtestId, 'default', DEFAULT_GATE_SETS.default!);
    expect((await latestGateResults(db, [backtestId])).get(backtestId)!.statistics).toEqual(verdict.statistics);
    const { trials, sharpePerPeriod, psr, dsr, expectedMaxSharpe, pbo, pboSplits } = verdict.statistics;
    const before = { trials, sharpePerPeriod, psr, dsr, expectedMaxSharpe, pbo, pboSplits };
    await db.kysely
      .updateTable('gate_results')
      .set({ statistics: JSON.stringify(before) })
      .where('id', '=', verdict.id)
      .execute();
    expect((await latestGateResults(db, [backtestId])).get(backtestId)!.statistics).toEqual({
      ...before,
      family: null,
      overlapping: null,
      constantReturns: false,
      trialSharpeVariance: null,
      pboConfigurations: null,
      pboSplit: null,
      pboWarning: null,
      pboNote: null,
    });
    await db.kysely
      .updateTable('gate_results')
      .set({ statistics: JSON.stringify({ ...before, psr: 'high' }) })
      .where('id', '=', verdict.id)
      .execute();
    await expect(latestGateResults(db, [backtestId])).rejects.toThrow(
      `gate verdict ${verdict.id}'s statistics as stored do not read back at psr`,
    );
    await db.kysely.deleteFrom('gate_results').where('id', '=', verdict.id).execute();
  });

  it('simulates out of sample from the day after the backtest period, stores the run and the comparison', async () => {
    await gateBacktest(db, backtestId, lenient.name, lenient.set);
    const result = await simulateOutOfSample(db, { backtestId, gates: lenient });
    expect(result.metrics.period.start).toBe('2010-01-01');
    expect(result.metrics.period.end).toBe('2014-12-31');
    expect(result.ignoredGates).toBe(false);
    const stored = await getBacktest(db, result.oosBacktestId);
    expect(stored.role).toBe('simulation');
    expect(stored.spec.params).toEqual((await getBacktest(db, backtestId)).spec.params);
    expect(result.comparison.inSample.period).toBe('2003-01-01 .. 2009-12-31');
    expect(result.comparison.change.sharpe).toBeCloseTo(result.comparison.outOfSample.sharpe! - result.comparison.inSample.sharpe!, 12);
    const [listed] = await listSimulations(db, backtestId);
    expect(listed).toMatchObject({
      id: result.simulationId,
      oosBacktestId: result.oosBacktestId,
      ignoredGates: false,
      allowedOverlap: false,
    });
  });

  it('refuses a period that overlaps the backtest, unless told to, and records that it was told', async () => {
    await expect(simulateOutOfSample(db, { backtestId, from: '2009-06-01', gates: lenient })).rejects.toThrow(ValidationError);
    await expect(simulateOutOfSample(db, { backtestId, from: '2009-06-01', gates: lenient })).rejects.toThrow(
      `from: 2009-06-01 overlaps backtest ${backtestId}'s period (2003-01-01 to 2009-12-31): out-of-sample data must start after 2009-12-31; use --allow-overlap (allowOverlap) to run anyway`,
    );
    const result = await simulateOutOfSample(db, { backtestId, from: '2009-06-01', allowOverlap: true, gates: lenient });
    expect(result.allowedOverlap).toBe(true);
  });

  it('simulates only a backtest that passed its gates, unless told otherwise, and records that', async () => {
    await gateBacktest(db, backtestId, impossible.name, impossible.set);
    await expect(simulateOutOfSample(db, { backtestId, gates: impossible })).rejects.toThrow(
      /failed its gates \(impossible, 1 trial in this family\): Sharpe ratio .* is below the minimum 9.00.*--ignore-gates/,
    );
    const result = await simulateOutOfSample(db, { backtestId, ignoreGates: true, gates: impossible });
    expect(result.ignoredGates).toBe(true);
    expect((await listSimulations(db, backtestId))[0]).toMatchObject({ id: result.simulationId, ignoredGates: true });
  });

  it('explains a period with no data and a deleted backtest', async () => {
    await gateBacktest(db, backtestId, lenient.name, lenient.set);
    await expect(simulateOutOfSample(db, { backtestId, from: '2030-01-01', gates: lenient })).rejects.toThrow(
      /no 1d bars to trade between 2030-01-01/,
    );
    const spec = parseBacktestSpec({ strategy: 'ma-trend', symbols: SYMBOLS, from: '2004-01-01', to: '2008-12-31' });
    const doomed = await storeBacktest(db, await runBacktest(db, spec));
    await deleteBacktest(db, doomed);
    await expect(simulateOutOfSample(db, { backtestId: doomed, gates: lenient })).rejects.toThrow(DataError);
    await expect(simulateOutOfSample(db, { backtestId: doomed, gates: lenient })).rejects.toThrow(`backtest ${doomed} does not exist`);
  });

  it('gates a whole sweep: one PBO by CSCV, a DSR for each configuration against its trials', async () => {
    const spec = parseBacktestSpec({ strategy: 'xs-momentum', symbols: SYMBOLS, from: '2003-01-01', to: '2009-12-31' });
    const sweep = await runSweep(db, spec, { lookback: [63, 126, 189, 252], skip: [0, 21], topPct: [17, 34] }, { workers: 2 });
    const verdict = await gateSweep(db, sweep.sweepId, 'default', DEFAULT_GATE_SETS.default!);
    expect(verdict.configurations).toBe(16);
    expect(verdict.pboSplits).toBe(12870);
    expect(verdict.pbo).toBeGreaterThanOrEqual(0);
    expect(verdict.pbo).toBeLessThanOrEqual(1);
    expect(verdict.results).toHaveLength(16);
    for (const result of verdict.results) {
      expect(result.statistics.trials).toBe(16);
      expect(result.statistics.pbo).toBe(verdict.pbo);
      expect(result.statistics.dsr!).toBeLessThanOrEqual(result.statistics.psr! + 1e-12); // deflating never helps
    }
    // A lone member of the sweep is judged with the sweep's trials too.
    const one = await gateBacktest(db, sweep.entries[0]!.backtestId, 'default', DEFAULT_GATE_SETS.default!);
    expect(one.statistics.trials).toBe(16);
  });

  it('explains a sweep too small for CSCV', async () => {
    const spec = parseBacktestSpec({ strategy: 'xs-momentum', symbols: SYMBOLS, from: '2003-01-01', to: '2009-12-31' });
    const single = await runSweep(db, spec, { lookback: [126] }, { workers: 1 });
    await expect(gateSweep(db, single.sweepId, 'default', DEFAULT_GATE_SETS.default!)).rejects.toThrow(/at least 2 configurations/);
  });

  it('runs and stores a walk-forward analysis with its windows and stitched curve', async () => {
    const spec = parseBacktestSpec({ strategy: 'xs-momentum', symbols: SYMBOLS, from: '2003-01-01', to: '2014-12-31' });
    const result = await runWalkForward(db, spec, {
      grid: { lookback: [126, 252] },
      trainBars: 756,
      testBars: 252,
      mode: 'anchored',
      selectBy: 'sharpe',
    });
    const stored = await getWalkForward(db, result.id);
    expect(stored.spec).toEqual(spec);
    expect(stored.windows).toEqual(result.windows);
    expect(stored.equity).toEqual(result.equity);
    expect(stored.metrics).toEqual(JSON.parse(JSON.stringify(result.metrics)));
    expect(stored.windows.every((w) => w.trainFrom === '2003-01-01')).toBe(true);
  });
});
