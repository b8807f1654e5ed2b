/**
 * The distribution of per-bar returns against a normal with the same mean and sample standard
 * deviation: a histogram of `bins` equal bins from the smallest to the largest return, and for each
 * bin the count a normal would put there, n x width x pdf(bin centre) (the fat tails of real returns
 * show as bars above the curve at both ends). Skewness and excess kurtosis come with it, by
 * return-statistics.ts's definitions (those of metrics.ts).
 */
import { excessKurtosis, mean, sampleStd, skewness } from './return-statistics.js';

export interface ReturnDistribution {
  /** Bin centres (returns as fractions), counts of returns per bin, the normal's expected counts. */
  readonly centres: Float64Array;
  readonly counts: Float64Array;
  readonly normal: Float64Array;
  readonly width: number;
  readonly mean: number;
  readonly std: number;
  readonly skewness: number;
  readonly excessKurtosis: number;
}

/** @example returnDistribution(equityReturns(equity, 1e6), 60).counts // 60 counts summing to the bar count */
export function returnDistribution(returns: Float64Array, bins = 60): ReturnDistribution {
  const values = returns.filter((r) => Number.isFinite(r));
  const lo = values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const hi = values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  // A constant series still gets one bin of some width.
  const width = hi > lo ? (hi - lo) / bins : Math.max(Math.abs(lo), 1e-9);
  const count = hi > lo ? bins : 1;
  const counts = new Float64Array(count);
  for (const r of values) counts[Math.min(count - 1, Math.floor((r - lo) / width))]!++;
  const m = mean(values);
  const std = sampleStd(values);
  const centres = Float64Array.from({ length: count }, (_, i) => lo + (i + 0.5) * width);
  const normal = centres.map((x) => (values.length * width * Math.exp(-0.5 * ((x - m) / std) ** 2)) / (std * Math.sqrt(2 * Math.PI)));
  return { centres, counts, normal, width, mean: m, std, skewness: skewness(values), excessKurtosis: excessKurtosis(values) };
}
