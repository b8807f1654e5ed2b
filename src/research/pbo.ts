/**
 * The probability of backtest overfitting (PBO) by combinatorially symmetric cross-validation
 * (CSCV), after D. H. Bailey, J. M. Borwein, M. Lopez de Prado and Q. J. Zhu, "The Probability of
 * Backtest Overfitting", Journal of Computational Finance 20(4), 2017.
 *
 * Input: N configurations (e.g. the combinations of a sweep), each a Float64Array of T per-period
 * returns on the same rows. The T rows are cut into S contiguous blocks (block b holds rows
 * floor(b T / S) .. floor((b + 1) T / S) - 1, so sizes differ by at most one). When S does not
 * divide T, T mod S blocks are one row longer, and the PBO moves with where they fall (on one
 * sweep, 0.27 against 0.34 after dropping the remainder was seen): every result states its split
 * (`split`, `blockRows`) and warns (`warning`); `trim` drops the oldest T mod S rows so that all
 * blocks are equal. For each of the C(S, S/2) ways of taking S/2 blocks as in-sample (IS; the
 * other S/2 are out-of-sample, OOS):
 *
 * - every configuration's performance on IS and OOS rows is its Sharpe ratio there, mean / sample
 *   std (per period; 0 for constant returns, as return-statistics.ts defines them);
 * - n* = the configuration with the best IS Sharpe ratio (the first on ties);
 * - its OOS rank among the N, 1 = worst ... N = best (ties averaged), gives w = rank / (N + 1) and
 *   the logit lambda = ln(w / (1 - w)); lambda <= 0 when n* does no better than the OOS median.
 *
 * PBO = the fraction of splits with lambda <= 0. Splits are enumerated in increasing order of the
 * bitmask whose bit b is set when block b is in-sample (Gosper's hack), and `logits`,
 * `inSample`, `outOfSample` and `chosen` follow that order.
 *
 * Cost: one pass over the N x T returns for per-block sums and sums of squares (of returns
 * centred on each configuration's mean, for precision), then O(N * S) a split with no allocation;
 * S = 16 over 1,000 x 5,000 returns takes about a second on one thread.
 */
import { isConstantSpread, mean, sampleCovariance } from '../backtest/return-statistics.js';
import { ValidationError } from '../errors.js';

/** S when none is given: 12,870 splits. */
export const DEFAULT_BLOCKS = 16;
/** Largest S accepted: C(24, 12) = 2,704,156 splits. */
export const MAX_BLOCKS = 24;

export interface PboOptions {
  /** S, the number of blocks: even, 2 .. MAX_BLOCKS; default 16. */
  readonly blocks?: number;
  /** Drop the oldest T mod S rows, so that every block has T / S rows (default false). */
  readonly trim?: boolean;
}

/** Ordinary least squares of the OOS Sharpe ratio on the IS Sharpe ratio of the chosen configurations. */
export interface DegradationFit {
  readonly slope: number;
  readonly intercept: number;
  readonly rSquared: number;
}

export interface PboResult {
  /** Fraction of splits where the IS-best configuration ranks at or below the OOS median. */
  readonly pbo: number;
  /** lambda of each split. */
  readonly logits: Float64Array;
  /** C(S, S/2). */
  readonly splits: number;
  /** S. */
  readonly blocks: number;
  /** N. */
  readonly configurations: number;
  /** T, the rows used (after `trimmed`). */
  readonly rows: number;
  /** Oldest rows dropped by `trim` (0 without it). */
  readonly trimmed: number;
  /** Rows of the shortest and the longest block. */
  readonly blockRows: { readonly min: number; readonly max: number };
  /** The split in words: `T = 170 rows in S = 16 blocks of 10 or 11 rows`. */
  readonly split: string;
  /** When S does not divide T: the blocks are unequal and the PBO depends on where the longer ones fall. */
  readonly warning: string | null;
  /** Index of the IS-best configuration n* of each split. */
  readonly chosen: Int32Array;
  /** IS Sharpe ratio of n* in each split. */
  readonly inSample: Float64Array;
  /** OOS Sharpe ratio of n* in each split. */
  readonly outOfSample: Float64Array;
  /** OOS on IS regression over the splits (performance degradation): a negative slope is typical of overfitting. */
  readonly degradation: DegradationFit;
  /** Fraction of splits where n* has a negative OOS Sharpe ratio. */
  readonly probabilityOfLoss: number;
}

