/**
 * Moments of a series of per-bar returns, as plain numeric kernels over Float64Array: no checks,
 * no throwing; NaN in, NaN out, and NaN where a statistic is undefined (too few values, zero
 * variance). Conventions:
 *
 * - `mean(x)` = sum(x) / n.
 * - `sampleStd(x)` = sqrt(sum((x - mean)^2) / (n - 1)) (Bessel-corrected, as pandas `std()`).
 * - `sampleCovariance(x, y)` = sum((x - mean_x)(y - mean_y)) / (n - 1).
 * - Population central moments m_k = sum((x - mean)^k) / n, then
 *   `skewness(x)` = g1 = m3 / m2^1.5 and `excessKurtosis(x)` = g2 = m4 / m2^2 - 3
 *   (the biased estimators, scipy.stats `skew` / `kurtosis` with bias=True; pandas applies a
 *   small-sample adjustment on top, G1 and G2, which these are not).
 * - `downsideDeviation(x, target)` = sqrt(sum(min(x - target, 0)^2) / n) over all n values
 *   (quantstats' Sortino denominator).
 * - Constant returns: a series whose sample std is at most CONSTANT_RETURNS_TOLERANCE (1e-9) times
 *   its |mean| (or is 0) is constant. Rounding leaves a std of ~1e-16 x |mean| on a truly constant
 *   series (100 returns of 0.001 give ~6.5e-19), which would make mean / std about 1e15; no real
 *   return series has a spread that small. Its Sharpe ratio is 0 (`sharpeRatio`).
 */

/** Relative tolerance on the sample std under which returns count as constant (see the module doc). */
export const CONSTANT_RETURNS_TOLERANCE = 1e-9;

/** @example mean(Float64Array.of(1, 2, 6)) // 3 */
export function mean(x: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i]!;
  return x.length > 0 ? sum / x.length : Number.NaN;
}

/** @example sampleStd(Float64Array.of(1, 2, 3)) // 1 */
export function sampleStd(x: Float64Array): number {
  return Math.sqrt(sampleCovariance(x, x));
}

/** `x` and `y` of equal length. @example sampleCovariance(Float64Array.of(1, 2, 3), Float64Array.of(2, 4, 6)) // 2 */
export function sampleCovariance(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const mx = mean(x);
  const my = mean(y);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (x[i]! - mx) * (y[i]! - my);
  return sum / (n - 1);
}

/** std <= CONSTANT_RETURNS_TOLERANCE x |mean| (NaN included): a constant series. @example isConstantSpread(0.001, 6.5e-19) // true */
export function isConstantSpread(mean: number, std: number): boolean {
  return !(std > CONSTANT_RETURNS_TOLERANCE * Math.abs(mean));
}

/**
 * Per-period Sharpe ratio mean / sample std; 0 for constant returns, NaN with fewer than 2 values or a NaN.
 * @example sharpeRatio(Float64Array.of(0.01, -0.02, 0.03)) // 0.2649
 */
export function sharpeRatio(x: Float64Array): number {
  const m = mean(x);
  const std = sampleStd(x);
  if (Number.isNaN(std)) return Number.NaN;
  return isConstantSpread(m, std) ? 0 : m / std;
}

/**
 * Per-bar returns of an equity curve, the first against the initial capital.
 * @example equityReturns(Float64Array.of(110, 99), 100) // [0.1, -0.1]
 */
export function equityReturns(equity: Float64Array, initialCash: number): Float64Array {
  const returns = new Float64Array(equity.length);
  let previous = initialCash;
  for (let t = 0; t < equity.length; t++) {
    returns[t] = equity[t]! / previous - 1;
    previous = equity[t]!;
  }
  return returns;
}

/**
 * Population central moments m2, m3, m4 (m_k = sum((x - mean)^k) / n) in one pass, powers by
 * multiplication (d^3 = d^2 d, d^4 = d^2 d^2: ten times faster than `**`, which a sweep would pay
 * per combination; the last bit can differ from `**`).
 * @example centralMoments(Float64Array.of(1, 3)).m2 // 1
 */
export function centralMoments(x: Float64Array): { readonly m2: number; readonly m3: number; readonly m4: number } {
  const m = mean(x);
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i]! - m;
    const d2 = d * d;
    s2 += d2;
    s3 += d2 * d;
    s4 += d2 * d2;
  }
  const n = x.length > 0 ? x.length : Number.NaN;
  return { m2: s2 / n, m3: s3 / n, m4: s4 / n };
}

/** Skewness g1 = m3 / m2^1.5 and excess kurtosis g2 = m4 / m2^2 - 3; both NaN with zero variance. */
export function shapeMoments(x: Float64Array): { readonly skewness: number; readonly excessKurtosis: number } {
  const { m2, m3, m4 } = centralMoments(x);
  return m2 > 0 ? { skewness: m3 / m2 ** 1.5, excessKurtosis: m4 / m2 ** 2 - 3 } : { skewness: Number.NaN, excessKurtosis: Number.NaN };
}

/** g1 = m3 / m2^1.5; NaN with zero variance. @example skewness(Float64Array.of(0, 0, 3)) // 0.7071 (= 1/sqrt(2)) */
export function skewness(x: Float64Array): number {
  return shapeMoments(x).skewness;
}

/** g2 = m4 / m2^2 - 3; NaN with zero variance. @example excessKurtosis(Float64Array.of(-1, 1)) // -2 */
export function excessKurtosis(x: Float64Array): number {
  return shapeMoments(x).excessKurtosis;
}

/** sqrt(sum(min(x - target, 0)^2) / n). @example downsideDeviation(Float64Array.of(0.1, -0.2), 0) // 0.1414 (= sqrt(0.04 / 2)) */
export function downsideDeviation(x: Float64Array, target = 0): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.min(x[i]! - target, 0);
    sum += d * d;
  }
  return x.length > 0 ? Math.sqrt(sum / x.length) : Number.NaN;
}
