import { describe, expect, it } from 'vitest';
import type { BacktestMetrics } from '../../src/backtest/metrics.js';
import { ValidationError } from '../../src/errors.js';
import { DEFAULT_GATE_SETS, parseGateSet, resolveGateSet } from '../../src/research/gate-set.js';
import { evaluateGates, type OverfittingStatistics } from '../../src/research/gates.js';

/** Only the figures the gates read. */
const metrics = (sharpe: number | null, cagr: number | null, maxDepthPct: number, closed: number) =>
  ({ returns: { sharpe, cagr }, drawdown: { maxDepthPct }, trades: { closed } }) as unknown as BacktestMetrics;

const lone: OverfittingStatistics = {
  trials: 1,
  sharpePerPeriod: 0.05,
  psr: 0.97,
  dsr: 0.97,
  expectedMaxSharpe: 0,
  pbo: null,
  pboSplits: null,
};
const swept: OverfittingStatistics = {
  trials: 40,
  sharpePerPeriod: 0.05,
  psr: 0.97,
  dsr: 0.62,
  expectedMaxSharpe: 0.071,
  pbo: 0.64,
  pboSplits: 12870,
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
    expect(reasons.minDeflatedSharpe).toContain('deflated Sharpe ratio 0.62 is below the minimum 0.90: with 40 configurations tried');
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
