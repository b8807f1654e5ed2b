/**
 * PSR, E[max SR] and DSR against computations written here from the formulas, on a case whose
 * moments are worked out by hand, and against the numerical example of Bailey and Lopez de Prado,
 * "The Deflated Sharpe Ratio" (2014). Literal probabilities were computed with mpmath (ncdf) at 30
 * digits, independently of normal.ts.
 */
import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../src/research/normal.js';
import {
  deflatedSharpe,
  EULER_MASCHERONI,
  expectedMaxSharpe,
  probabilisticSharpe,
  sharpeStatistics,
} from '../../src/research/sharpe-statistics.js';
import { expectValidationError } from '../helpers/validation-error.js';

/**
 * Ten returns: mean 0.05 / 10 = 0.005, deviations from it
 * 0.03, -0.01, -0.01, -0.01, 0, 0.02, -0.02, -0.01, 0.04, -0.03 (they sum to 0), so
 * sum d^2 = (9 + 1 + 1 + 1 + 0 + 4 + 4 + 1 + 16 + 9) e-4 = 46e-4,
 * sum d^3 = (27 - 1 - 1 - 1 + 0 + 8 - 8 - 1 + 64 - 27) e-6 = 60e-6,
 * sum d^4 = (81 + 1 + 1 + 1 + 0 + 16 + 16 + 1 + 256 + 81) e-8 = 454e-8.
 */
const RETURNS = Float64Array.of(0.035, -0.005, -0.005, -0.005, 0.005, 0.025, -0.015, -0.005, 0.045, -0.025);
const HAND = (() => {
  const n = 10;
  const m2 = 46e-4 / n;
  const m3 = 60e-6 / n;
  const m4 = 454e-8 / n;
  return { n, sharpe: 0.005 / Math.sqrt(46e-4 / (n - 1)), skewness: m3 / m2 ** 1.5, kurtosis: m4 / m2 ** 2 };
})();

/** PSR written out from the formula of Bailey and Lopez de Prado (2012). */
function psrByHand(sr: number, benchmark: number, n: number, g3: number, g4: number): number {
  return normalCdf(((sr - benchmark) * Math.sqrt(n - 1)) / Math.sqrt(1 - g3 * sr + ((g4 - 1) / 4) * sr * sr));
}

/** `count` Sharpe ratios, half +a and half -a, whose sample variance is `variance` (count even). */
function trialsWithVariance(count: number, variance: number): Float64Array {
  const a = Math.sqrt((variance * (count - 1)) / count);
  return Float64Array.from({ length: count }, (_, i) => (i % 2 === 0 ? a : -a));
}

describe('sharpeStatistics', () => {
  it('gives the per-period Sharpe ratio, skewness and raw kurtosis worked out by hand', () => {
    const stats = sharpeStatistics(RETURNS);
    expect(stats.n).toBe(10);
    expect(stats.sharpe).toBeCloseTo(HAND.sharpe, 13);
    expect(stats.skewness).toBeCloseTo(HAND.skewness, 12);
    expect(stats.kurtosis).toBeCloseTo(HAND.kurtosis, 12);
    expect(stats.sharpe).toBeCloseTo(0.2211629342323457, 13); // mpmath
    expect(stats.kurtosis).toBeCloseTo(2.145557655954631, 12);
  });

  it('does not mutate its input', () => {
    const copy = RETURNS.slice();
    sharpeStatistics(copy);
    expect(copy).toEqual(RETURNS);
  });

  it('refuses fewer than 2 returns and non-finite returns', () => {
    expectValidationError(() => sharpeStatistics(Float64Array.of(0.01)), 'returns', /at least 2 returns/);
    expectValidationError(() => sharpeStatistics(Float64Array.of(0.01, Number.NaN, 0.02)), 'returns[1]', /NaN/);
  });

  it('gives a Sharpe ratio of 0 for constant returns, marked constant: a configuration that never trades', () => {
    expect(sharpeStatistics(new Float64Array(50))).toEqual({ sharpe: 0, n: 50, skewness: 0, kurtosis: 3, constant: true });
    expect(sharpeStatistics(Float64Array.of(0.01, 0.01, 0.01))).toMatchObject({ sharpe: 0, constant: true });
  });

  it('treats an almost constant series (floating-point noise in the std) as constant, not as a Sharpe of 1e15', () => {
    const almost = new Float64Array(100).fill(0.001);
    const std = Math.sqrt(almost.reduce((s, x) => s + (x - almost.reduce((a, b) => a + b) / 100) ** 2, 0) / 99);
    expect(std).toBeGreaterThan(0); // the noise the issue saw (about 6.5e-19)
    expect(sharpeStatistics(almost)).toMatchObject({ sharpe: 0, constant: true });
    // Within the relative tolerance of 1e-9 of the mean's size: constant; a real spread is not.
    expect(sharpeStatistics(Float64Array.of(0.001, 0.001 + 1e-13, 0.001))).toMatchObject({ constant: true });
    expect(sharpeStatistics(Float64Array.of(0.001, 0.001 + 1e-11, 0.001))).toMatchObject({ constant: false });
    expect(sharpeStatistics(RETURNS).constant).toBe(false);
  });
});

