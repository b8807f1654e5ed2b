/**
 * quality-momentum on a hand-built case: five names with constant growth rates and annual
 * statements placed at chosen bars, checked against the rule written out plainly here.
 */
import { describe, expect, it } from 'vitest';
import type { FundamentalField } from '../../src/data/fundamental.js';
import { qualityMomentum, type QualityMomentumParams } from '../../src/strategies/quality-momentum.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { closesPanel, row, setRows, topQuantileWeights, weekdayDates } from '../helpers/strategy-panel.js';
import { expectValidationError } from '../helpers/validation-error.js';

const BARS = 40;
const GROWTH: Record<string, number> = { AAA: 0.01, BBB: 0.02, CCC: 0.03, DDD: 0.025, EEE: 0.04 };
const SYMBOLS = Object.keys(GROWTH);
const closes = Object.fromEntries(SYMBOLS.map((s) => [s, Array.from({ length: BARS }, (_, t) => 100 * (1 + GROWTH[s]!) ** t)]));

/** A figure first seen at bar `bar`, of the fiscal year ending `year`-12-31. */
interface Figure {
  readonly symbol: string;
  readonly field: 'net_income' | 'total_equity' | 'total_debt';
  readonly bar: number;
  readonly year: number;
  readonly value: number;
}
const statement = (symbol: string, bar: number, year: number, ni: number, te: number, td: number): Figure[] => [
  { symbol, field: 'net_income', bar, year, value: ni },
  { symbol, field: 'total_equity', bar, year, value: te },
  { symbol, field: 'total_debt', bar, year, value: td },
];
const FIGURES: Figure[] = [
  ...statement('AAA', 0, 2022, 20, 100, 50), // ROE 0.2, D/E 0.5: passes throughout
  ...statement('BBB', 18, 2022, 15, 100, 100), // passes from bar 18, unknown before
  ...statement('CCC', 0, 2022, 30, 100, 300), // D/E 3: fails ...
  ...statement('CCC', 27, 2023, 30, 100, 100), // ... until the next year's statement
  ...statement('DDD', 0, 2022, 5, 100, 10), // ROE 0.05: fails
  ...statement('EEE', 0, 2022, 40, 100, 20),
  { symbol: 'EEE', field: 'net_income', bar: 5, year: 2023, value: 40 }, // 2023's income with 2022's balance sheet: not ranked
  { symbol: 'EEE', field: 'total_equity', bar: 33, year: 2023, value: 100 },
  { symbol: 'EEE', field: 'total_debt', bar: 33, year: 2023, value: 20 }, // one year again from bar 33
];

/** The panel with the figures laid on its bars: each bar sees the latest figure first seen at or before it. */
function panelWithFigures(): StrategyPanel {
  const panel = closesPanel(closes, { dates: weekdayDates });
  const fields: FundamentalField[] = ['net_income', 'total_equity', 'total_debt'];
  const column = (field: FundamentalField, symbol: string, pick: (f: Figure) => number) =>
    Float64Array.from({ length: BARS }, (_, t) => {
      const seen = FIGURES.filter((f) => f.symbol === symbol && f.field === field && f.bar <= t);
      return seen.length === 0 ? NaN : pick(seen.at(-1)!);
    });
  const grid = (pick: (f: Figure) => number) =>
    Object.fromEntries(fields.map((field) => [field, SYMBOLS.map((s) => column(field, s, pick))]));
  return {
    ...panel,
    fundamentals: { fields, periodType: 'annual', values: grid((f) => f.value), periodEnd: grid((f) => Date.UTC(f.year, 11, 31)) },
  };
}

const params = (raw: Record<string, unknown>): QualityMomentumParams => resolveParams(qualityMomentum, '1d', raw);
const P = params({ lookback: 10, skip: 2, topPct: 50, minRoe: 0.1, maxLeverage: 1.5, rebalance: 'every', every: 5 });

/** The rule, plainly: the figures of one year seen at t, ROE and D/E from them, then the top half by 12-1-style return. */
function expectedWeights(t: number): number[] {
  const eligible: { j: number; r: number }[] = [];
  SYMBOLS.forEach((symbol, j) => {
    const latest = (field: Figure['field']) => FIGURES.filter((f) => f.symbol === symbol && f.field === field && f.bar <= t).at(-1);
    const [ni, te, td] = [latest('net_income'), latest('total_equity'), latest('total_debt')];
    if (!ni || !te || !td || ni.year !== te.year || td.year !== te.year || te.value <= 0) return;
    if (ni.value / te.value < 0.1 || td.value / te.value > 1.5 || t < 10) return;
    eligible.push({ j, r: closes[symbol]![t - 2]! / closes[symbol]![t - 10]! - 1 });
  });
  eligible.sort((a, b) => b.r - a.r);
  return topQuantileWeights(
    SYMBOLS.length,
    eligible.map(({ j }) => j),
    50,
  );
}

describe('quality-momentum', () => {
  it('declares the annual statements it reads, and defaults to 12-1 momentum, ROE >= 10%, D/E <= 1.5, month-end', () => {
    expect(qualityMomentum.data).toEqual({ fundamentals: { fields: ['net_income', 'total_equity', 'total_debt'], periodType: 'annual' } });
    expect(params({})).toMatchObject({ lookback: 252, skip: 21, topPct: 30, minRoe: 0.1, maxLeverage: 1.5, rebalance: 'month-end' });
    expectValidationError(() => params({ lookback: 10, skip: 10 }), 'params.skip', /shorter/);
    expectValidationError(() => params({ maxLeverage: -1 }), 'params.maxLeverage', /0/);
  });

  it('holds the top half by momentum among the names passing the screen, as computed plainly', () => {
    const schedule = qualityMomentum.targets(panelWithFigures(), P);
    expect(setRows(schedule.rebalance)).toEqual([0, 5, 10, 15, 20, 25, 30, 35]);
    for (const t of [10, 15, 20, 25, 30, 35]) expect(row(schedule.targets, t, 5), `bar ${t}`).toEqual(expectedWeights(t));
    // By hand: AAA alone passes at 10 and 15; BBB (faster) from 18; CCC (faster still) from 27; EEE joins at 33.
    expect(row(schedule.targets, 15, 5)).toEqual([1, 0, 0, 0, 0]);
    expect(row(schedule.targets, 20, 5)).toEqual([0, 1, 0, 0, 0]);
    expect(row(schedule.targets, 30, 5)).toEqual([0, 0, 1, 0, 0]);
    expect(row(schedule.targets, 35, 5)).toEqual([0, 0, 0.5, 0, 0.5]);
    // The score is the momentum of the names passing, none for the others.
    expect(row(schedule.scores!, 20, 5).map(Number.isNaN)).toEqual([false, false, true, true, true]);
  });

  it('holds cash on a panel without fundamentals (no name passes)', () => {
    const schedule = qualityMomentum.targets(closesPanel(closes, { dates: weekdayDates }), P);
    expect(row(schedule.targets, 35, 5)).toEqual([0, 0, 0, 0, 0]);
  });
});
