import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { maTrend, type MaTrendParams } from '../../src/strategies/ma-trend.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1); // calendar days from 2024-01-01: Jan 31 is row 30, Feb 29 row 59

function makePanel(series: Record<string, readonly number[]>): StrategyPanel {
  const columns = Object.values(series).map((xs) => Float64Array.from(xs));
  const dates = Float64Array.from(columns[0]!, (_, t) => START + t * DAY);
  return { interval: '1d', symbols: Object.keys(series), dates, values: { adj_close: columns } };
}

/** start, start + step, ... from row `from` on (NaN before). */
function line(start: number, step: number, bars: number, from = 0): number[] {
  return Array.from({ length: bars }, (_, t) => (t < from ? Number.NaN : start + step * (t - from)));
}

const params = (raw: Record<string, unknown>): MaTrendParams => resolveParams(maTrend, '1d', { window: 3, rebalance: 'daily', ...raw });
const row = (targets: Float64Array, t: number, n: number): number[] => [...targets.subarray(t * n, (t + 1) * n)];

function validationField(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('maTrend params', () => {
  it('defaults to a 10-month SMA (210 daily bars) checked at month-ends, scaled for other intervals', () => {
    expect(resolveParams(maTrend, '1d', {})).toEqual({ window: 210, rebalance: 'month-end', every: 21 });
    expect(resolveParams(maTrend, '1wk', {})).toMatchObject({ window: 43 });
    expect(resolveParams(maTrend, '1mo', {})).toMatchObject({ window: 10 });
  });

  it('rejects bad params with a ValidationError naming the parameter', () => {
    expect(validationField(() => resolveParams(maTrend, '1d', { windw: 200 }))).toBe('params');
    expect(() => resolveParams(maTrend, '1d', { windw: 200 })).toThrow(/windw/);
    expect(validationField(() => resolveParams(maTrend, '1d', { window: 1 }))).toBe('params.window');
    expect(validationField(() => resolveParams(maTrend, '1d', { window: 10.5 }))).toBe('params.window');
    expect(validationField(() => resolveParams(maTrend, '1d', { rebalance: 'yearly' }))).toBe('params.rebalance');
    expect(validationField(() => resolveParams(maTrend, '1d', { rebalance: 'every', every: 0 }))).toBe('params.every');
  });
});

describe('maTrend targets', () => {
  it('holds 1/N of each symbol above its SMA and nothing of those at or below it', () => {
    // Row 3: A = 13, SMA(11, 12, 13) = 12: above, score 1/12. B = 7, SMA(9, 8, 7) = 8: below.
    // C constant: price = SMA, not above: 0. N = 3, so A gets 1/3 and the rest stays in cash.
    const panel = makePanel({ A: line(10, 1, 6), B: line(10, -1, 6), C: line(50, 0, 6) });
    const { targets, scores } = maTrend.targets(panel, params({}));
    expect(row(targets, 3, 3)).toEqual([1 / 3, 0, 0]);
    expect(row(scores!, 3, 3)).toEqual([13 / 12 - 1, 7 / 8 - 1, 0]);
    expect(row(targets, 1, 3).every(Number.isNaN)).toBe(true); // no SMA before row 2
  });

  it('gives NaN to a symbol without an SMA and counts only symbols with one in N', () => {
    const b = line(20, 1, 12, 5);
    b[9] = Number.NaN; // a missing bar: no SMA at rows 9..11
    const panel = makePanel({ A: line(10, 1, 12), B: b });
    const { targets } = maTrend.targets(panel, params({}));
    expect(row(targets, 6, 2)).toEqual([1, Number.NaN]); // B's first SMA is at row 7
    expect(row(targets, 7, 2)).toEqual([0.5, 0.5]);
    expect(row(targets, 10, 2)).toEqual([1, Number.NaN]);
  });

  it('sets targets on month-end rows only by default', () => {
    const panel = makePanel({ A: line(10, 1, 70), B: line(100, -1, 70) });
    const { rebalance, targets } = maTrend.targets(panel, resolveParams(maTrend, '1d', { window: 5 }));
    expect([...rebalance.keys()].filter((t) => rebalance[t])).toEqual([30, 59]);
    for (let t = 0; t < 70; t++) expect(row(targets, t, 2).every(Number.isNaN)).toBe(t !== 30 && t !== 59);
    expect(row(targets, 30, 2)).toEqual([0.5, 0]);
  });

  it('does not look ahead and does not mutate its input', () => {
    const random = mulberry32(3);
    const walk = (from: number): number[] => {
      let p = 100;
      return Array.from({ length: 90 }, (_, t) => (t < from ? Number.NaN : (p *= 1 + (random() - 0.5) * 0.04)));
    };
    const panel = makePanel({ A: walk(0), B: walk(0), C: walk(25) });
    const before = panel.values.adj_close!.map((x) => [...x]);
    const p = params({ window: 10 });
    const base = maTrend.targets(panel, p);
    expect(panel.values.adj_close!.map((x) => [...x])).toEqual(before);
    for (let t = 0; t < 89; t++) {
      const columns = before.map((xs) => xs.map((x, k) => (k > t ? x * (0.5 + random()) : x)));
      const other = maTrend.targets(makePanel(Object.fromEntries(panel.symbols.map((s, j) => [s, columns[j]!]))), p);
      const rows = (t + 1) * panel.symbols.length;
      expect(differences(other.targets, base.targets, rows)).toEqual([]);
      expect(differences(other.scores!, base.scores!, rows)).toEqual([]);
    }
  });
});

/** Indices among the first `count` where a and b differ, by Object.is (NaN equals NaN, -0 differs from 0). */
function differences(a: Float64Array, b: Float64Array, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (!Object.is(a[i], b[i])) out.push(i);
  return out;
}

/** Deterministic PRNG for the perturbations. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
