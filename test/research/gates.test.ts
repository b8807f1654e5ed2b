import { describe, expect, it } from 'vitest';
import type { BacktestMetrics } from '../../src/backtest/metrics.js';
import { ValidationError } from '../../src/errors.js';
import { DEFAULT_GATE_SETS, parseGateSet, resolveGateSet } from '../../src/research/gate-set.js';
import { evaluateGates, type OverfittingStatistics } from '../../src/research/gates.js';

/** Only the figures the gates read. */
const metrics = (sharpe: number | null, cagr: number | null, maxDepthPct: number, closed: number) =>
  ({ returns: { sharpe, cagr }, drawdown: { maxDepthPct }, trades: { closed } }) as unknown as BacktestMetrics;

const noPbo = { pboSplits: null, pboConfigurations: null, pboSplit: null, pboWarning: null, pboNote: null };
const lone: OverfittingStatistics = {
  trials: 1,
  family: { id: 1, kind: 'strategy', description: 'ma-trend on SPY (1d), 2003-01-02 .. 2014-12-31', runs: 1 },
  overlapping: { families: 0, trials: 0 },
  sharpePerPeriod: 0.05,
  constantReturns: false,
  psr: 0.97,
  dsr: 0.97,
  expectedMaxSharpe: 0,
  trialSharpeVariance: null,
  pbo: null,
  ...noPbo,
};
const swept: OverfittingStatistics = {
  ...lone,
  trials: 40,
  dsr: 0.62,
  expectedMaxSharpe: 0.071,
  trialSharpeVariance: 0.0004,
  pbo: 0.64,
  pboSplits: 12870,
  pboConfigurations: 40,
  pboSplit: 'T = 3000 rows in S = 16 blocks of 187 or 188 rows',
};

