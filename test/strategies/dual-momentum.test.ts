import { describe, expect, it } from 'vitest';
import type { AssetClass } from '../../src/data/bar.js';
import { dualMomentum, type DualMomentumParams } from '../../src/strategies/dual-momentum.js';
import { resolveParams, type StrategyPanel } from '../../src/strategies/strategy.js';
import { createRandom } from '../../src/util/random.js';
import { closesPanel, expectNoLookAhead, randomWalk, row, setRows, validationField, type Series } from '../helpers/strategy-panel.js';

const makePanel = (series: Series, assetClasses?: Record<string, AssetClass>): StrategyPanel => closesPanel(series, { assetClasses });

/** p0 x (1 + r)^k from row `from` on (NaN before): the trailing 5-bar return is (1 + r)^5 - 1. */
function growth(r: number, bars: number, from = 0): number[] {
  return Array.from({ length: bars }, (_, t) => (t < from ? Number.NaN : 100 * (1 + r) ** (t - from)));
}

/** 100 on even rows, 100 (1 + amp) on odd rows: volatility grows with amp; at even rows the 5-bar return is < 0. */
function zigzag(amp: number, bars: number): number[] {
  return Array.from({ length: bars }, (_, t) => (t % 2 === 1 ? 100 * (1 + amp) : 100));
}

const BARS = 12;
const params = (raw: Record<string, unknown>): DualMomentumParams =>
  resolveParams(dualMomentum, '1d', { lookback: 5, rebalance: 'daily', ...raw });
const rowAt = (panel: StrategyPanel, raw: Record<string, unknown>, t = 8): number[] =>
  row(dualMomentum.targets(panel, params(raw)).targets, t, panel.symbols.length);

describe('dualMomentum params', () => {
  it('defaults to GEM: 12-month lookback, the single best asset, zero cash rate, auto fallback, month-end', () => {
    expect(resolveParams(dualMomentum, '1d', {})).toEqual({
      lookback: 252,
      top: 1,
      cashSymbol: '',
      fallback: '',
      rebalance: 'month-end',
      every: 21,
    });
    expect(resolveParams(dualMomentum, '1wk', {})).toMatchObject({ lookback: 52 });
  });

  it('rejects bad params with a ValidationError naming the parameter', () => {
    expect(validationField(() => resolveParams(dualMomentum, '1d', { topN: 2 }))).toBe('params');
    expect(validationField(() => resolveParams(dualMomentum, '1d', { top: 0 }))).toBe('params.top');
    expect(validationField(() => resolveParams(dualMomentum, '1d', { lookback: 2.5 }))).toBe('params.lookback');
    expect(validationField(() => resolveParams(dualMomentum, '1d', { fallback: 'a b' }))).toBe('params.fallback');
    expect(validationField(() => resolveParams(dualMomentum, '1d', { cashSymbol: 'BIL', fallback: 'bil' }))).toBe('params.fallback');
  });

  it('rejects named symbols missing from the panel, and a panel with no risky symbol', () => {
    const panel = makePanel({ SPY: growth(0.01, BARS), AGG: growth(0.001, BARS) }, { AGG: 'bond' });
    expect(validationField(() => dualMomentum.targets(panel, params({ cashSymbol: 'BIL' })))).toBe('params.cashSymbol');
    expect(validationField(() => dualMomentum.targets(panel, params({ fallback: 'TLT' })))).toBe('params.fallback');
    expect(validationField(() => dualMomentum.targets(panel, params({ fallback: 'AGG', cashSymbol: 'SPY' })))).toBe('symbols');
  });
});

