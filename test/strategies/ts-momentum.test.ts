import { describe, expect, it } from 'vitest';
import type { Interval } from '../../src/data/bar.js';
import { ValidationError } from '../../src/errors.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { tsMomentum, type TsMomentumParams } from '../../src/strategies/ts-momentum.js';

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1); // calendar days from Monday 2024-01-01: Jan 31 is row 30, Feb 29 row 59

function makePanel(series: Record<string, readonly number[]>, interval: Interval = '1d'): StrategyPanel {
  const columns = Object.values(series).map((xs) => Float64Array.from(xs));
  const dates = Float64Array.from(columns[0]!, (_, t) => START + t * DAY);
  return { interval, symbols: Object.keys(series), dates, values: { adj_close: columns } };
}

/** p0 x (1 + r)^k from row `from` on (NaN before): every simple return is r, so the EWMA volatility is |r|. */
function growth(r: number, bars: number, from = 0, p0 = 100): number[] {
  return Array.from({ length: bars }, (_, t) => (t < from ? Number.NaN : p0 * (1 + r) ** (t - from)));
}

const params = (raw: Record<string, unknown>): TsMomentumParams =>
  resolveParams(tsMomentum, '1d', { lookback: 5, com: 3, rebalance: 'daily', ...raw });
const row = (targets: Float64Array, t: number, n: number): number[] => [...targets.subarray(t * n, (t + 1) * n)];
/** MOP's unscaled position targetVol / sigma for a symbol whose every daily return is r. */
const unit = (r: number): number => 0.4 / (Math.abs(r) * Math.sqrt(252));

function validationField(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.field;
    throw error;
  }
  return undefined;
}

describe('tsMomentum params', () => {
  it('defaults to MOP: one year lookback, com 60 days, 40% volatility, long-only, month-end', () => {
    expect(resolveParams(tsMomentum, '1d', {})).toEqual({
      lookback: 252,
      com: 60,
      targetVol: 0.4,
      cashSymbol: '',
      allowShort: false,
      maxGross: 1,
      maxWeight: 1,
      rebalance: 'month-end',
      every: 21,
    });
  });

  it('scales the lookback and the EWMA centre of mass to weekly bars (60 days = 12 weeks)', () => {
    expect(resolveParams(tsMomentum, '1wk', {})).toMatchObject({ lookback: 52, com: 12 });
  });

  it('rejects bad params with a ValidationError naming the parameter', () => {
    expect(validationField(() => resolveParams(tsMomentum, '1d', { lookbak: 10 }))).toBe('params');
    expect(() => resolveParams(tsMomentum, '1d', { lookbak: 10 })).toThrow(/lookbak/);
    expect(validationField(() => resolveParams(tsMomentum, '1d', { lookback: 1 }))).toBe('params.lookback');
    expect(validationField(() => resolveParams(tsMomentum, '1d', { targetVol: 0 }))).toBe('params.targetVol');
    expect(validationField(() => resolveParams(tsMomentum, '1d', { com: -1 }))).toBe('params.com');
    expect(validationField(() => resolveParams(tsMomentum, '1d', { cashSymbol: 'not a symbol' }))).toBe('params.cashSymbol');
    expect(validationField(() => resolveParams(tsMomentum, '1d', { maxWeight: 2, maxGross: 1.5 }))).toBe('params.maxWeight');
  });

  it('rejects a cashSymbol that is not in the panel', () => {
    const panel = makePanel({ A: growth(0.01, 10) });
    expect(validationField(() => tsMomentum.targets(panel, params({ cashSymbol: 'BIL' })))).toBe('params.cashSymbol');
  });
});

