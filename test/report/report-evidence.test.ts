import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/backtest/metrics.js';
import { fromPortfolioEvidence, gateEvidence, keyMetricsFromBacktest, keyMetricsFromComparison } from '../../src/report/report-evidence.js';

describe('report evidence from stored research results', () => {
  it('turns backtest metrics into fractions with the drawdown below zero', () => {
    const dates = Float64Array.from([0, 1, 2, 3], (i) => Date.UTC(2024, 0, 2 + i));
    const metrics = computeMetrics({ dates, equity: Float64Array.of(100, 110, 88, 99), initialCash: 100, interval: '1d', trades: [] });
    const key = keyMetricsFromBacktest(metrics);
    expect(key.period).toBe('2024-01-02 .. 2024-01-05');
    expect(key.totalReturn).toBeCloseTo(-0.01, 12);
    // Deepest fall: 110 -> 88, 20%.
    expect(key.maxDrawdown).toBeCloseTo(-0.2, 12);
    expect(key.trades).toBe(0);
    expect(key.sharpe).toBe(metrics.returns.sharpe);
  });

  it('turns comparison figures and gate results into the report’s evidence', () => {
    expect(
      keyMetricsFromComparison({
        period: '2022-01-03 .. 2023-12-29',
        sharpe: 0.5,
        cagr: 0.06,
        totalReturnPct: 12.5,
        maxDrawdownPct: 14,
        trades: 9,
      }),
    ).toEqual({
      period: '2022-01-03 .. 2023-12-29',
      totalReturn: 0.125,
      cagr: 0.06,
      volatility: null,
      sharpe: 0.5,
      maxDrawdown: -0.14,
      trades: 9,
    });
    const evidence = gateEvidence({
      gateSet: 'default',
      passed: false,
      checks: [
        { name: 'minSharpe', threshold: 0.5, value: 0.4, status: 'fail', reason: 'Sharpe 0.40 is below the minimum 0.50' },
        { name: 'maxPbo', threshold: 0.5, value: null, status: 'skipped', reason: 'PBO needs a sweep' },
        { name: 'minCagr', threshold: 0, value: 0.1, status: 'pass', reason: 'CAGR 10.0% is at least 0.0%' },
      ],
      statistics: {
        trials: 1,
        family: null,
        overlapping: null,
        sharpePerPeriod: 0.03,
        constantReturns: false,
        psr: 0.9,
        dsr: 0.9,
        expectedMaxSharpe: 0,
        trialSharpeVariance: null,
        pbo: null,
        pboSplits: null,
        pboConfigurations: null,
        pboSplit: null,
        pboWarning: null,
        pboNote: null,
      },
    });
    expect(evidence).toEqual({
      name: 'default',
      passed: false,
      failedReasons: ['Sharpe 0.40 is below the minimum 0.50'],
      dsr: 0.9,
      pbo: null,
      trials: 1,
    });
  });
});

describe('fromPortfolioEvidence', () => {
  it('maps a portfolio’s stored evidence, its verdict and its loud note', () => {
    const out = fromPortfolioEvidence({
      backtest: {
        id: 4,
        from: '2015-01-02',
        to: '2021-12-31',
        totalReturnPct: 80,
        cagr: 0.09,
        sharpe: 0.7,
        maxDrawdownPct: 22,
        trades: 40,
      },
      gate: {
        id: 2,
        gateSet: 'strict',
        passed: false,
        failures: ['PBO 0.62 is above the maximum 0.50'],
        psr: 0.9,
        dsr: 0.4,
        pbo: 0.62,
        trials: 12,
        family: 'x',
      },
      simulation: {
        id: 6,
        oosBacktestId: 5,
        period: '2022-01-03 .. 2023-12-29',
        totalReturnPct: -3,
        cagr: -0.015,
        sharpe: -0.1,
        maxDrawdownPct: 12,
        sharpeRatio: -0.14,
      },
      verdict: 'failed',
      gatesIgnored: true,
      note: 'Gates ignored: the strategy failed them.',
    });
    expect(out.gatesIgnored).toBe(true);
    expect(out.gatesFailed).toBe(true);
    expect(out.gateWarning).toBe('Gates ignored: the strategy failed them.');
    expect(out.evidence.backtest).toEqual({
      id: 4,
      metrics: {
        period: '2015-01-02 .. 2021-12-31',
        totalReturn: 0.8,
        cagr: 0.09,
        volatility: null,
        sharpe: 0.7,
        maxDrawdown: -0.22,
        trades: 40,
      },
    });
    expect(out.evidence.simulation?.metrics.totalReturn).toBeCloseTo(-0.03, 12);
    expect(out.evidence.simulation?.sharpeRatio).toBe(-0.14);
    expect(out.evidence.gate).toEqual({
      name: 'strict',
      passed: false,
      failedReasons: ['PBO 0.62 is above the maximum 0.50'],
      dsr: 0.4,
      pbo: 0.62,
      trials: 12,
    });
    const passed = fromPortfolioEvidence({
      backtest: null,
      gate: null,
      simulation: null,
      verdict: 'passed',
      gatesIgnored: false,
      note: null,
    });
    expect(passed).toMatchObject({ gatesIgnored: false, gatesFailed: false, gateWarning: null });
  });
});
