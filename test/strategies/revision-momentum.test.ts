/**
 * revision-momentum on a hand-built case: four names, analysts' actions placed at chosen bars,
 * checked against net upgrades counted plainly here.
 */
import { describe, expect, it } from 'vitest';
import type { AnalystAction } from '../../src/data/qualitative.js';
import type { Placed } from '../../src/data/strategy-data.js';
import { revisionMomentum, type RevisionMomentumParams } from '../../src/strategies/revision-momentum.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { closesPanel, row, setRows, topQuantileWeights, weekdayDates } from '../helpers/strategy-panel.js';
import { expectValidationError } from '../helpers/validation-error.js';

const BARS = 40;
const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];

/** [symbol, first bar that sees it, action] */
const ACTIONS: [string, number, AnalystAction['action']][] = [
  ['AAA', 2, 'up'],
  ['AAA', 4, 'up'],
  ['AAA', 8, 'down'],
  ['BBB', 6, 'up'],
  ['BBB', 7, 'init'],
  ['BBB', 9, 'main'],
  ['CCC', 3, 'down'],
  ['CCC', 12, 'up'],
  ['CCC', 13, 'up'],
  ['CCC', 14, 'up'],
  ['DDD', 5, 'reit'],
  ['DDD', 20, 'up'],
  ['DDD', 21, 'down'],
  ['DDD', 30, 'up'],
];

function panel(): StrategyPanel {
  const base = closesPanel(Object.fromEntries(SYMBOLS.map((s) => [s, Array<number>(BARS).fill(10)])), { dates: weekdayDates });
  const analystActions = SYMBOLS.map((symbol) =>
    ACTIONS.filter(([s]) => s === symbol).map(([, firstBar, action]): Placed<AnalystAction> => ({
      symbol,
      actedAt: base.dates[firstBar]! - 3_600_000,
      firm: 'F',
      action,
      fromGrade: null,
      toGrade: null,
      source: 'test',
      firstBar,
    })),
  );
  return { ...base, analystActions };
}

const params = (raw: Record<string, unknown>): RevisionMomentumParams => resolveParams(revisionMomentum, '1d', raw);
const P = params({ windowBars: 10, topPct: 50, rebalance: 'every', every: 5 });

/** Plainly: upgrades minus downgrades seen in bars t-9..t; the top half of the names above zero. */
function expectedWeights(t: number): number[] {
  const net = SYMBOLS.map((symbol) =>
    ACTIONS.filter(([s, bar]) => s === symbol && bar <= t && bar > t - 10).reduce(
      (n, [, , a]) => n + (a === 'up' ? 1 : a === 'down' ? -1 : 0),
      0,
    ),
  );
  const ranked = SYMBOLS.map((_, j) => j)
    .filter((j) => net[j]! > 0)
    .sort((a, b) => net[b]! - net[a]! || a - b);
  return topQuantileWeights(SYMBOLS.length, ranked, 50);
}

describe('revision-momentum', () => {
  it('declares the actions it reads; defaults to three months of actions, the top 30%, month-end', () => {
    expect(revisionMomentum.data).toEqual({ analystActions: true });
    expect(params({})).toMatchObject({ windowBars: 63, topPct: 30, rebalance: 'month-end' });
    expectValidationError(() => params({ windowBars: 0 }), 'params.windowBars', /1/);
  });

  it('holds the names with the most net upgrades in the window, as counted plainly, and cash when none is above zero', () => {
    const schedule = revisionMomentum.targets(panel(), P);
    expect(setRows(schedule.rebalance)).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    for (let t = 0; t < BARS; t += 5) expect(row(schedule.targets, t, 4), `bar ${t}`).toEqual(expectedWeights(t));
    // By hand: at 5 AAA (+2); at 10 AAA +1 and BBB +1 (tie: AAA by name); at 15 CCC +3 (BBB +1); at 20 CCC +3, DDD +1;
    // at 25 DDD 0 (up, down), nothing above zero: cash; at 30 and 35 DDD +1.
    expect(row(schedule.targets, 10, 4)).toEqual([1, 0, 0, 0]);
    expect(row(schedule.targets, 20, 4)).toEqual([0, 0, 1, 0]);
    expect(row(schedule.targets, 25, 4)).toEqual([0, 0, 0, 0]);
    expect(row(schedule.targets, 35, 4)).toEqual([0, 0, 0, 1]);
    expect(row(schedule.scores!, 15, 4)).toEqual([NaN, 1, 3, NaN]); // BBB's upgrade of bar 6 is still in bars 6..15
  });
});
