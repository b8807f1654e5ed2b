/**
 * Rolling statistics of per-bar returns over a trailing window of `window` bars, by the formulas
 * of metrics.ts (sharpeRatio, excessBeta: the last full window of a curve gives what computeMetrics
 * gives on those bars): at bar t, over r_{t-window+1..t} and the per-bar risk-free returns rf,
 *
 * - volatility = sampleStd(r) x sqrt(ppy);
 * - sharpe = mean(r - rf) / sampleStd(r - rf) x sqrt(ppy), NaN for constant returns;
 * - beta = cov(r - rf, r_b - rf) / var(r_b - rf) against the benchmark's returns, NaN while the
 *   window holds a bar without a benchmark return (before its first price, and bar 0).
 *
 * NaN before the first full window (a numeric kernel: NaN passes through, nothing throws).
 */
import { excessBeta, sharpeRatio } from './metrics.js';
import { sampleStd } from './return-statistics.js';

export interface RollingInput {
  /** Per-bar returns (equityReturns). */
  readonly returns: Float64Array;
  /** The benchmark's per-bar returns on the same bars (NaN where it has none); no beta without. */
  readonly benchmarkReturns?: Float64Array | null;
  readonly window: number;
  readonly periodsPerYear: number;
  /** The risk-free return of each bar (metrics' rf_t); default 0. */
  readonly riskFreeReturns?: Float64Array | null;
}

export interface RollingStatistics {
  readonly window: number;
  readonly sharpe: Float64Array;
  readonly volatility: Float64Array;
  /** Null without benchmark returns. */
  readonly beta: Float64Array | null;
}

/** @example rollingStatistics({ returns, window: 126, periodsPerYear: 252 }).sharpe // NaN for the first 125 bars */
export function rollingStatistics(input: RollingInput): RollingStatistics {
  const { returns, window, periodsPerYear: ppy } = input;
  const n = returns.length;
  const rf = input.riskFreeReturns ?? new Float64Array(n);
  const excess = returns.map((r, t) => r - rf[t]!);
  const sharpe = new Float64Array(n).fill(Number.NaN);
  const volatility = new Float64Array(n).fill(Number.NaN);
  const bench = input.benchmarkReturns ?? null;
  const beta = bench ? new Float64Array(n).fill(Number.NaN) : null;
  for (let t = window - 1; t < n; t++) {
    const x = returns.subarray(t - window + 1, t + 1);
    const xExcess = excess.subarray(t - window + 1, t + 1);
    volatility[t] = sampleStd(x) * Math.sqrt(ppy);
    sharpe[t] = sharpeRatio(x, xExcess, ppy) ?? Number.NaN;
    if (bench && beta) {
      const y = bench.subarray(t - window + 1, t + 1);
      beta[t] = y.some(Number.isNaN)
        ? Number.NaN
        : excessBeta(
            xExcess,
            y.map((v, i) => v - rf[t - window + 1 + i]!),
          );
    }
  }
  return { window, sharpe, volatility, beta };
}

/**
 * r_b,t = p_t / p_{t-1} - 1; NaN at bar 0 and wherever either price is missing.
 * @example priceReturns(Float64Array.of(NaN, 100, 110)) // [NaN, NaN, 0.1]
 */
export function priceReturns(prices: Float64Array): Float64Array {
  return prices.map((p, t) => (t === 0 ? Number.NaN : p / prices[t - 1]! - 1));
}