describe('probabilisticSharpe', () => {
  it('matches the formula written out by hand', () => {
    const psr = probabilisticSharpe({ ...HAND, benchmark: 0 });
    expect(psr).toBeCloseTo(psrByHand(HAND.sharpe, 0, 10, HAND.skewness, HAND.kurtosis), 14);
    expect(psr).toBeCloseTo(0.7603657997404334, 12); // mpmath
    expect(probabilisticSharpe({ ...HAND, benchmark: 0.05 })).toBeCloseTo(0.7079941675762146, 12);
  });

  it('is one half when the Sharpe ratio equals the benchmark', () => {
    expect(probabilisticSharpe({ sharpe: 0.1, benchmark: 0.1, n: 500, skewness: -1, kurtosis: 6 })).toBe(0.5);
  });

  it('falls with negative skewness and fat tails when SR > SR*', () => {
    const normal = probabilisticSharpe({ sharpe: 0.1, benchmark: 0, n: 250, skewness: 0, kurtosis: 3 });
    expect(normal).toBeCloseTo(0.942261266719699, 12); // mpmath
    expect(probabilisticSharpe({ sharpe: 0.1, benchmark: 0, n: 250, skewness: -2, kurtosis: 3 })).toBeLessThan(normal);
    expect(probabilisticSharpe({ sharpe: 0.1, benchmark: 0, n: 250, skewness: 0, kurtosis: 12 })).toBeLessThan(normal);
  });

  it('stays in [0, 1] for extreme inputs', () => {
    expect(probabilisticSharpe({ sharpe: 5, benchmark: 0, n: 1e6, skewness: 0, kurtosis: 3 })).toBe(1);
    expect(probabilisticSharpe({ sharpe: -5, benchmark: 0, n: 1e6, skewness: 0, kurtosis: 3 })).toBe(0);
  });

  it('refuses n < 2, a non-positive variance term and non-finite inputs', () => {
    expectValidationError(() => probabilisticSharpe({ sharpe: 0.1, benchmark: 0, n: 1, skewness: 0, kurtosis: 3 }), 'n', /at least 2/);
    // 1 - 2 * 1 + (3 - 1) / 4 * 1 = -0.5
    expectValidationError(
      () => probabilisticSharpe({ sharpe: 1, benchmark: 0, n: 100, skewness: 2, kurtosis: 3 }),
      'kurtosis',
      /not positive.*raw kurtosis/,
    );
    expectValidationError(
      () => probabilisticSharpe({ sharpe: Number.NaN, benchmark: 0, n: 100, skewness: 0, kurtosis: 3 }),
      'sharpe',
      /finite/,
    );
  });
});

describe('expectedMaxSharpe', () => {
  it('is 0 for a single trial', () => {
    expect(expectedMaxSharpe({ trials: 1, variance: 0.3 })).toBe(0);
  });

  it('matches the formula of Bailey and Lopez de Prado (2014)', () => {
    // sqrt(0.00092) * ((1 - gamma) * Phi^-1(0.8) + gamma * Phi^-1(1 - 1 / (5 e))), mpmath
    expect(expectedMaxSharpe({ trials: 5, variance: 0.00092 })).toBeCloseTo(0.03617316706007294, 13);
    expect(EULER_MASCHERONI).toBe(0.5772156649015329);
  });

  it('grows with the number of trials and with the variance', () => {
    let previous = 0;
    for (const trials of [2, 3, 5, 10, 30, 100, 1000, 10_000, 1_000_000]) {
      const value = expectedMaxSharpe({ trials, variance: 1 });
      expect(value).toBeGreaterThan(previous);
      previous = value;
    }
    expect(expectedMaxSharpe({ trials: 50, variance: 0.02 })).toBeGreaterThan(expectedMaxSharpe({ trials: 50, variance: 0.01 }));
    expect(expectedMaxSharpe({ trials: 50, variance: 0.04 })).toBeCloseTo(2 * expectedMaxSharpe({ trials: 50, variance: 0.01 }), 14);
    expect(expectedMaxSharpe({ trials: 50, variance: 0 })).toBe(0);
  });

  it('approximates the expected maximum of N standard normals within 3% for N >= 10', () => {
    // E[max] = integral of x * N * phi(x) * Phi(x)^(N - 1) dx, by the trapezoid rule.
    for (const trials of [10, 100, 1000]) {
      let integral = 0;
      const h = 1e-3;
      for (let x = -10; x <= 10; x += h) {
        integral += x * trials * (Math.exp((-x * x) / 2) / Math.sqrt(2 * Math.PI)) * normalCdf(x) ** (trials - 1) * h;
      }
      expect(Math.abs(expectedMaxSharpe({ trials, variance: 1 }) / integral - 1)).toBeLessThan(0.03);
    }
  });

  it('refuses a non-integer or non-positive number of trials and a negative variance', () => {
    expectValidationError(() => expectedMaxSharpe({ trials: 0, variance: 1 }), 'trials', /positive integer/);
    expectValidationError(() => expectedMaxSharpe({ trials: 2.5, variance: 1 }), 'trials', /positive integer/);
    expectValidationError(() => expectedMaxSharpe({ trials: 10, variance: -1 }), 'variance', /negative/);
    expectValidationError(() => expectedMaxSharpe({ trials: 10, variance: Number.NaN }), 'variance', /finite/);
  });
});

