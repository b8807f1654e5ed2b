import { describe, expect, it } from 'vitest';
import { buyAndHold, type BuyAndHoldParams } from '../../src/strategies/buy-and-hold.js';
import { getStrategy } from '../../src/strategies/registry.js';
import { rebalanceMask } from '../../src/strategies/schedule.js';
import { resolveParams } from '../../src/strategies/strategy.js';
import { createRandom } from '../../src/util/random.js';
import { closesPanel, expectNoLookAhead, randomWalk, row, setRows, validationField, weekdayDates } from '../helpers/strategy-panel.js';

const params = (raw: Record<string, unknown> = {}): BuyAndHoldParams => resolveParams(buyAndHold, '1d', raw);
const flat = (value: number, bars: number, from = 0) => Array.from({ length: bars }, (_, t) => (t < from ? Number.NaN : value));

describe('buyAndHold params', () => {
  it('is in the registry, equal-weighted and never rebalanced by default', () => {
    expect(getStrategy('buy-and-hold')).toBe(buyAndHold);
    expect(params()).toEqual({ weights: '', rebalance: 'none', every: 21 });
  });

  it('takes the calendar schedules, quarter-end and year-end included, and rejects what it cannot read', () => {
    expect(params({ rebalance: 'quarter-end' }).rebalance).toBe('quarter-end');
    expect(params({ rebalance: 'year-end' }).rebalance).toBe('year-end');
    expect(validationField(() => params({ rebalance: 'yearly' }))).toBe('params.rebalance');
    expect(validationField(() => params({ weights: 'SPY=0.6' }))).toBe('params.weights');
    expect(validationField(() => params({ weight: 'SPY:1' }))).toBe('params');
  });
});

describe('buyAndHold targets', () => {
  it('buys 1/N of every symbol at the first bar where all have a price, once', () => {
    const panel = closesPanel({ A: flat(10, 8), B: flat(20, 8, 3), C: flat(30, 8, 1) });
    const { rebalance, targets, scores } = buyAndHold.targets(panel, params());
    expect(setRows(rebalance)).toEqual([3]);
    expect(row(targets, 3, 3)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(row(scores!, 7, 3)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(row(scores!, 2, 3).every(Number.isNaN)).toBe(true);
  });

  it('waits for the trading start (bars before it only warm up)', () => {
    const panel = closesPanel({ A: flat(10, 8), B: flat(20, 8) });
    expect(setRows(buyAndHold.targets(panel, params(), { start: 5 }).rebalance)).toEqual([5]);
  });

  it('takes given weights, 0 for a symbol not named, the rest in cash', () => {
    const panel = closesPanel({ SPY: flat(10, 4), TLT: flat(20, 4), GLD: flat(30, 4) });
    const { targets } = buyAndHold.targets(panel, params({ weights: 'SPY:0.5, tlt:0.3' }));
    expect(row(targets, 0, 3)).toEqual([0.5, 0.3, 0]);
    expect(validationField(() => buyAndHold.targets(panel, params({ weights: 'SPY:0.7,TLT:0.4' })))).toBe('params.weights');
    expect(() => buyAndHold.targets(panel, params({ weights: 'QQQ:1' }))).toThrow(/QQQ is not in the panel/);
  });

  it('rebalances back to its weights on its schedule from the entry on', () => {
    const dates = weekdayDates(140);
    const panel = closesPanel({ A: flat(10, 140, 30), B: flat(20, 140) }, { dates: () => dates });
    const { rebalance } = buyAndHold.targets(panel, params({ rebalance: 'quarter-end' }));
    const quarterEnds = setRows(rebalanceMask(dates, '1d', { rebalance: 'quarter-end', every: 21 }));
    expect(quarterEnds).toEqual([64, 129]); // 29 March and 28 June 2024, the last weekdays of their quarters
    expect(setRows(rebalance)).toEqual([30, 64, 129]);
  });

  it('does not look ahead and does not mutate its input', () => {
    const random = createRandom(11);
    const panel = closesPanel({ A: randomWalk(random, 90), B: randomWalk(random, 90, 20), C: randomWalk(random, 90, 5) });
    expectNoLookAhead(buyAndHold, panel, params({ rebalance: 'month-end' }), random);
    expectNoLookAhead(buyAndHold, panel, params(), random);
  });
});
