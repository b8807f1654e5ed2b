import { describe, expect, it } from 'vitest';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { volScaledXs, type VolScaledXsParams } from '../../src/strategies/vol-scaled-xs.js';
import { createRandom } from '../../src/util/random.js';
import { closesPanel, expectNoLookAhead, row, setRows, weekdayDates, type Series } from '../helpers/strategy-panel.js';
import { expectValidationError } from '../helpers/validation-error.js';

/** Adjusted closes on weekdays from Monday 2024-01-01: bars 22 and 43 are the last of January and February. */
const panelOf = (closes: Series): StrategyPanel => closesPanel(closes, { dates: weekdayDates });

/** Prices from 100 compounding the given return at each bar after the first (NaN before `start`). */
const compound = (bars: number, r: (t: number) => number, start = 0): number[] => {
  let price = 100;
  return Array.from({ length: bars }, (_, t) => (t < start ? NaN : t === start ? price : (price *= 1 + r(t))));
};

const params = (raw: Record<string, unknown>): VolScaledXsParams => resolveParams(volScaledXs, '1d', raw);
/** A daily return whose square, annualised (x 252), is `vol` squared. */
const dailyFor = (vol: number) => vol / Math.sqrt(252);

// AAA alternates +a and -a (a: 24% a year), so its 2-bar return is -a^2 (about -0.02%) and it
// ranks first; BBB falls 1% and DDD (from bar 5) 2% a bar. The unscaled portfolio holds AAA only,
// so its returns are +-a and sigma_hat = sqrt(252 x a^2) = 24%, twice the 12% target.
const choppy = (bars: number) =>
  panelOf({
    AAA: compound(bars, (t) => (t % 2 === 1 ? 1 : -1) * dailyFor(0.24)),
    BBB: compound(bars, () => -0.01),
    DDD: compound(bars, () => -0.02, 5),
  });