describe('deflatedSharpe', () => {
  it('is the PSR against E[max SR] of the trials, written out by hand', () => {
    // Sample variance of 0.02, 0.05, -0.01, 0.07, 0.03: mean 0.032, squared deviations
    // (1.44 + 3.24 + 17.64 + 14.44 + 0.04) e-4 = 36.8e-4, / 4 = 9.2e-4.
    const trialSharpes = Float64Array.of(0.02, 0.05, -0.01, 0.07, 0.03);
    const result = deflatedSharpe({ ...HAND, trialSharpes });
    expect(result.trials).toBe(5);
    expect(result.variance).toBeCloseTo(9.2e-4, 16);
    const gamma = 0.5772156649015329;
    const quantile = (p: number) => {
      // Bisection on normalCdf: independent of normalQuantile.
      let lo = -10;
      let hi = 10;
      for (let i = 0; i < 200; i++) {
        const mid = (lo + hi) / 2;
        if (normalCdf(mid) < p) lo = mid;
        else hi = mid;
      }
      return (lo + hi) / 2;
    };
    const benchmark = Math.sqrt(9.2e-4) * ((1 - gamma) * quantile(1 - 1 / 5) + gamma * quantile(1 - 1 / (5 * Math.E)));
    expect(result.benchmark).toBeCloseTo(benchmark, 14);
    expect(result.dsr).toBeCloseTo(psrByHand(HAND.sharpe, benchmark, 10, HAND.skewness, HAND.kurtosis), 13);
    expect(result.dsr).toBeCloseTo(0.7229960607809354, 12); // mpmath
  });

  it("reproduces Bailey and Lopez de Prado's example: DSR 0.9004", () => {
    // The paper: N = 100 trials, annualised SR 2.5 for the best and V[SR] = 0.5 across the trials
    // (annualised), T = 1250 daily returns (5 years), skewness -3, kurtosis 10 (raw). Per day with
    // 250 days a year: SR = 2.5 / sqrt(250) = 0.1581, V = 0.5 / 250 = 0.002, hence
    // SR* = 0.1132 (1.7894 a year) and DSR = 0.9004 as published (252 days a year would give 0.8997).
    const result = deflatedSharpe({
      sharpe: 2.5 / Math.sqrt(250),
      n: 1250,
      skewness: -3,
      kurtosis: 10,
      trialSharpes: trialsWithVariance(100, 0.5 / 250),
    });
    expect(result.trials).toBe(100);
    expect(result.variance).toBeCloseTo(0.002, 15);
    expect(result.benchmark).toBeCloseTo(0.1132, 4);
    expect(result.benchmark * Math.sqrt(250)).toBeCloseTo(1.7894064662732059, 12); // mpmath
    expect(result.dsr).toBeCloseTo(0.9004, 4);
    expect(result.dsr).toBeCloseTo(0.900396834449391, 12); // mpmath
  });

  it('takes an effective number of trials instead of the count of trial Sharpe ratios', () => {
    const trialSharpes = trialsWithVariance(100, 0.002);
    const all = deflatedSharpe({ sharpe: 0.15, n: 1250, skewness: 0, kurtosis: 3, trialSharpes });
    const fewer = deflatedSharpe({ sharpe: 0.15, n: 1250, skewness: 0, kurtosis: 3, trialSharpes, trials: 20 });
    expect(fewer.trials).toBe(20);
    expect(fewer.benchmark).toBeCloseTo(expectedMaxSharpe({ trials: 20, variance: 0.002 }), 15);
    expect(fewer.dsr).toBeGreaterThan(all.dsr);
  });

  it('does not mutate the trial Sharpe ratios', () => {
    const trialSharpes = Float64Array.of(0.02, 0.05, -0.01, 0.07, 0.03);
    const copy = trialSharpes.slice();
    deflatedSharpe({ ...HAND, trialSharpes });
    expect(trialSharpes).toEqual(copy);
  });

  it('refuses fewer than 2 trial Sharpe ratios and non-finite ones', () => {
    expectValidationError(() => deflatedSharpe({ ...HAND, trialSharpes: Float64Array.of(0.1) }), 'trialSharpes', /at least 2 trials/);
    expectValidationError(() => deflatedSharpe({ ...HAND, trialSharpes: Float64Array.of(0.1, Number.NaN) }), 'trialSharpes[1]', /finite/);
    expectValidationError(() => deflatedSharpe({ ...HAND, trialSharpes: Float64Array.of(0.1, 0.2), trials: 0 }), 'trials', /positive/);
  });
});
