/**
 * The trial registry on the engine under test: a research family counts every configuration tried,
 * in sweeps or one by one, across separate calls; a re-run is a run, not a trial, and cannot reset
 * the count; the deflated Sharpe ratio of any member deflates by the family, checked against the
 * formula of Bailey and Lopez de Prado (2014) written out independently here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBacktestSpec, type BacktestSpecInput } from '../../src/backtest/backtest-spec.js';
import { deleteBacktest, storeBacktest } from '../../src/backtest/backtest-store.js';
import { getBacktestSeries } from '../../src/backtest/sweep-curves.js';
import { runBacktest } from '../../src/backtest/run-backtest.js';
import { runSweep } from '../../src/backtest/sweep.js';
import { familyTrials, listTrialFamilies } from '../../src/backtest/trial-store.js';
import { dateToTs } from '../../src/data/bar.js';
import { ingest } from '../../src/data/ingest.js';
import { SyntheticProvider } from '../../src/data/providers/synthetic-provider.js';
import { ValidationError } from '../../src/errors.js';
import { DEFAULT_GATE_SETS } from '../../src/research/gate-set.js';
import { gateBacktest, gateSweep } from '../../src/research/gate-runner.js';
import { recordSelection } from '../../src/research/trial-families.js';
import { runWalkForward } from '../../src/research/walk-forward-store.js';
import { engineName, openTestDatabase, type TestDatabase } from '../helpers/test-database.js';

const SYMBOLS = ['SYN-EQ-US', 'SYN-EQ-EU', 'SYN-EQ-EM', 'SYN-BOND-LONG', 'SYN-GOLD', 'SYN-OIL'];
const PERIOD = { from: '2003-01-01', to: '2009-12-31' };
const gates = DEFAULT_GATE_SETS.default!;

// ---- Bailey and Lopez de Prado (2014), written out from the paper, sharing no code with src/ ----
const EULER = 0.5772156649015329;
/** Phi(x) by Simpson's rule on the normal density (2,000 intervals: error far below 1e-10 here). */
function phi(x: number): number {
  const steps = 2000;
  const h = x / steps;
  const f = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI);
  let sum = f(0) + f(x);
  for (let i = 1; i < steps; i++) sum += (i % 2 === 1 ? 4 : 2) * f(i * h);
  return 0.5 + (sum * h) / 3;
}
/** Phi^-1(p) by bisection. */
function phiInverse(p: number): number {
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (phi(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
function independentDsr(returns: number[], trialSharpes: number[]): number {
  const n = returns.length;
  const mu = returns.reduce((a, b) => a + b, 0) / n;
  const deviations = returns.map((r) => r - mu);
  const m2 = deviations.reduce((a, d) => a + d * d, 0) / n;
  const sr = mu / Math.sqrt(deviations.reduce((a, d) => a + d * d, 0) / (n - 1));
  const g3 = deviations.reduce((a, d) => a + d ** 3, 0) / n / m2 ** 1.5;
  const g4 = deviations.reduce((a, d) => a + d ** 4, 0) / n / m2 ** 2;
  const N = trialSharpes.length;
  const meanSr = trialSharpes.reduce((a, b) => a + b, 0) / N;
  const variance = trialSharpes.reduce((a, s) => a + (s - meanSr) ** 2, 0) / (N - 1);
  const srStar = Math.sqrt(variance) * ((1 - EULER) * phiInverse(1 - 1 / N) + EULER * phiInverse(1 - 1 / (N * Math.E)));
  return phi(((sr - srStar) * Math.sqrt(n - 1)) / Math.sqrt(1 - g3 * sr + ((g4 - 1) / 4) * sr * sr));
}
function perBar(equity: Float64Array, cash: number): number[] {
  return Array.from(equity, (v, t) => v / (t === 0 ? cash : equity[t - 1]!) - 1);
}
function sharpeOf(returns: number[]): number {
  const mu = returns.reduce((a, b) => a + b, 0) / returns.length;
  return mu / Math.sqrt(returns.reduce((a, r) => a + (r - mu) ** 2, 0) / (returns.length - 1));
}

describe(`the trial registry (${engineName})`, () => {
  let db: TestDatabase;
  const spec = (params: BacktestSpecInput['params'], over: Partial<BacktestSpecInput> = {}) =>
    parseBacktestSpec({ strategy: 'xs-momentum', symbols: SYMBOLS, ...PERIOD, params, ...over });
  const backtest = async (params: BacktestSpecInput['params'], over: Partial<BacktestSpecInput> = {}) =>
    storeBacktest(db, await runBacktest(db, spec(params, over)));
  const familyOf = async (name: string) => (await listTrialFamilies(db, { strategy: name })).find((f) => f.periodTo === '2009-12-31')!;

  beforeAll(async () => {
    db = await openTestDatabase();
    await ingest(db, new SyntheticProvider({ seed: 3 }), { symbols: SYMBOLS, interval: '1d', now: () => dateToTs('2014-12-31') });
  });
  afterAll(async () => {
    await db.close();
  });

  it('counts a family over separate runs; a re-run adds a run, not a trial; a deletion resets nothing; the DSR deflates by all', async () => {
    // Run 1: one configuration alone: one trial, DSR = PSR.
    const first = await backtest({ lookback: 126 });
    const alone = await gateBacktest(db, first, 'default', gates);
    expect(alone.statistics.trials).toBe(1);
    expect(alone.statistics.dsr).toBe(alone.statistics.psr);

    // Run 2: a sweep of six; run 3: one more alone, later deleted; run 4: the first again, with another cash amount.
    const sweep = await runSweep(db, spec({}), { lookback: [63, 189, 252], topPct: [17, 34] }, { workers: 2 });
    const doomed = await backtest({ lookback: 315 });
    const rerun = await backtest({ lookback: 126 }, { initialCash: 250_000 });

    const family = await familyOf('xs-momentum');
    expect(family).toMatchObject({ kind: 'strategy', trials: 8, runs: 9, periodFrom: '2003-01-01', periodTo: '2009-12-31' });
    const trials = await familyTrials(db, family.id);
    expect(trials.find((t) => t.params.lookback === 126)).toMatchObject({ runs: 2, backtestId: rerun, source: 'backtest' });
    expect(trials.filter((t) => t.source === 'sweep')).toHaveLength(6);

    // The trials' Sharpe ratios, from the stored equity curves (before one is deleted).
    const curves = new Map<number, number[]>();
    for (const t of trials)
      curves.set(t.id, perBar((await getBacktestSeries(db, t.backtestId!)).equity, t.backtestId === rerun ? 250_000 : 1e6));
    const sharpes = trials.map((t) => sharpeOf(curves.get(t.id)!));
    trials.forEach((t, i) => expect(t.sharpe).toBeCloseTo(sharpes[i]!, 12));

    await deleteBacktest(db, doomed);
    expect(await familyOf('xs-momentum')).toMatchObject({ trials: 8, runs: 9 });

    const verdict = await gateBacktest(db, rerun, 'default', gates);
    expect(verdict.statistics.trials).toBe(8);
    expect(verdict.statistics.family).toMatchObject({ id: family.id, kind: 'strategy', runs: 9 });
    expect(verdict.statistics.family!.description).toBe(
      `xs-momentum on ${SYMBOLS.slice().sort().slice(0, 3).join(',')}+3 (1d), 2003-01-01 .. 2009-12-31`,
    );
    const returns = perBar((await getBacktestSeries(db, rerun)).equity, 250_000);
    expect(verdict.statistics.dsr!).toBeCloseTo(independentDsr(returns, sharpes), 8);
    expect(verdict.statistics.dsr!).toBeLessThan(alone.statistics.dsr!);
    // Its PBO is the family's: the 7 configurations with a stored curve (the deleted one has none).
    expect(verdict.statistics.pboConfigurations).toBe(7);
    expect(verdict.statistics.pboSplit).toMatch(/^T = \d+ rows in S = 16 blocks of \d+( or \d+)? rows$/);

    // A sweep member is judged exactly as the lone run of the same configuration would be.
    const member = sweep.entries.find((e) => e.params.lookback === 252 && e.params.topPct === 34)!;
    const twin = await backtest({ lookback: 252, topPct: 34 });
    const [a, b] = [await gateBacktest(db, member.backtestId, 'default', gates), await gateBacktest(db, twin, 'default', gates)];
    expect(b.statistics).toEqual(a.statistics);
    const swept = await gateSweep(db, sweep.sweepId, 'default', gates);
    expect(swept).toMatchObject({ trials: 8, pbo: a.statistics.pbo });
  });

  it('counts a shifted period as a family of its own, and says which overlapping families its count leaves out', async () => {
    const shifted = await backtest({ lookback: 126 }, { to: '2009-12-30' });
    const verdict = await gateBacktest(db, shifted, 'default', gates);
    expect(verdict.statistics.trials).toBe(1);
    expect(verdict.statistics.overlapping).toEqual({ families: 1, trials: 8 });
  });

  it('records a selection made by code: every candidate counts, and each is judged among them', async () => {
    const candidates = [];
    for (const strategy of ['ma-trend', 'dual-momentum', '52w-high']) {
      candidates.push(await storeBacktest(db, await runBacktest(db, parseBacktestSpec({ strategy, symbols: SYMBOLS, ...PERIOD }))));
    }
    const selection = await recordSelection(db, 'pick-one', candidates);
    expect(selection).toMatchObject({ kind: 'selection', name: 'pick-one', trials: 3, runs: 3 });
    const verdict = await gateBacktest(db, candidates[0]!, 'default', gates);
    expect(verdict.statistics.trials).toBe(3);
    expect(verdict.statistics.family).toMatchObject({ id: selection.id, kind: 'selection' });
    // Choosing again among the same candidates is the same three trials.
    expect(await recordSelection(db, 'pick-one', candidates)).toMatchObject({ trials: 3, runs: 6 });

    const elsewhere = await storeBacktest(
      db,
      await runBacktest(db, parseBacktestSpec({ strategy: 'ma-trend', symbols: SYMBOLS, from: '2004-01-01', to: '2009-12-31' })),
    );
    await expect(recordSelection(db, 'pick-one', [...candidates, elsewhere])).rejects.toThrow(ValidationError);
    await expect(recordSelection(db, 'pick-one', [...candidates, elsewhere])).rejects.toThrow(/a selection compares like with like/);
  });

  it('records every combination of every walk-forward window as a trial of its training span', async () => {
    const wf = await runWalkForward(db, spec({}, { to: '2012-12-31' }), {
      grid: { lookback: [126, 252] },
      trainBars: 756,
      testBars: 252,
      mode: 'rolling',
      selectBy: 'sharpe',
    });
    expect(wf.trials).toHaveLength(2 * wf.windows.length);
    const families = (await listTrialFamilies(db, { strategy: 'xs-momentum' })).filter((f) =>
      wf.windows.some((w) => w.trainFrom === f.periodFrom && w.trainTo === f.periodTo),
    );
    expect(families).toHaveLength(wf.windows.length);
    for (const f of families) {
      expect(f.trials).toBe(2);
      expect((await familyTrials(db, f.id)).every((t) => t.source === 'walk-forward' && t.backtestId === null)).toBe(true);
    }
  });
});
