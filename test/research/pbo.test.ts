/**
 * CSCV against a brute-force version written here in the most direct way (rows of each split
 * concatenated, Sharpe ratios computed from scratch, ranks by sorting), and its statistical
 * behaviour on noise and on one genuinely better configuration.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { probabilityOfBacktestOverfitting, type PboResult } from '../../src/research/pbo.js';
import { createRandom } from '../../src/util/random.js';
import { expectValidationError } from '../helpers/validation-error.js';

/** N configurations x T rows of normal returns, configuration i with mean means[i] (default 0). */
function randomReturns(seed: number, n: number, rows: number, options: { means?: number[]; std?: number } = {}): Float64Array[] {
  const random = createRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const mu = options.means?.[i] ?? 0;
    const sigma = options.std ?? 1;
    return Float64Array.from({ length: rows }, () => mu + sigma * random.normal());
  });
}

function sharpe(values: number[]): number {
  const m = values.reduce((sum, v) => sum + v, 0) / values.length;
  const variance = values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - 1);
  return m / Math.sqrt(variance);
}

interface BruteForce {
  logits: number[];
  chosen: number[];
  inSample: number[];
  outOfSample: number[];
  pbo: number;
  probabilityOfLoss: number;
}

/** CSCV by the definition: every mask with S/2 bits set, in increasing order. */
function bruteForceCscv(returns: Float64Array[], blocks: number): BruteForce {
  const n = returns.length;
  const rows = returns[0]!.length;
  const blockOf = (t: number) => {
    for (let b = 0; b < blocks; b++) if (t < Math.floor(((b + 1) * rows) / blocks)) return b;
    throw new Error('unreachable');
  };
  const out: BruteForce = { logits: [], chosen: [], inSample: [], outOfSample: [], pbo: 0, probabilityOfLoss: 0 };
  for (let mask = 0; mask < 2 ** blocks; mask++) {
    let bits = 0;
    for (let b = 0; b < blocks; b++) if (mask & (1 << b)) bits++;
    if (bits !== blocks / 2) continue;
    const isPerf: number[] = [];
    const oosPerf: number[] = [];
    for (const series of returns) {
      const isRows: number[] = [];
      const oosRows: number[] = [];
      for (let t = 0; t < rows; t++) (mask & (1 << blockOf(t)) ? isRows : oosRows).push(series[t]!);
      isPerf.push(sharpe(isRows));
      oosPerf.push(sharpe(oosRows));
    }
    const best = isPerf.indexOf(Math.max(...isPerf));
    const sorted = [...oosPerf].sort((a, b) => a - b);
    const positions = sorted.flatMap((v, k) => (v === oosPerf[best] ? [k + 1] : []));
    const rank = positions.reduce((sum, p) => sum + p, 0) / positions.length;
    const w = rank / (n + 1);
    out.logits.push(Math.log(w / (1 - w)));
    out.chosen.push(best);
    out.inSample.push(isPerf[best]!);
    out.outOfSample.push(oosPerf[best]!);
  }
  out.pbo = out.logits.filter((l) => l <= 0).length / out.logits.length;
  out.probabilityOfLoss = out.outOfSample.filter((v) => v < 0).length / out.outOfSample.length;
  return out;
}

function expectSameAsBruteForce(fast: PboResult, brute: BruteForce): void {
  expect(fast.splits).toBe(brute.logits.length);
  expect(Array.from(fast.chosen)).toEqual(brute.chosen);
  expect(fast.pbo).toBe(brute.pbo);
  expect(fast.probabilityOfLoss).toBe(brute.probabilityOfLoss);
  for (let k = 0; k < fast.splits; k++) {
    expect(fast.logits[k]).toBeCloseTo(brute.logits[k]!, 12);
    expect(fast.inSample[k]).toBeCloseTo(brute.inSample[k]!, 11);
    expect(fast.outOfSample[k]).toBeCloseTo(brute.outOfSample[k]!, 11);
  }
}