/**
 * PBO by CSCV (see the module doc). Throws a ValidationError for fewer than 2 configurations, an
 * odd S, unequal lengths, fewer than 2 rows a block or a non-finite return.
 * @example const { pbo, logits } = probabilityOfBacktestOverfitting(sweepReturns, { blocks: 16 })
 */
export function probabilityOfBacktestOverfitting(all: readonly Float64Array[], options: PboOptions = {}): PboResult {
  const blocks = options.blocks ?? DEFAULT_BLOCKS;
  validate(all, blocks);
  const trimmed = options.trim ? all[0]!.length % blocks : 0;
  const returns = trimmed > 0 ? all.map((series) => series.subarray(trimmed)) : all;
  const n = returns.length;
  const rows = returns[0]!.length;
  const half = blocks / 2;
  const { counts, centres, sums, squares, totalSums, totalSquares } = blockMoments(returns, blocks);

  const splits = binomial(blocks, half);
  const logits = new Float64Array(splits);
  const chosen = new Int32Array(splits);
  const inSample = new Float64Array(splits);
  const outOfSample = new Float64Array(splits);
  const isBlocks = new Int32Array(half);
  const oos = new Float64Array(n);
  let below = 0;
  let losses = 0;
  let mask = (1 << half) - 1;
  for (let split = 0; split < splits; split++) {
    let isRows = 0;
    for (let m = mask, j = 0; m !== 0; m &= m - 1, j++) {
      const b = 31 - Math.clz32(m & -m);
      isBlocks[j] = b;
      isRows += counts[b]!;
    }
    const oosRows = rows - isRows;
    let best = 0;
    let bestIs = -Infinity;
    for (let i = 0; i < n; i++) {
      const base = i * blocks;
      let s = 0;
      let q = 0;
      for (let j = 0; j < half; j++) {
        s += sums[base + isBlocks[j]!]!;
        q += squares[base + isBlocks[j]!]!;
      }
      const isSharpe = sharpeFromSums(centres[i]!, s, q, isRows);
      oos[i] = sharpeFromSums(centres[i]!, totalSums[i]! - s, totalSquares[i]! - q, oosRows);
      if (isSharpe > bestIs || i === 0) {
        best = i;
        bestIs = isSharpe;
      }
    }
    const value = oos[best]!;
    let less = 0;
    let equal = 0;
    for (let i = 0; i < n; i++) {
      if (oos[i]! < value) less++;
      else if (oos[i] === value) equal++;
    }
    const rank = less + (equal + 1) / 2; // equal counts n* itself
    const logit = Math.log(rank / (n + 1 - rank)); // = ln(w / (1 - w)), w = rank / (N + 1)
    logits[split] = logit;
    chosen[split] = best;
    inSample[split] = bestIs;
    outOfSample[split] = value;
    if (logit <= 0) below++;
    if (value < 0) losses++;
    // Gosper's hack: the next larger integer with the same number of set bits.
    const low = mask & -mask;
    const ripple = mask + low;
    mask = (((ripple ^ mask) >>> 2) / low) | ripple;
  }
  return {
    pbo: below / splits,
    logits,
    splits,
    blocks,
    configurations: n,
    rows,
    trimmed,
    ...describeSplit(rows, blocks, trimmed),
    chosen,
    inSample,
    outOfSample,
    degradation: degradationFit(inSample, outOfSample),
    probabilityOfLoss: losses / splits,
  };
}