describe('tsMomentum targets', () => {
  it('sizes positions inversely to volatility: twice the volatility, half the weight', () => {
    const panel = makePanel({ A: growth(0.02, 12), B: growth(0.04, 12) });
    const { targets, scores } = tsMomentum.targets(panel, params({}));
    // Trailing return from row 5 (lookback 5), EWMA volatility from row 3 (3 returns): first targets at row 5.
    for (let t = 0; t < 5; t++) expect(row(targets, t, 2).every(Number.isNaN)).toBe(true);
    // N = 2: w_A = 0.4 / (0.02 sqrt(252)) / 2 = 0.630, w_B = 0.315; gross 0.945 < 1, no scaling.
    const [a, b] = row(targets, 8, 2);
    expect(a).toBeCloseTo(unit(0.02) / 2, 12);
    expect(b).toBeCloseTo(unit(0.04) / 2, 12);
    expect(b! / a!).toBeCloseTo(0.5, 12);
    expect(scores![8 * 2]).toBeCloseTo(1.02 ** 5 - 1, 12);
  });

  it('is long-only by default: a falling symbol gets 0 but still counts in N', () => {
    const panel = makePanel({ A: growth(0.02, 12), B: growth(0.04, 12), C: growth(-0.02, 12) });
    const [a, b, c] = row(tsMomentum.targets(panel, params({})).targets, 8, 3);
    expect(a).toBeCloseTo(unit(0.02) / 3, 12);
    expect(b).toBeCloseTo(unit(0.04) / 3, 12);
    expect(Object.is(c, 0)).toBe(true);
  });

  it('shorts with allowShort and scales everything down when the gross weight exceeds maxGross', () => {
    const panel = makePanel({ A: growth(0.02, 12), B: growth(0.04, 12), C: growth(-0.02, 12) });
    // Raw: A = u/3, B = u/6, C = -u/3 with u = unit(0.02) = 1.2599; gross = 5u/6 = 1.0499 > 1: scale by 1 / gross.
    const gross = (5 * unit(0.02)) / 6;
    const [a, b, c] = row(tsMomentum.targets(panel, params({ allowShort: true })).targets, 8, 3);
    expect(a).toBeCloseTo(unit(0.02) / 3 / gross, 12);
    expect(b).toBeCloseTo(unit(0.02) / 6 / gross, 12);
    expect(c).toBeCloseTo(-unit(0.02) / 3 / gross, 12);
    expect(Math.abs(a!) + Math.abs(b!) + Math.abs(c!)).toBeCloseTo(1, 12);
  });

  it('caps each weight at maxWeight before the gross cap', () => {
    // sigma = 0.001 sqrt(252): raw weights 12.6 / 2 each, capped at 0.8, then gross 1.6 scaled to 1.
    const panel = makePanel({ A: growth(0.001, 12), B: growth(0.001, 12) });
    for (const w of row(tsMomentum.targets(panel, params({ maxWeight: 0.8 })).targets, 8, 2)) expect(w).toBeCloseTo(0.5, 12);
    expect(row(tsMomentum.targets(panel, params({ maxWeight: 0.3 })).targets, 8, 2)).toEqual([0.3, 0.3]);
  });

  it('subtracts the cash proxy return: a symbol rising slower than cash is not held', () => {
    const panel = makePanel({ A: growth(0.003, 12), B: growth(0.04, 12), CASH: growth(0.005, 12) });
    const { targets, scores } = tsMomentum.targets(panel, params({ cashSymbol: 'cash' }));
    // Excess_A = (1.003^5 - 1) - (1.005^5 - 1) < 0: A gets 0. N = 2 (CASH is not a position): w_B = u_B / 2.
    const [a, b, cash] = row(targets, 8, 3);
    expect(Object.is(a, 0)).toBe(true);
    expect(b).toBeCloseTo(unit(0.04) / 2, 12);
    expect(Object.is(cash, 0)).toBe(true);
    expect(scores![8 * 3]).toBeCloseTo(1.003 ** 5 - 1.005 ** 5, 12);
    expect(scores![8 * 3 + 2]).toBeNaN();
  });

  it('gives NaN to a symbol until it has a price, a trailing return and a volatility; N counts only those', () => {
    const d = growth(0.04, 20, 8);
    d[16] = Number.NaN; // a missing bar mid-series
    const panel = makePanel({ A: growth(0.04, 20), D: d });
    const { targets } = tsMomentum.targets(panel, params({}));
    // D's first trailing return is at row 13 (8 + 5): before, A is alone (N = 1).
    for (const t of [5, 12]) {
      expect(row(targets, t, 2)[0]).toBeCloseTo(unit(0.04), 12);
      expect(row(targets, t, 2)[1]).toBeNaN();
    }
    for (const w of row(targets, 14, 2)) expect(w).toBeCloseTo(unit(0.04) / 2, 12);
    expect(row(targets, 16, 2)[0]).toBeCloseTo(unit(0.04), 12);
    expect(row(targets, 16, 2)[1]).toBeNaN();
  });

  it('sets targets on month-end rows only by default', () => {
    const panel = makePanel({ A: growth(0.02, 70), B: growth(-0.01, 70) });
    const { rebalance, targets } = tsMomentum.targets(panel, resolveParams(tsMomentum, '1d', { lookback: 5, com: 3 }));
    expect([...rebalance.keys()].filter((t) => rebalance[t])).toEqual([30, 59]);
    for (let t = 0; t < 70; t++) expect(row(targets, t, 2).every(Number.isNaN)).toBe(t !== 30 && t !== 59);
  });

  it('does not look ahead and does not mutate its input', () => {
    const random = mulberry32(7);
    const walk = (from: number): number[] => {
      let p = 100;
      return Array.from({ length: 90 }, (_, t) => (t < from ? Number.NaN : (p *= 1 + (random() - 0.48) * 0.04)));
    };
    const panel = makePanel({ A: walk(0), B: walk(0), C: walk(20), CASH: growth(0.0002, 90) });
    const before = panel.values.adj_close!.map((x) => [...x]);
    for (const raw of [{ cashSymbol: 'CASH' }, { allowShort: true, maxWeight: 0.4, maxGross: 0.9 }]) {
      const p = params({ lookback: 15, com: 5, ...raw });
      const base = tsMomentum.targets(panel, p);
      expect(panel.values.adj_close!.map((x) => [...x])).toEqual(before);
      for (let t = 0; t < 89; t++) {
        const perturbed = makePanel(
          Object.fromEntries(panel.symbols.map((s, j) => [s, before[j]!.map((x, k) => (k > t ? x * (0.5 + random()) : x))])),
        );
        const other = tsMomentum.targets(perturbed, p);
        const n = panel.symbols.length;
        const rows = (t + 1) * n;
        expect(differences(other.targets, base.targets, rows)).toEqual([]);
        expect(differences(other.scores!, base.scores!, rows)).toEqual([]);
      }
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