describe('probabilityOfBacktestOverfitting', () => {
  it('matches a brute-force CSCV on small random matrices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.integer({ min: 5, max: 20 }),
        fc.integer({ min: 40, max: 200 }),
        fc.constantFrom(4, 6, 8),
        (seed, n, rows, blocks) => {
          // Different means and scales, so rankings are not all noise.
          const random = createRandom(seed ^ 0x5eed);
          const means = Array.from({ length: n }, () => 0.1 * random.normal());
          const returns = randomReturns(seed, n, rows, { means, std: 0.5 + random.next() });
          expectSameAsBruteForce(probabilityOfBacktestOverfitting(returns, { blocks }), bruteForceCscv(returns, blocks));
        },
      ),
      { seed: 20170401, numRuns: 40 },
    );
  });

  it('averages tied out-of-sample ranks (duplicated configurations)', () => {
    const base = randomReturns(11, 6, 60);
    const returns = [base[0]!, base[0]!, base[1]!, base[2]!, base[2]!, base[3]!, base[4]!, base[5]!];
    const fast = probabilityOfBacktestOverfitting(returns, { blocks: 6 });
    expectSameAsBruteForce(fast, bruteForceCscv(returns, 6));
    // Some splits choose a duplicated configuration (the first of the pair: IS ties go to the lower index).
    expect(Array.from(fast.chosen).some((i) => i === 0 || i === 3)).toBe(true);
    expect(Array.from(fast.chosen).some((i) => i === 1 || i === 4)).toBe(false);
  });

  it('reports C(S, S/2) splits in the order of their bitmasks, complements included', () => {
    const result = probabilityOfBacktestOverfitting(randomReturns(3, 4, 64), { blocks: 16 });
    expect(result.splits).toBe(12_870);
    expect(result.logits).toHaveLength(12_870);
    expect(result).toMatchObject({ blocks: 16, configurations: 4, rows: 64 });
    const small = probabilityOfBacktestOverfitting(randomReturns(3, 4, 16), { blocks: 4 });
    expect(small.splits).toBe(6); // masks 0011, 0101, 0110, 1001, 1010, 1100
  });

  it('fits the degradation regression of OOS on IS Sharpe ratios', () => {
    const result = probabilityOfBacktestOverfitting(randomReturns(5, 30, 400), { blocks: 8 });
    const x = Array.from(result.inSample);
    const y = Array.from(result.outOfSample);
    const mx = x.reduce((s, v) => s + v, 0) / x.length;
    const my = y.reduce((s, v) => s + v, 0) / y.length;
    let sxx = 0;
    let sxy = 0;
    let syy = 0;
    for (let k = 0; k < x.length; k++) {
      sxx += (x[k]! - mx) ** 2;
      sxy += (x[k]! - mx) * (y[k]! - my);
      syy += (y[k]! - my) ** 2;
    }
    expect(result.degradation.slope).toBeCloseTo(sxy / sxx, 12);
    expect(result.degradation.intercept).toBeCloseTo(my - (sxy / sxx) * mx, 12);
    expect(result.degradation.rSquared).toBeCloseTo((sxy * sxy) / (sxx * syy), 12);
  });

  it('gives a PBO near 0.5 for configurations of pure noise', () => {
    // One data set gives one draw of a widely spread PBO (the splits share the data: over 60 seeds
    // the 5% and 95% quantiles were 0.24 and 0.76), so the mean over seeds is what sits at 0.5.
    const values: number[] = [];
    for (let seed = 1; seed <= 10; seed++) {
      const { pbo } = probabilityOfBacktestOverfitting(randomReturns(seed, 50, 1000), { blocks: 16 });
      expect(pbo).toBeGreaterThan(0.1);
      expect(pbo).toBeLessThan(0.9);
      values.push(pbo);
    }
    expect(Math.abs(values.reduce((s, v) => s + v, 0) / values.length - 0.5)).toBeLessThan(0.1);
  });

  it('gives a PBO near 0 when one configuration is clearly better', () => {
    // +0.15 a period with std 1: ~4.7 standard errors over 1000 in-sample rows. (+0.1, ~3 standard
    // errors, is often beaten in-sample by the best of the noise and gave PBO up to 0.19.)
    for (let seed = 1; seed <= 5; seed++) {
      const means = Array.from({ length: 20 }, (_, i) => (i === 3 ? 0.15 : 0));
      const result = probabilityOfBacktestOverfitting(randomReturns(seed, 20, 2000, { means }), { blocks: 16 });
      expect(result.pbo).toBeLessThan(0.05);
      expect(result.probabilityOfLoss).toBeLessThan(0.05);
    }
  });

  it('states its block split, and warns when S does not divide T (the PBO then depends on where the longer blocks fall)', () => {
    const returns = randomReturns(4, 10, 170);
    const uneven = probabilityOfBacktestOverfitting(returns, { blocks: 16 });
    expect(uneven).toMatchObject({ rows: 170, trimmed: 0, blockRows: { min: 10, max: 11 } });
    expect(uneven.split).toBe('T = 170 rows in S = 16 blocks of 10 or 11 rows');
    expect(uneven.warning).toBe(
      'S = 16 does not divide T = 170: 10 blocks have one row more than the others, and the PBO moves with where they fall; trim (drop the oldest 10 rows) gives equal blocks',
    );
    const trimmed = probabilityOfBacktestOverfitting(returns, { blocks: 16, trim: true });
    expect(trimmed).toMatchObject({ rows: 160, trimmed: 10, blockRows: { min: 10, max: 10 }, warning: null });
    expect(trimmed.split).toBe('T = 160 rows in S = 16 blocks of 10 rows (the oldest 10 of 170 rows dropped)');
    expect(trimmed.pbo).toBe(
      probabilityOfBacktestOverfitting(
        returns.map((r) => r.slice(10)),
        { blocks: 16 },
      ).pbo,
    );
    const even = probabilityOfBacktestOverfitting(randomReturns(4, 10, 160), { blocks: 16, trim: true });
    expect(even).toMatchObject({ rows: 160, trimmed: 0, warning: null, split: 'T = 160 rows in S = 16 blocks of 10 rows' });
  });

  it('does not mutate its input', () => {
    const returns = randomReturns(9, 5, 80);
    const copy = returns.map((series) => series.slice());
    probabilityOfBacktestOverfitting(returns, { blocks: 8 });
    expect(returns).toEqual(copy);
  });

  it('refuses fewer than 2 configurations', () => {
    expectValidationError(() => probabilityOfBacktestOverfitting(randomReturns(1, 1, 100)), 'returns', /at least 2; got 1/);
  });

  it('refuses an odd, too small or too large S', () => {
    const returns = randomReturns(1, 3, 100);
    for (const blocks of [7, 0, 1, 26, 2.5]) {
      expectValidationError(() => probabilityOfBacktestOverfitting(returns, { blocks }), 'blocks', /even integer from 2 to 24/);
    }
  });

  it('refuses fewer than 2 rows a block, saying what to do', () => {
    expectValidationError(
      () => probabilityOfBacktestOverfitting(randomReturns(1, 3, 20)),
      'returns',
      'returns: CSCV with S=16 needs at least 32 rows; this sweep has 20: use a smaller S (even) or a longer period',
    );
    expect(probabilityOfBacktestOverfitting(randomReturns(1, 3, 32)).splits).toBe(12_870);
  });

  it('refuses configurations of unequal lengths', () => {
    const returns = [...randomReturns(1, 2, 100), new Float64Array(99)];
    expectValidationError(() => probabilityOfBacktestOverfitting(returns, { blocks: 4 }), 'returns[2]', /99 rows.*100/);
  });

  it('refuses a missing (NaN) return', () => {
    const returns = randomReturns(1, 3, 100);
    returns[1]![42] = Number.NaN;
    expectValidationError(() => probabilityOfBacktestOverfitting(returns, { blocks: 4 }), 'returns[1][42]', /NaN.*every row/);
  });
});