describe('dualMomentum targets', () => {
  it('holds the risky asset with the best trailing return (relative momentum), 1/top each', () => {
    const panel = makePanel({ SPY: growth(0.01, BARS), EFA: growth(0.02, BARS), AGG: zigzag(0.01, BARS) }, { AGG: 'bond' });
    expect(rowAt(panel, {})).toEqual([0, 1, 0]);
    expect(rowAt(panel, { top: 2 })).toEqual([0.5, 0.5, 0]);
    expect(dualMomentum.targets(panel, params({})).scores![8 * 3 + 1]).toBeCloseTo(1.02 ** 5 - 1, 12);
  });

  it('falls back to the bond when the best risky asset does not beat cash (absolute momentum)', () => {
    const series = { SPY: growth(0.002, BARS), EFA: growth(0.001, BARS), AGG: zigzag(0.01, BARS), BIL: growth(0.003, BARS) };
    const panel = makePanel(series, { AGG: 'bond', BIL: 'bond' });
    // R_SPY = 1.002^5 - 1 < R_BIL = 1.003^5 - 1: AGG takes the slice. BIL is cash, not a fallback candidate,
    // although its volatility (0: constant growth) is the lowest of the bonds.
    expect(rowAt(panel, { cashSymbol: 'BIL' })).toEqual([0, 0, 1, 0]);
    // Zero cash rate: SPY's 1% beats it.
    expect(rowAt(panel, {})).toEqual([1, 0, 0, 0]);
    // top 2 with SPY beating cash, EFA not: half in SPY, EFA's half in the bond.
    const mixed = makePanel({ ...series, SPY: growth(0.005, BARS) }, { AGG: 'bond', BIL: 'bond' });
    expect(rowAt(mixed, { cashSymbol: 'BIL', top: 2 })).toEqual([0.5, 0, 0.5, 0]);
  });

  it('auto fallback takes the least volatile bond, keeps bonds out of the ranking, and stays in cash without one', () => {
    const series = { SPY: growth(-0.01, BARS), AGG: zigzag(0.01, BARS), SHY: zigzag(0.002, BARS) };
    expect(rowAt(makePanel(series, { AGG: 'bond', SHY: 'bond' }), {})).toEqual([0, 0, 1]);
    // Named fallback: SHY becomes risky, but its 5-bar return at row 8 (even) is 100 / 100.2 - 1 < 0.
    expect(rowAt(makePanel(series, { AGG: 'bond', SHY: 'bond' }), { fallback: 'AGG' })).toEqual([0, 1, 0]);
    // No asset classes: no fallback, the slice stays uninvested.
    expect(rowAt(makePanel(series), {})).toEqual([0, 0, 0]);
    // A bond rising fastest is still not picked as the risky asset in auto mode.
    const rising = { SPY: growth(0.01, BARS), AGG: growth(0.05, BARS) };
    expect(rowAt(makePanel(rising, { AGG: 'bond' }), {})).toEqual([1, 0]);
    expect(rowAt(makePanel(rising), {})).toEqual([0, 1]);
  });

  it('handles symbols that start later: NaN without a price, 0 without a return, skipped rows without a cash return', () => {
    const panel = makePanel({ SPY: growth(0.01, 20), EFA: growth(0.02, 20, 10), AGG: zigzag(0.01, 20) }, { AGG: 'bond' });
    const { targets } = dualMomentum.targets(panel, params({}));
    expect(row(targets, 8, 3)).toEqual([1, Number.NaN, 0]);
    expect(row(targets, 12, 3)).toEqual([1, 0, 0]); // EFA priced, no 5-bar return until row 15
    expect(row(targets, 15, 3)).toEqual([0, 1, 0]);
    // top 2 while only SPY has a return: the empty slot goes to the fallback.
    expect(rowAt(panel, { top: 2 })).toEqual([0.5, Number.NaN, 0.5]);
    const late = makePanel({ SPY: growth(0.01, 20), BIL: growth(0.001, 20, 6) });
    const lateTargets = dualMomentum.targets(late, params({ cashSymbol: 'BIL' })).targets;
    expect(row(lateTargets, 10, 2)).toEqual([Number.NaN, Number.NaN]); // BIL's first return: row 11
    expect(row(lateTargets, 11, 2)).toEqual([1, 0]);
  });

  it('sets targets on month-end rows only by default', () => {
    const panel = makePanel({ SPY: growth(0.01, 70), EFA: growth(0.02, 70) });
    const { rebalance, targets } = dualMomentum.targets(panel, resolveParams(dualMomentum, '1d', { lookback: 5 }));
    expect(setRows(rebalance)).toEqual([30, 59]); // calendar days: 31 January, 29 February
    for (let t = 0; t < 70; t++) expect(row(targets, t, 2).every(Number.isNaN)).toBe(t !== 30 && t !== 59);
  });

  it('does not look ahead and does not mutate its input', () => {
    const random = createRandom(11);
    const walk = (from: number, drift: number): number[] => randomWalk(random, 90, from, (u) => (u - 0.5 + drift) * 0.04);
    const symbols = { SPY: walk(0, 0.02), EFA: walk(15, 0.02), EEM: walk(0, 0), AGG: walk(0, 0), SHY: walk(5, 0), BIL: walk(0, 0.1) };
    const panel = makePanel(symbols, { AGG: 'bond', SHY: 'bond', BIL: 'bond' });
    for (const raw of [{ cashSymbol: 'BIL', top: 2 }, { fallback: 'AGG' }])
      expectNoLookAhead(dualMomentum, panel, params({ lookback: 10, ...raw }), random);
  });
});