function describeSplit(rows: number, blocks: number, trimmed: number): Pick<PboResult, 'blockRows' | 'split' | 'warning'> {
  const min = Math.floor(rows / blocks);
  const longer = rows % blocks;
  const max = longer > 0 ? min + 1 : min;
  const dropped = trimmed > 0 ? ` (the oldest ${trimmed} of ${rows + trimmed} rows dropped)` : '';
  return {
    blockRows: { min, max },
    split: `T = ${rows} rows in S = ${blocks} blocks of ${min === max ? min : `${min} or ${max}`} rows${dropped}`,
    warning:
      longer > 0
        ? `S = ${blocks} does not divide T = ${rows}: ${longer} blocks have one row more than the others, and the PBO moves with where they fall; trim (drop the oldest ${longer} rows) gives equal blocks`
        : null,
  };
}

function validate(returns: readonly Float64Array[], blocks: number): void {
  if (returns.length < 2) {
    throw new ValidationError('returns', `PBO compares configurations: needs at least 2; got ${returns.length}`);
  }
  if (!Number.isInteger(blocks) || blocks < 2 || blocks % 2 !== 0 || blocks > MAX_BLOCKS) {
    throw new ValidationError('blocks', `S must be an even integer from 2 to ${MAX_BLOCKS} (16 is usual); got ${blocks}`);
  }
  const rows = returns[0]!.length;
  returns.forEach((series, i) => {
    if (series.length !== rows) {
      throw new ValidationError(
        `returns[${i}]`,
        `has ${series.length} rows and returns[0] has ${rows}: align the configurations on the same periods`,
      );
    }
  });
  if (rows < 2 * blocks) {
    throw new ValidationError(
      'returns',
      `CSCV with S=${blocks} needs at least ${2 * blocks} rows; this sweep has ${rows}: use a smaller S (even) or a longer period`,
    );
  }
  returns.forEach((series, i) => {
    for (let t = 0; t < rows; t++) {
      if (!Number.isFinite(series[t]!)) {
        throw new ValidationError(
          `returns[${i}][${t}]`,
          `is ${series[t]}: every configuration needs a return on every row (align them first, e.g. 0 while flat)`,
        );
      }
    }
  });
}

/**
 * Per configuration i and block b (index i * S + b): the sum and the sum of squares of the returns
 * minus the configuration's mean (its centre), with the totals over all blocks.
 */
function blockMoments(returns: readonly Float64Array[], blocks: number) {
  const n = returns.length;
  const rows = returns[0]!.length;
  const counts = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) counts[b] = blockStart(b + 1, rows, blocks) - blockStart(b, rows, blocks);
  const centres = new Float64Array(n);
  const sums = new Float64Array(n * blocks);
  const squares = new Float64Array(n * blocks);
  const totalSums = new Float64Array(n);
  const totalSquares = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const series = returns[i]!;
    const centre = mean(series);
    centres[i] = centre;
    for (let b = 0; b < blocks; b++) {
      let s = 0;
      let q = 0;
      for (let t = blockStart(b, rows, blocks), end = blockStart(b + 1, rows, blocks); t < end; t++) {
        const d = series[t]! - centre;
        s += d;
        q += d * d;
      }
      sums[i * blocks + b] = s;
      squares[i * blocks + b] = q;
      totalSums[i] = totalSums[i]! + s;
      totalSquares[i] = totalSquares[i]! + q;
    }
  }
  return { counts, centres, sums, squares, totalSums, totalSquares };
}

function blockStart(b: number, rows: number, blocks: number): number {
  return Math.floor((b * rows) / blocks);
}

/** mean / sample std of `count` values x from s = sum(x - c) and q = sum((x - c)^2); 0 when constant. */
function sharpeFromSums(centre: number, s: number, q: number, count: number): number {
  const m = centre + s / count;
  const std = Math.sqrt(Math.max(0, (q - (s * s) / count) / (count - 1)));
  return isConstantSpread(m, std) ? 0 : m / std;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

function degradationFit(x: Float64Array, y: Float64Array): DegradationFit {
  const vx = sampleCovariance(x, x);
  const cxy = sampleCovariance(x, y);
  const slope = cxy / vx;
  return { slope, intercept: mean(y) - slope * mean(x), rSquared: (cxy * cxy) / (vx * sampleCovariance(y, y)) };
}
