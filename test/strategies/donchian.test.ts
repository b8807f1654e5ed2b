import { describe, expect, it } from 'vitest';
import { donchian, type DonchianParams } from '../../src/strategies/donchian.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { createRandom } from '../../src/util/random.js';
import { expectNoLookAhead, panelOf, row, setRows, weekdayDates } from '../helpers/strategy-panel.js';
import { expectValidationError } from '../helpers/validation-error.js';

/** One [close, high, low] triple per bar and symbol; null: no bar. */
type Bars = readonly (readonly [number, number, number] | null)[];

/** Adjusted closes, highs and lows on weekdays from Monday 2024-01-01. */
function barsPanel(series: Record<string, Bars>): StrategyPanel {
  const field = (k: number) =>
    Object.fromEntries(Object.entries(series).map(([symbol, bars]) => [symbol, bars.map((bar) => (bar ? bar[k]! : NaN))]));
  return panelOf({ adj_close: field(0), adj_high: field(1), adj_low: field(2) }, { dates: weekdayDates });
}

const repeat = (bar: readonly [number, number, number], count: number): Bars => Array.from({ length: count }, () => bar);
const params = (raw: Record<string, unknown>): DonchianParams => resolveParams(donchian, '1d', raw);

// AAA: flat channel 9..11 for 20 bars; bar 20 closes at 11, the 20-bar high (a touch, no entry);
// bar 21 closes at 11.6 above 11.5, the highest high of bars 1..20 (entry); bar 31 closes at 11.2,
// the 10-bar low of bars 21..30 (a touch, no exit); bar 32 closes at 10.9 below 11.0, the lowest
// low of bars 22..31 (exit). BBB never leaves its channel.
const turtle = barsPanel({
  AAA: [
    ...repeat([10, 11, 9], 20),
    [11, 11.5, 10],
    ...repeat([11.6, 11.8, 11.2], 10),
    [11.2, 11.6, 11.0],
    ...repeat([10.9, 11.2, 10.8], 3),
  ],
  BBB: repeat([10, 11, 9], 35),
});

