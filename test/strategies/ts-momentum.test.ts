import { describe, expect, it } from 'vitest';
import { resolveParams } from '../../src/strategies/strategy.js';
import { tsMomentum, type TsMomentumParams } from '../../src/strategies/ts-momentum.js';
import { createRandom } from '../../src/util/random.js';
import { closesPanel, expectNoLookAhead, randomWalk, row, setRows, validationField } from '../helpers/strategy-panel.js';

/** p0 x (1 + r)^k from row `from` on (NaN before): every simple return is r, so the EWMA volatility is |r|. */
function growth(r: number, bars: number, from = 0, p0 = 100): number[] {
  return Array.from({ length: bars }, (_, t) => (t < from ? Number.NaN : p0 * (1 + r) ** (t - from)));
}

const params = (raw: Record<string, unknown>): TsMomentumParams =>
  resolveParams(tsMomentum, '1d', { lookback: 5, com: 3, rebalance: 'daily', ...raw });
/** MOP's unscaled position targetVol / sigma for a symbol whose every daily return is r. */
const unit = (r: number): number => 0.4 / (Math.abs(r) * Math.sqrt(252));

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
    const panel = closesPanel({ A: growth(0.01, 10) });
    expect(validationField(() => tsMomentum.targets(panel, params({ cashSymbol: 'BIL' })))).toBe('params.cashSymbol');
  });
});

describe('tsMomentum targets', () => {
  it('sizes positions inversely to volatility: twice the volatility, half the weight', () => {
    const panel = closesPanel({ A: growth(0.02, 12), B: growth(0.04, 12) });
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
    const panel = closesPanel({ A: growth(0.02, 12), B: growth(0.04, 12), C: growth(-0.02, 12) });
    const [a, b, c] = row(tsMomentum.targets(panel, params({})).targets, 8, 3);
    expect(a).toBeCloseTo(unit(0.02) / 3, 12);
    expect(b).toBeCloseTo(unit(0.04) / 3, 12);
    expect(Object.is(c, 0)).toBe(true);
  });

  it('shorts with allowShort and scales everything down when the gross weight exceeds maxGross', () => {
    const panel = closesPanel({ A: growth(0.02, 12), B: growth(0.04, 12), C: growth(-0.02, 12) });
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
    const panel = closesPanel({ A: growth(0.001, 12), B: growth(0.001, 12) });
    for (const w of row(tsMomentum.targets(panel, params({ maxWeight: 0.8 })).targets, 8, 2)) expect(w).toBeCloseTo(0.5, 12);
    expect(row(tsMomentum.targets(panel, params({ maxWeight: 0.3 })).targets, 8, 2)).toEqual([0.3, 0.3]);
  });

  it('subtracts the cash proxy return: a symbol rising slower than cash is not held', () => {
    const panel = closesPanel({ A: growth(0.003, 12), B: growth(0.04, 12), CASH: growth(0.005, 12) });
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
    const panel = closesPanel({ A: growth(0.04, 20), D: d });
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
    const panel = closesPanel({ A: growth(0.02, 70), B: growth(-0.01, 70) });
    const { rebalance, targets } = tsMomentum.targets(panel, resolveParams(tsMomentum, '1d', { lookback: 5, com: 3 }));
    expect(setRows(rebalance)).toEqual([30, 59]); // calendar days: 31 January, 29 February
    for (let t = 0; t < 70; t++) expect(row(targets, t, 2).every(Number.isNaN)).toBe(t !== 30 && t !== 59);
  });

  it('does not look ahead and does not mutate its input', () => {
    const random = createRandom(7);
    const walk = (from: number): number[] => randomWalk(random, 90, from, (u) => (u - 0.48) * 0.04);
    const panel = closesPanel({ A: walk(0), B: walk(0), C: walk(20), CASH: growth(0.0002, 90) });
    for (const raw of [{ cashSymbol: 'CASH' }, { allowShort: true, maxWeight: 0.4, maxGross: 0.9 }])
      expectNoLookAhead(tsMomentum, panel, params({ lookback: 15, com: 5, ...raw }), random);
  });
});
