/**
 * Rolling-window kernels over one price series (a Float64Array column of a panel). Pure, O(n),
 * NaN in, NaN out: a window holding any NaN (a bar the symbol did not have) gives NaN, never an
 * error. Value at index t uses x[t - window + 1 .. t] only: no look-ahead by construction.
 */

/**
 * Rolling mean with an exact running sum: a double-double accumulator (TwoSum, Knuth) renormalised
 * after every step, so the window sum equals math.fsum of the window for prices with a bounded
 * number of decimals, and the mean is fsum(window) / n exactly as an event-driven backtester
 * computes it. A drifting running sum flips crossovers when two averages tie exactly.
 * @example rollingMean(Float64Array.of(1, 2, 3, 4), 2) // [NaN, 1.5, 2.5, 3.5]
 */
export function rollingMean(x: Float64Array, window: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  let hi = 0;
  let lo = 0;
  let missing = 0;
  const add = (v: number): void => {
    // TwoSum(hi, v): s + e === hi + v exactly.
    const s = hi + v;
    const bb = s - hi;
    const e = hi - (s - bb) + (v - bb);
    lo += e;
    // Fast2Sum renormalisation: hi is the correctly rounded value of hi + lo.
    hi = s + lo;
    lo -= hi - s;
  };
  for (let t = 0; t < x.length; t++) {
    const v = x[t]!;
    if (Number.isNaN(v)) missing++;
    else add(v);
    if (t >= window) {
      const old = x[t - window]!;
      if (Number.isNaN(old)) missing--;
      else add(-old);
    }
    if (t >= window - 1 && missing === 0) out[t] = hi / window;
  }
  return out;
}

/** Rolling maximum (monotonic deque). @example rollingMax(Float64Array.of(1, 3, 2), 2) // [NaN, 3, 3] */
export function rollingMax(x: Float64Array, window: number): Float64Array {
  return rollingExtreme(x, window, (a, b) => a >= b);
}

/** Rolling minimum (monotonic deque). */
export function rollingMin(x: Float64Array, window: number): Float64Array {
  return rollingExtreme(x, window, (a, b) => a <= b);
}

function rollingExtreme(x: Float64Array, window: number, dominates: (a: number, b: number) => boolean): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  const deque = new Int32Array(x.length);
  let head = 0;
  let tail = 0;
  let lastNaN = -1;
  for (let t = 0; t < x.length; t++) {
    const v = x[t]!;
    if (Number.isNaN(v)) lastNaN = t;
    else {
      while (tail > head && dominates(v, x[deque[tail - 1]!]!)) tail--;
      deque[tail++] = t;
    }
    while (tail > head && deque[head]! <= t - window) head++;
    if (t >= window - 1 && lastNaN <= t - window && tail > head) out[t] = x[deque[head]!]!;
  }
  return out;
}

/** Simple returns x[t] / x[t-1] - 1 (NaN at 0 and next to a NaN). */
export function simpleReturns(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  for (let t = 1; t < x.length; t++) out[t] = x[t]! / x[t - 1]! - 1;
  return out;
}

/**
 * Return over a window ending `skip` bars ago: x[t - skip] / x[t - lookback] - 1, e.g. the 12-1
 * momentum of Jegadeesh and Titman (lookback 252, skip 21 on daily bars).
 */
export function trailingReturn(x: Float64Array, lookback: number, skip = 0): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  for (let t = lookback; t < x.length; t++) out[t] = x[t - skip]! / x[t - lookback]! - 1;
  return out;
}

/**
 * Sample standard deviation (n - 1) of the last `window` values; NaN while the window holds a NaN.
 * Welford-style update on add and remove keeps it stable over long series.
 */
export function rollingStd(x: Float64Array, window: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  let count = 0;
  let mean = 0;
  let m2 = 0;
  let missing = 0;
  for (let t = 0; t < x.length; t++) {
    const v = x[t]!;
    if (Number.isNaN(v)) missing++;
    else {
      count++;
      const delta = v - mean;
      mean += delta / count;
      m2 += delta * (v - mean);
    }
    if (t >= window) {
      const old = x[t - window]!;
      if (Number.isNaN(old)) missing--;
      else {
        count--;
        if (count === 0) {
          mean = 0;
          m2 = 0;
        } else {
          const delta = old - mean;
          mean -= delta / count;
          m2 -= delta * (old - mean);
        }
      }
    }
    if (t >= window - 1 && missing === 0 && count > 1) out[t] = Math.sqrt(Math.max(0, m2) / (count - 1));
  }
  return out;
}

/**
 * Exponentially weighted volatility of returns, sqrt of the EWMA of squared returns with
 * centre of mass `com` (weight (1 - delta) * delta^i, delta = com / (1 + com)), as in
 * Moskowitz, Ooi and Pedersen (2012) with com = 60 days. NaN until `minPeriods` returns were seen;
 * NaN returns are skipped (the estimate carries over).
 */
export function ewmaVolatility(returns: Float64Array, com: number, minPeriods = Math.ceil(com)): Float64Array {
  const out = new Float64Array(returns.length).fill(Number.NaN);
  const delta = com / (1 + com);
  let variance = 0;
  let seen = 0;
  for (let t = 0; t < returns.length; t++) {
    const r = returns[t]!;
    if (!Number.isNaN(r)) {
      variance = seen === 0 ? r * r : delta * variance + (1 - delta) * r * r;
      seen++;
    }
    if (seen >= minPeriods) out[t] = Math.sqrt(variance);
  }
  return out;
}