describe('vol-scaled-xs', () => {
  it('defaults to 12-1 momentum, a six-month volatility window, 12% target, no leverage', () => {
    expect(resolveParams(volScaledXs, '1d', {})).toEqual({
      lookback: 252,
      skip: 21,
      topPct: 20,
      longShort: false,
      volWindow: 126,
      targetVol: 0.12,
      maxLeverage: 1,
      rebalance: 'month-end',
      every: 21,
    });
    expect(resolveParams(volScaledXs, '1wk', {})).toMatchObject({ lookback: 52, skip: 4, volWindow: 26, targetVol: 0.12 });
  });

  it.each([
    [{ volWindw: 20 }, 'params', /volWindw/],
    [{ lookback: 21, skip: 21 }, 'params.skip', /skip must be shorter than lookback/],
    [{ volWindow: 1 }, 'params.volWindow', /2/],
    [{ targetVol: 0 }, 'params.targetVol', /0/],
    [{ maxLeverage: 0.5 }, 'params.maxLeverage', /1/],
    [{ longShort: 1 }, 'params.longShort', /boolean/],
  ])('rejects %j naming %s', (raw, field, message) => {
    expectValidationError(() => params(raw), field, message);
  });

  it('halves the weights when realised volatility is twice the target, scale 1 until volWindow returns exist', () => {
    // Daily rebalances from bar 2 (first 2-bar returns); the portfolio's returns start at bar 3, so
    // with volWindow 4 sigma_hat exists from bar 6. DDD: no bar before 5 (NaN), then not selected (0).
    const schedule = volScaledXs.targets(choppy(12), params({ lookback: 2, skip: 0, topPct: 50, volWindow: 4, rebalance: 'daily' }));
    expect(row(schedule.targets, 1, 3)).toEqual([NaN, NaN, NaN]);
    expect(row(schedule.targets, 2, 3)).toEqual([1, 0, NaN]);
    expect(row(schedule.targets, 5, 3)).toEqual([1, 0, 0]);
    for (const t of [6, 9, 11]) {
      expect(schedule.targets[t * 3]).toBeCloseTo(0.5, 12);
      expect(row(schedule.targets, t, 3).slice(1)).toEqual([0, 0]);
    }
    expect(schedule.scores![2 * 3]).toBeCloseTo(-(dailyFor(0.24) ** 2), 12);
    expect(row(schedule.scores!, 6, 3)[2]).toBeNaN(); // DDD's 2-bar return needs bars 5..7
  });

  it('rebalances at month-ends, with sigma_hat from the daily returns of the holdings since the last one', () => {
    // Held from bar 22 (scale 1: no returns yet); at bar 43 the returns of bars 40..43 are +-a.
    const schedule = volScaledXs.targets(choppy(44), params({ lookback: 2, skip: 0, topPct: 50, volWindow: 4 }));
    expect(setRows(schedule.rebalance)).toEqual([22, 43]);
    expect(row(schedule.targets, 22, 3)).toEqual([1, 0, 0]);
    expect(schedule.targets[43 * 3]).toBeCloseTo(0.5, 12);
    expect(row(schedule.targets, 30, 3)).toEqual([NaN, NaN, NaN]);
  });

  it("measures the unscaled portfolio's own returns: holdings set at a rebalance earn the bars after it", () => {
    // The previous bar's return (lookback 2, skip 1), daily: bar 2 picks AAA (+10% vs 0% at bar 1);
    // bar 3 picks BBB (+2% vs -5%), and the portfolio earned AAA's -5% at bar 3; bar 4 keeps BBB,
    // which earned +1% at bar 4. With volWindow 2: sigma_hat(4) = sqrt(252 x (0.05^2 + 0.01^2) / 2).
    const panel = panelOf({ AAA: [100, 110, 104.5, 99.275, 99.275], BBB: [100, 100, 102, 105.06, 106.1106] });
    const schedule = volScaledXs.targets(panel, params({ lookback: 2, skip: 1, topPct: 50, volWindow: 2, rebalance: 'daily' }));
    expect(row(schedule.targets, 2, 2)).toEqual([1, 0]);
    expect(row(schedule.targets, 3, 2)).toEqual([0, 1]); // one portfolio return only: scale 1
    expect(schedule.targets[4 * 2]).toBe(0);
    expect(schedule.targets[4 * 2 + 1]).toBeCloseTo(0.12 / Math.sqrt((252 * (0.05 ** 2 + 0.01 ** 2)) / 2), 10);
  });

  it('with longShort shorts the bottom quantile, and levers up only as far as maxLeverage', () => {
    // AAA rises a, BBB is flat, CCC falls a a bar (a: 4% a year): long AAA, short CCC, portfolio
    // return 2a, sigma_hat = 8%, scale 0.12 / 0.08 = 1.5, cut to 1 unless maxLeverage allows it.
    const a = dailyFor(0.04);
    const panel = panelOf({ AAA: compound(8, () => a), BBB: compound(8, () => 0), CCC: compound(8, () => -a) });
    const base = { lookback: 2, skip: 0, topPct: 34, longShort: true, volWindow: 3, rebalance: 'daily' };
    const capped = volScaledXs.targets(panel, params(base));
    const levered = volScaledXs.targets(panel, params({ ...base, maxLeverage: 2 }));
    expect(row(capped.targets, 7, 3)).toEqual([1, 0, -1]);
    expect(row(levered.targets, 4, 3)).toEqual([1, 0, -1]); // returns of bars 3..4 only
    const last = row(levered.targets, 7, 3);
    expect(last[0]).toBeCloseTo(1.5, 10);
    expect(last[2]).toBeCloseTo(-1.5, 10);
  });

  it('never looks ahead: changing every bar after t leaves targets and scores at or before t unchanged', () => {
    const random = createRandom(2015);
    const walk = (start: number) => compound(90, () => (random.next() - 0.5) * 0.06, start);
    const noisy = panelOf({ AAA: walk(0), BBB: walk(0), CCC: walk(15), DDD: walk(0), EEE: walk(40), FFF: walk(0) });
    for (const raw of [
      { lookback: 10, skip: 2, volWindow: 5, topPct: 34, longShort: true, maxLeverage: 2, rebalance: 'every', every: 3 },
      { lookback: 20, skip: 5, volWindow: 10, targetVol: 0.5 },
    ])
      expectNoLookAhead(volScaledXs, noisy, params(raw), random);
  });
});
