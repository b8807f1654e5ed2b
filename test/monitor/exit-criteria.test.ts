import { describe, expect, it } from 'vitest';
import { rebalanceSpacing, strategyVerdict, strategyViewNow, trailingStopHit } from '../../src/monitor/exit-criteria.js';
import { donchian } from '../../src/strategies/donchian.js';
import { maTrend } from '../../src/strategies/ma-trend.js';
import { resolveParams, type Strategy, type StrategyParams } from '../../src/strategies/strategy.js';
import { closesPanel, panelOf, weekdayDates } from '../helpers/strategy-panel.js';

const asStrategy = (s: unknown) => s as Strategy<StrategyParams>;

describe('strategyViewNow', () => {
  // 30 weekday bars: A rises throughout; B rises, then falls over the last three bars; C starts at bar 27.
  const A = Array.from({ length: 30 }, (_, t) => 10 + t);
  const B = Array.from({ length: 30 }, (_, t) => (t < 27 ? 50 + t : [60, 55, 50][t - 27]!));
  const C = Array.from({ length: 30 }, (_, t) => (t < 27 ? Number.NaN : 100));
  const panel = closesPanel({ A, B, C }, { dates: weekdayDates });
  const params = resolveParams(maTrend, '1d', { window: 5 }); // month-end, as stored with a portfolio

  it('evaluates a month-end strategy at the last bar, as if the month ended today', () => {
    const view = strategyViewNow(asStrategy(maTrend), panel, params);
    expect(view.signalDate).toBe('2024-02-09'); // the 30th weekday from Monday 1 January
    // A: 39 above SMA(35..39) = 37; B: 50 below SMA(75, 76, 60, 55, 50) = 63.2; two symbols have an SMA: 1/2 each
    expect(view.weights.get('A')).toBe(0.5);
    expect(view.weights.get('B')).toBe(0);
    expect(view.scores.get('B')).toBeCloseTo(50 / 63.2 - 1, 12);
    // C has 3 bars, no 5-bar SMA: the strategy has no view on it
    expect(view.weights.get('C')).toBeNull();
    expect(strategyVerdict(view.weights.get('A'))).toBe('holds');
    expect(strategyVerdict(view.weights.get('B'))).toBe('exit');
    expect(strategyVerdict(view.weights.get('C'))).toBe('unknown');
  });

  it('agrees with the strategy rebalancing daily, at the last bar', () => {
    const daily = maTrend.targets(panel, { ...params, rebalance: 'daily' });
    const last = 29 * 3;
    const view = strategyViewNow(asStrategy(maTrend), panel, params);
    expect([view.weights.get('A'), view.weights.get('B')]).toEqual([daily.targets[last], daily.targets[last + 1]]);
  });

  it('reads a stateful strategy back to the bar it last acted on', () => {
    // Donchian 3/2: both break out at bar 5 (12 above the 10s); B falls below its 2-bar low at the last bar.
    const A = [10, 10, 10, 10, 10, 12, 12, 12, 12, 12];
    const B = [10, 10, 10, 10, 10, 12, 12, 12, 12, 9];
    const p = panelOf({ adj_close: { A, B }, adj_high: { A, B }, adj_low: { A, B } }, { dates: weekdayDates });
    const view = strategyViewNow(asStrategy(donchian), p, resolveParams(donchian, '1d', { entry: 3, exit: 2 }));
    // A's only target was set at bar 5 (entries are not repeated): still held, at 1/N
    expect(view.weights.get('A')).toBe(0.5);
    expect(view.weights.get('B')).toBe(0);
  });

  it('says nothing on an empty panel', () => {
    const empty = closesPanel({ A: [] });
    expect(strategyViewNow(asStrategy(maTrend), empty, params).weights.get('A')).toBeNull();
  });

  it('does not mutate the panel', () => {
    const before = structuredClone(panel.values);
    strategyViewNow(asStrategy(maTrend), panel, params);
    expect(panel.values).toEqual(before);
  });
});

describe('rebalanceSpacing', () => {
  it("keeps the strategy's own spacing in bars", () => {
    expect(rebalanceSpacing({ rebalance: 'month-end', every: 21 }, '1d')).toBe(21);
    expect(rebalanceSpacing({ rebalance: 'weekly', every: 21 }, '1d')).toBe(5);
    expect(rebalanceSpacing({ rebalance: 'every', every: 7 }, '1d')).toBe(7);
    expect(rebalanceSpacing({ rebalance: 'daily', every: 21 }, '1d')).toBe(1);
    expect(rebalanceSpacing({ rebalance: 'month-end', every: 21 }, '1mo')).toBe(1);
  });
});

describe('trailingStopHit', () => {
  it('fires at the stop and below, not above', () => {
    expect(trailingStopHit(-0.15, 0.15)).toBe(true);
    expect(trailingStopHit(-0.2, 0.15)).toBe(true);
    expect(trailingStopHit(-0.1499, 0.15)).toBe(false);
  });
});
