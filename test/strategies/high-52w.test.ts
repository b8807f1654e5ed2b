import { describe, expect, it } from 'vitest';
import { high52w, type High52wParams } from '../../src/strategies/high-52w.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { xsMomentum } from '../../src/strategies/xs-momentum.js';
import { createRandom } from '../../src/util/random.js';
import { closesPanel, expectNoLookAhead, randomWalk, row, setRows, weekdayDates, type Series } from '../helpers/strategy-panel.js';
import { expectValidationError } from '../helpers/validation-error.js';

/** Adjusted closes on weekdays from Monday 2024-01-01: bar 22 is Wednesday 31 January, the month's last. */
const panelOf = (closes: Series): StrategyPanel => closesPanel(closes, { dates: weekdayDates });

const params = (raw: Record<string, unknown>): High52wParams => resolveParams(high52w, '1d', raw);

/** 30 bars: 18 bars at 10, then `path` over bars 18..22, then flat at its last value. */
const shaped = (path: readonly number[]): number[] => [...Array<number>(18).fill(10), ...path, ...Array<number>(7).fill(path.at(-1)!)];

// With window 5, the score at bar 22 is close / max(closes of bars 18..22):
//   AAA 14 / 14 = 1, BBB 18 / 20 = 0.9, CCC 8 / 10 = 0.8, DDD 10.5 / 15 = 0.7.
// The return over the same 5 bars ranks them differently: BBB +80%, AAA +40%, DDD +5%, CCC -20%.
// EEE starts at bar 20 (no full window at bar 22), FFF at bar 25 (no bar at 22).
const panel = panelOf({
  AAA: shaped([10, 11, 12, 13, 14]),
  BBB: shaped([10, 20, 20, 20, 18]),
  CCC: shaped([10, 10, 10, 10, 8]),
  DDD: shaped([10, 15, 12, 12, 10.5]),
  EEE: [...Array<number>(20).fill(NaN), 10, 30, ...Array<number>(8).fill(40)],
  FFF: [...Array<number>(25).fill(NaN), ...Array<number>(5).fill(50)],
});

describe('52w-high', () => {
  it('defaults to a one-year window, the top 30%, month-end rebalances', () => {
    expect(resolveParams(high52w, '1d', {})).toEqual({
      window: 252,
      topPct: 30,
      targetScale: 1,
      longShort: false,
      rebalance: 'month-end',
      every: 21,
    });
    expect(resolveParams(high52w, '1wk', {})).toMatchObject({ window: 52, topPct: 30 });
  });

  it.each([
    [{ windw: 20 }, 'params', /windw/],
    [{ window: 1 }, 'params.window', /2/],
    [{ window: 2.5 }, 'params.window', /int/],
    [{ topPct: 0 }, 'params.topPct', /0/],
    [{ topPct: 101 }, 'params.topPct', /100/],
    [{ targetScale: 0 }, 'params.targetScale', /0/],
  ])('rejects %j naming %s', (raw, field, message) => {
    expectValidationError(() => params(raw), field, message);
  });

  it('holds the names nearest their high at month-end; a symbol without a score is not held, one without a bar is left alone', () => {
    // Ranked: AAA, BBB, CCC, DDD (EEE, FFF have no score): k = floor(4 x 40%) = 1.
    const schedule = high52w.targets(panel, params({ window: 5, topPct: 40 }));
    expect(setRows(schedule.rebalance)).toEqual([22]);
    expect(row(schedule.targets, 22, 6)).toEqual([1, 0, 0, 0, 0, NaN]);
    expect(row(schedule.scores!, 22, 6)).toEqual([1, 0.9, 0.8, 0.7, NaN, NaN]);
    expect(row(schedule.targets, 21, 6)).toEqual(Array<number>(6).fill(NaN));
  });

  it('picks the name nearest its high, not the one with the best past return', () => {
    const nearHigh = high52w.targets(panel, params({ window: 5, topPct: 25 }));
    const pastReturn = xsMomentum.targets(panel, resolveParams(xsMomentum, '1d', { lookback: 5, skip: 0, topPct: 25 }));
    expect(row(nearHigh.targets, 22, 6).slice(0, 2)).toEqual([1, 0]); // AAA, 14 / 14
    expect(row(pastReturn.targets, 22, 6).slice(0, 2)).toEqual([0, 1]); // BBB, 18 / 10 - 1
  });

  it('with longShort shorts the names furthest from their high; targetScale scales both legs', () => {
    const schedule = high52w.targets(panel, params({ window: 5, topPct: 25, longShort: true, targetScale: 0.5 }));
    expect(row(schedule.targets, 22, 6)).toEqual([0.5, 0, 0, -0.5, 0, NaN]);
  });

  it('rebalances every N bars when asked, ranking a late symbol once it has a full window', () => {
    const schedule = high52w.targets(panel, params({ window: 5, topPct: 40, rebalance: 'every', every: 5 }));
    expect(setRows(schedule.rebalance)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(row(schedule.targets, 0, 6)).toEqual(Array<number>(6).fill(NaN)); // nothing to rank yet
    // Bar 25, closes of bars 21..25: AAA 14 / 14 = 1, EEE 40 / 40 = 1 (tie, by name), BBB 0.9,
    // DDD 10.5 / 12 = 0.875, CCC 0.8; five ranked, k = 2. FFF has a bar but no score.
    expect(row(schedule.targets, 25, 6)).toEqual([0.5, 0, 0, 0, 0.5, 0]);
  });

  it('never looks ahead: changing every bar after t leaves targets and scores at or before t unchanged', () => {
    const random = createRandom(52);
    const walk = (start: number) => randomWalk(random, 90, 0, (u) => (u - 0.5) * 0.06).map((close, t) => (t < start ? NaN : close));
    const noisy = panelOf({ AAA: walk(0), BBB: walk(0), CCC: walk(15), DDD: walk(0), EEE: walk(40), FFF: walk(0) });
    for (const raw of [{ window: 20, topPct: 30, longShort: true, rebalance: 'daily' }, { window: 10 }])
      expectNoLookAhead(high52w, noisy, params(raw), random);
  });
});
