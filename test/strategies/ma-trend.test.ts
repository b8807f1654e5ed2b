import { describe, expect, it } from 'vitest';
import { maTrend, type MaTrendParams } from '../../src/strategies/ma-trend.js';
import { resolveParams } from '../../src/strategies/strategy.js';
import { createRandom } from '../../src/util/random.js';
import { closesPanel, expectNoLookAhead, randomWalk, row, setRows, validationField } from '../helpers/strategy-panel.js';

/** start, start + step, ... from row `from` on (NaN before). */
function line(start: number, step: number, bars: number, from = 0): number[] {
  return Array.from({ length: bars }, (_, t) => (t < from ? Number.NaN : start + step * (t - from)));
}

const params = (raw: Record<string, unknown>): MaTrendParams => resolveParams(maTrend, '1d', { window: 3, rebalance: 'daily', ...raw });

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
    const panel = closesPanel({ A: line(10, 1, 6), B: line(10, -1, 6), C: line(50, 0, 6) });
    const { targets, scores } = maTrend.targets(panel, params({}));
    expect(row(targets, 3, 3)).toEqual([1 / 3, 0, 0]);
    expect(row(scores!, 3, 3)).toEqual([13 / 12 - 1, 7 / 8 - 1, 0]);
    expect(row(targets, 1, 3).every(Number.isNaN)).toBe(true); // no SMA before row 2
  });

  it('gives NaN to a symbol without an SMA and counts only symbols with one in N', () => {
    const b = line(20, 1, 12, 5);
    b[9] = Number.NaN; // a missing bar: no SMA at rows 9..11
    const panel = closesPanel({ A: line(10, 1, 12), B: b });
    const { targets } = maTrend.targets(panel, params({}));
    expect(row(targets, 6, 2)).toEqual([1, Number.NaN]); // B's first SMA is at row 7
    expect(row(targets, 7, 2)).toEqual([0.5, 0.5]);
    expect(row(targets, 10, 2)).toEqual([1, Number.NaN]);
  });

  it('sets targets on month-end rows only by default', () => {
    const panel = closesPanel({ A: line(10, 1, 70), B: line(100, -1, 70) });
    const { rebalance, targets } = maTrend.targets(panel, resolveParams(maTrend, '1d', { window: 5 }));
    expect(setRows(rebalance)).toEqual([30, 59]); // calendar days: 31 January, 29 February
    for (let t = 0; t < 70; t++) expect(row(targets, t, 2).every(Number.isNaN)).toBe(t !== 30 && t !== 59);
    expect(row(targets, 30, 2)).toEqual([0.5, 0]);
  });

  it('does not look ahead and does not mutate its input', () => {
    const random = createRandom(3);
    const panel = closesPanel({ A: randomWalk(random, 90), B: randomWalk(random, 90), C: randomWalk(random, 90, 25) });
    expectNoLookAhead(maTrend, panel, params({ window: 10 }), random);
  });
});
