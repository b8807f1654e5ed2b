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
 */

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

/** Population central moment m_k = sum((x - mean)^k) / n. @example centralMoment(Float64Array.of(1, 3), 2) // 1 */
export function centralMoment(x: Float64Array, k: number): number {
  const m = mean(x);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += (x[i]! - m) ** k;
  return x.length > 0 ? sum / x.length : Number.NaN;
}

/** g1 = m3 / m2^1.5; NaN with zero variance. @example skewness(Float64Array.of(0, 0, 3)) // 0.7071 (= 1/sqrt(2)) */
export function skewness(x: Float64Array): number {
  const m2 = centralMoment(x, 2);
  return m2 > 0 ? centralMoment(x, 3) / m2 ** 1.5 : Number.NaN;
}

/** g2 = m4 / m2^2 - 3; NaN with zero variance. @example excessKurtosis(Float64Array.of(-1, 1)) // -2 */
export function excessKurtosis(x: Float64Array): number {
  const m2 = centralMoment(x, 2);
  return m2 > 0 ? centralMoment(x, 4) / m2 ** 2 - 3 : Number.NaN;
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