describe('evaluateGates', () => {
  it('passes when every threshold holds, saying so for each', () => {
    const verdict = evaluateGates(metrics(0.9, 0.08, 18, 40), lone, {
      minSharpe: 0.5,
      minCagr: 0.05,
      maxDrawdown: 0.25,
      minTrades: 20,
      minDeflatedSharpe: 0.9,
    });
    expect(verdict.passed).toBe(true);
    expect(verdict.checks.map((c) => [c.name, c.status])).toEqual([
      ['minSharpe', 'pass'],
      ['minCagr', 'pass'],
      ['maxDrawdown', 'pass'],
      ['minTrades', 'pass'],
      ['minDeflatedSharpe', 'pass'],
    ]);
    expect(verdict.checks[2]!.reason).toBe('maximum drawdown 18.0% is within the maximum 25.0%');
  });

  it('fails with a reason for every threshold that does not hold', () => {
    const verdict = evaluateGates(metrics(0.3, 0.01, 45, 4), swept, DEFAULT_GATE_SETS.default!);
    expect(verdict.passed).toBe(false);
    const reasons = Object.fromEntries(verdict.checks.map((c) => [c.name, c.reason]));
    expect(reasons.minSharpe).toBe('Sharpe ratio 0.30 is below the minimum 0.40');
    expect(reasons.minCagr).toBe('CAGR 1.0% is below the minimum 2.0%');
    expect(reasons.maxDrawdown).toBe('maximum drawdown 45.0% is above the maximum 40.0%');
    expect(reasons.minTrades).toBe('closed trades 4 is below the minimum 10: too few round trips to judge the strategy');
    expect(reasons.minDeflatedSharpe).toContain('deflated Sharpe ratio 0.62 is below the minimum 0.90: with 40 trials in this family');
    expect(reasons.maxPbo).toBe(
      'probability of backtest overfitting 0.64 is above the maximum 0.50: the in-sample best configuration ranked below the median out of sample in 64.0% of 12870 splits',
    );
    expect(verdict.checks.every((c) => c.status === 'fail')).toBe(true);
  });

  it('skips (and says why) what a lone backtest cannot tell; skipped checks do not fail the verdict', () => {
    const verdict = evaluateGates(metrics(0.9, 0.08, 18, 40), lone, { maxPbo: 0.5 });
    expect(verdict.passed).toBe(true);
    expect(verdict.checks).toEqual([
      {
        name: 'maxPbo',
        threshold: 0.5,
        value: null,
        status: 'skipped',
        reason: expect.stringContaining('PBO needs a sweep of at least 2 configurations'),
      },
    ]);
    expect(evaluateGates(metrics(null, null, 0, 0), lone, { minSharpe: 0.5 }).checks[0]!.status).toBe('skipped');
  });

  it('states the trial count of the family in the deflated Sharpe check, passed or not', () => {
    expect(evaluateGates(metrics(0.9, 0.08, 18, 40), lone, { minDeflatedSharpe: 0.9 }).checks[0]!.reason).toBe(
      'deflated Sharpe ratio 0.97 is at least the minimum 0.90 (1 trial in this family)',
    );
    expect(evaluateGates(metrics(0.9, 0.08, 18, 40), { ...lone, trials: 3 }, { minDeflatedSharpe: 0.99 }).checks[0]!.reason).toMatch(
      /below the minimum 0\.99: with 3 trials in this family, luck alone/,
    );
  });

  it('skips every statistical check of constant returns, saying so, and still judges the rest', () => {
    const flat: OverfittingStatistics = {
      ...lone,
      constantReturns: true,
      sharpePerPeriod: 0,
      psr: null,
      dsr: null,
      expectedMaxSharpe: null,
    };
    const verdict = evaluateGates(metrics(null, 0, 0, 0), flat, DEFAULT_GATE_SETS.default!);
    expect(verdict.passed).toBe(false);
    expect(verdict.checks.map((c) => [c.name, c.status])).toEqual([
      ['minSharpe', 'skipped'],
      ['minCagr', 'fail'],
      ['maxDrawdown', 'pass'],
      ['minTrades', 'fail'],
      ['minDeflatedSharpe', 'skipped'],
      ['maxPbo', 'skipped'],
    ]);
    expect(verdict.checks.slice(4).every((c) => c.reason.startsWith('skipped: constant returns'))).toBe(true);
  });

  it('gives the reason a family has no PBO', () => {
    const verdict = evaluateGates(metrics(0.9, 0.08, 18, 40), { ...lone, pboNote: 'no PBO for the family: too few rows' }, { maxPbo: 0.5 });
    expect(verdict.checks[0]).toMatchObject({ status: 'skipped', reason: 'no PBO for the family: too few rows' });
  });

  it('checks nothing that is not set', () => {
    expect(evaluateGates(metrics(-5, -0.5, 90, 0), swept, {}).checks).toEqual([]);
  });
});

describe('gate sets', () => {
  it.each([
    [{ minTrades: -1 }, 'gates.minTrades: cannot be negative'],
    [{ minTrades: 2.5 }, 'gates.minTrades: must be a whole number'],
    [{ maxDrawdown: 1.5 }, 'gates.maxDrawdown: must be a fraction in [0, 1]'],
    [{ maxPbo: -0.1 }, 'gates.maxPbo: must be a probability in [0, 1]'],
    [{ minDeflatedSharpe: 2 }, 'gates.minDeflatedSharpe: must be a probability in [0, 1]'],
    [{ minSharp: 1 }, 'Unrecognized key'],
  ])('refuses thresholds that make no sense: %j', (raw, message) => {
    expect(() => parseGateSet(raw)).toThrow(ValidationError);
    expect(() => parseGateSet(raw)).toThrow(message);
  });

  it('resolves a named set with overrides, and names the known sets for an unknown one', () => {
    expect(resolveGateSet(DEFAULT_GATE_SETS, 'strict', { minTrades: 50 })).toEqual({ ...DEFAULT_GATE_SETS.strict, minTrades: 50 });
    expect(() => resolveGateSet(DEFAULT_GATE_SETS, 'lenient')).toThrow('gates: unknown gate set "lenient"; known: default, strict');
    expect(() => resolveGateSet(DEFAULT_GATE_SETS, 'default', { minTrades: -3 })).toThrow('default.minTrades: cannot be negative');
  });
});