describe('donchian', () => {
  it('defaults to the 20/10 Turtle channels on daily bars, scaled to weeks on weekly bars', () => {
    expect(resolveParams(donchian, '1d', {})).toEqual({ entry: 20, exit: 10, weight: 0, allowShort: false, rebalance: 'daily', every: 21 });
    // 20 and 10 trading days x 52 / 252 weeks, rounded.
    expect(resolveParams(donchian, '1wk', {})).toMatchObject({ entry: 4, exit: 2 });
  });

  it.each([
    [{ entry: 20, foo: 1 }, 'params', /foo/],
    [{ entry: 0 }, 'params.entry', /1/],
    [{ exit: 0 }, 'params.exit', /1/],
    [{ entry: 10, exit: 20 }, 'params.exit', /exit must not be longer than entry/],
    [{ allowShort: 'yes' }, 'params.allowShort', /boolean/],
    [{ rebalance: 'hourly' }, 'params.rebalance', /daily/],
  ])('rejects %j naming %s', (raw, field, message) => {
    expectValidationError(() => params(raw), field, message);
  });

  it('enters on a close above the previous 20-bar high, not on a touch, and exits below the 10-bar low', () => {
    const schedule = donchian.targets(turtle, params({}));
    expect(setRows(schedule.rebalance)).toEqual([21, 32]);
    expect(row(schedule.targets, 21, 2)).toEqual([0.5, Number.NaN]); // 1 / N
    expect(row(schedule.targets, 32, 2)).toEqual([0, Number.NaN]);
    expect(row(schedule.targets, 20, 2)).toEqual([Number.NaN, Number.NaN]);
    expect(row(schedule.targets, 31, 2)).toEqual([Number.NaN, Number.NaN]);
  });

  it('scores the close inside the previous entry channel, NaN until the channel exists', () => {
    const scores = donchian.targets(turtle, params({})).scores!;
    expect(row(scores, 19, 2)).toEqual([Number.NaN, Number.NaN]);
    expect(row(scores, 20, 2)).toEqual([1, 0.5]); // (11 - 9) / (11 - 9), (10 - 9) / (11 - 9)
    expect(scores[21 * 2]).toBeCloseTo((11.6 - 9) / (11.5 - 9), 12);
    expect(scores[32 * 2]).toBeCloseTo((10.9 - 9) / (11.8 - 9), 12);
  });

  it('acts on a state change at the first bar the schedule allows', () => {
    // Entry on Tuesday bar 21 is acted on Friday bar 24; the exit on Wednesday bar 32 on Friday bar 34.
    const schedule = donchian.targets(turtle, params({ rebalance: 'weekly' }));
    expect(setRows(schedule.rebalance)).toEqual([24, 34]);
    expect(row(schedule.targets, 24, 2)).toEqual([0.5, Number.NaN]);
    expect(row(schedule.targets, 34, 2)).toEqual([0, Number.NaN]);
  });

  // CCC, entry 3 / exit 2: bar 3 closes at 8.5 below 9, the low of bars 0..2 (short); bar 5 closes
  // at 9.0 not above 9.5, the high of bars 3..4; bar 6 closes at 9.3 above 9.2, the high of bars
  // 4..5 (cover) but not above 9.5, the high of bars 3..5; bar 7 closes at 9.6 above 9.4 (long).
  const shortSide: Bars = [...repeat([10, 11, 9], 3), [8.5, 9.5, 8], [8.8, 9, 8.5], [9, 9.2, 8.8], [9.3, 9.4, 9.0], [9.6, 9.7, 9.3]];

  it('with allowShort, shorts below the entry-bar low and covers above the exit-bar high', () => {
    const schedule = donchian.targets(barsPanel({ CCC: shortSide }), params({ entry: 3, exit: 2, allowShort: true, weight: 0.25 }));
    expect(setRows(schedule.rebalance)).toEqual([3, 6, 7]);
    expect([3, 6, 7].map((t) => schedule.targets[t])).toEqual([-0.25, 0, 0.25]);
    const longOnly = donchian.targets(barsPanel({ CCC: shortSide }), params({ entry: 3, exit: 2, weight: 0.25 }));
    expect(setRows(longOnly.rebalance)).toEqual([7]);
  });

  it('reverses on one bar when the close clears both the exit and the opposite entry channel', () => {
    // Bar 6 closing at 9.6 is above 9.2 (cover) and above 9.5, the high of bars 3..5 (long).
    const reversal = [...shortSide.slice(0, 6), [9.6, 9.7, 9.0], [9.6, 9.7, 9.3]] as Bars;
    const schedule = donchian.targets(barsPanel({ CCC: reversal }), params({ entry: 3, exit: 2, allowShort: true, weight: 0.25 }));
    expect(setRows(schedule.rebalance)).toEqual([3, 6]);
    expect([3, 6].map((t) => schedule.targets[t])).toEqual([-0.25, 0.25]);
  });

  it('gives NaN for a symbol before its first bar and at a missing bar, carrying its state over', () => {
    // DDD starts at bar 5, breaks out at bar 8 above 11 (high of bars 5..7), has no bar 9: channels
    // holding bar 9 (read at bars 10..12) are NaN, so no signal there.
    const late = barsPanel({
      DDD: [null, null, null, null, null, ...repeat([10, 11, 9], 3), [11.5, 11.8, 11], null, ...repeat([11.6, 11.8, 11.2], 4)],
      EEE: repeat([10, 11, 9], 14),
    });
    const schedule = donchian.targets(late, params({ entry: 3, exit: 2 }));
    expect(setRows(schedule.rebalance)).toEqual([8]);
    expect(row(schedule.targets, 8, 2)).toEqual([0.5, Number.NaN]);
    const scores = Array.from({ length: 14 }, (_, t) => schedule.scores![t * 2]!);
    expect(scores.map(Number.isNaN)).toEqual([true, true, true, true, true, true, true, true, false, true, true, true, true, false]);
    expect(scores[8]).toBeCloseTo((11.5 - 9) / (11 - 9), 12);
    expect(scores[13]).toBeCloseTo((11.6 - 11.2) / (11.8 - 11.2), 12); // channel of bars 10..12, past the gap
  });

  it('never looks ahead: changing every bar after t leaves targets and scores at or before t unchanged', () => {
    const random = createRandom(7);
    const walk = (start: number): Bars => {
      let close = 100;
      return Array.from({ length: 90 }, (_, t) => {
        close *= 1 + (random.next() - 0.5) * 0.06;
        return t < start ? null : [close, close * (1 + random.next() * 0.02), close * (1 - random.next() * 0.02)];
      });
    };
    const panel = barsPanel({ AAA: walk(0), BBB: walk(0), CCC: walk(15), DDD: walk(0) });
    for (const raw of [
      { entry: 10, exit: 5, allowShort: true },
      { entry: 20, exit: 10, rebalance: 'weekly' },
    ])
      expectNoLookAhead(donchian, panel, params(raw), random);
  });
});
