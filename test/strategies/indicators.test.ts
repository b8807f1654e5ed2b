import { describe, expect, it } from 'vitest';
import {
  ewmaVolatility,
  rollingMax,
  rollingMean,
  rollingMin,
  rollingStd,
  simpleReturns,
  trailingReturn,
} from '../../src/strategies/indicators.js';
import { createRandom } from '../../src/util/random.js';

const f = (...values: number[]) => Float64Array.from(values);
const list = (x: Float64Array) => [...x];

/**
 * Python's math.fsum(window) / n, independently: each double is m x 2^e exactly; the sum is exact
 * in BigInt at the smallest exponent, and Number(BigInt) rounds it correctly (ties to even).
 */
function fsumMean(window: number[]): number {
  const parts = window.map((v) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, v);
    const bits = view.getBigUint64(0);
    const exponent = Number((bits >> 52n) & 0x7ffn);
    const mantissa = (bits & ((1n << 52n) - 1n)) | (exponent === 0 ? 0n : 1n << 52n);
    return { m: v < 0 ? -mantissa : mantissa, e: (exponent === 0 ? 1 : exponent) - 1075 };
  });
  const low = Math.min(...parts.map((p) => p.e));
  const total = parts.reduce((sum, p) => sum + (p.m << BigInt(p.e - low)), 0n);
  // total < 2^60 here: Number() rounds it correctly, the power-of-two scaling is exact.
  return (Number(total) * 2 ** low) / window.length;
}

describe('rollingMean', () => {
  it('averages each full window, NaN before and around missing values', () => {
    expect(list(rollingMean(f(1, 2, 3, 4), 2))).toEqual([Number.NaN, 1.5, 2.5, 3.5]);
    expect(list(rollingMean(f(1, Number.NaN, 3, 4, 5), 2))).toEqual([Number.NaN, Number.NaN, Number.NaN, 3.5, 4.5]);
  });

  it('equals fsum(window) / n exactly over a long series of 2-decimal prices (no drift)', () => {
    const random = createRandom(3);
    const prices: number[] = [];
    let p = 100;
    for (let i = 0; i < 6_000; i++) prices.push((p = Math.max(1, Math.round((p + random.normal()) * 100) / 100)));
    const means = rollingMean(Float64Array.from(prices), 100);
    for (let t = 99; t < prices.length; t++) expect(means[t], `bar ${t}`).toBe(fsumMean(prices.slice(t - 99, t + 1)));
  });

  it('gives exactly equal means for windows with equal sums, where a naive running sum drifts', () => {
    const x = f(0.1, 0.2, 0.3, 0.1, 0.2, 0.3, 0.1, 0.2, 0.3);
    const means = rollingMean(x, 3);
    expect(means[2]).toBe(means[5]);
    expect(means[5]).toBe(means[8]);
  });
});

describe('rolling extremes, returns, volatility', () => {
  it('rollingMax and rollingMin over the last n values, NaN while a NaN is in the window', () => {
    const x = f(3, 1, 4, 1, 5, Number.NaN, 2, 6, 5);
    expect(list(rollingMax(x, 3))).toEqual([Number.NaN, Number.NaN, 4, 4, 5, Number.NaN, Number.NaN, Number.NaN, 6]);
    expect(list(rollingMin(x, 3))).toEqual([Number.NaN, Number.NaN, 1, 1, 1, Number.NaN, Number.NaN, Number.NaN, 2]);
  });

  it('simple and trailing returns (12-1 style skip)', () => {
    expect(list(simpleReturns(f(100, 110, 99)))).toEqual([Number.NaN, 0.10000000000000009, -0.09999999999999998]);
    // t = 3: x[3 - 1] / x[3 - 3] - 1 = 120 / 100 - 1
    expect(list(trailingReturn(f(100, 110, 120, 130, 150), 3, 1))).toEqual([
      Number.NaN,
      Number.NaN,
      Number.NaN,
      0.19999999999999996,
      0.18181818181818188,
    ]);
  });

  it('rollingStd is the sample standard deviation of each window', () => {
    const std = rollingStd(f(2, 4, 4, 4, 5, 5, 7, 9), 8);
    // mean 5, squared deviations sum 32, n - 1 = 7
    expect(std[7]).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(rollingStd(f(1, 2, 3, 10), 3)[3]).toBeCloseTo(Math.sqrt(((2 - 5) ** 2 + (3 - 5) ** 2 + (10 - 5) ** 2) / 2), 12);
  });

  it('ewmaVolatility follows the EWMA recursion with delta = com / (1 + com)', () => {
    const r = f(Number.NaN, 0.01, -0.02, 0.03);
    const vol = ewmaVolatility(r, 1, 1); // delta 0.5
    const v1 = 0.01 ** 2;
    const v2 = 0.5 * v1 + 0.5 * 0.02 ** 2;
    const v3 = 0.5 * v2 + 0.5 * 0.03 ** 2;
    expect(list(vol)).toEqual([Number.NaN, Math.sqrt(v1), Math.sqrt(v2), Math.sqrt(v3)]);
  });
});
