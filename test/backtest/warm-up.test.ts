import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/backtest/metrics.js';
import { firstFullSignal } from '../../src/backtest/warm-up.js';
import type { TargetSchedule } from '../../src/strategies/strategy.js';
import { weekdayDates } from '../helpers/strategy-panel.js';

const NaN_ = Number.NaN;
const schedule = (scores: number[] | undefined, targets: number[], rebalance: number[]): TargetSchedule => ({
  kind: 'weights',
  rebalance: Uint8Array.from(rebalance),
  targets: Float64Array.from(targets),
  ...(scores ? { scores: Float64Array.from(scores) } : {}),
});

describe('firstFullSignal', () => {
  // Two symbols, four bars; B has no price at bar 0.
  const closes = [Float64Array.of(10, 11, 12, 13), Float64Array.of(NaN_, 20, 21, 22)];

  it('is the first bar where every symbol with a price has a score', () => {
    // Bar 0: A scored, B unpriced: full. From start 1: B's score comes at bar 2.
    const s = schedule([1, NaN_, 1, NaN_, 1, 2, 1, 2], Array(8).fill(NaN_), [0, 0, 0, 0]);
    expect(firstFullSignal(s, closes, 0)).toBe(0);
    expect(firstFullSignal(s, closes, 1)).toBe(2);
  });

  it('does not wait for a symbol the strategy never scores (a cash proxy)', () => {
    // B is priced throughout from bar 1 but never scored: A's score at bar 1 makes the signal full.
    const s = schedule([NaN_, NaN_, 1, NaN_, 1, NaN_, 1, NaN_], Array(8).fill(NaN_), [0, 0, 0, 0]);
    expect(firstFullSignal(s, closes, 0)).toBe(1);
  });

  it('reads targets at rebalance bars for a strategy without scores, and -1 when never full', () => {
    expect(firstFullSignal(schedule(undefined, [NaN_, NaN_, 0.5, NaN_, 0.5, 0.5, NaN_, NaN_], [0, 1, 1, 0]), closes, 0)).toBe(2);
    expect(firstFullSignal(schedule(Array(8).fill(NaN_), Array(8).fill(NaN_), [1, 1, 1, 1]), closes, 0)).toBe(-1);
  });
});

describe('computeMetrics: warm-up', () => {
  const dates = weekdayDates(6);
  const base = { interval: '1d' as const, dates, equity: Float64Array.of(100, 100, 100, 101, 102, 103), initialCash: 100, trades: [] };
  const grossExposure = Float64Array.of(0, 0, 0, 101, 102, 103);

  it('reports the full-signal date, the bars and days before it and the bars in cash meanwhile', () => {
    const { warmUp } = computeMetrics({ ...base, grossExposure, fullSignalBar: 2 });
    // Weekdays from Monday 2024-01-01: bar 2 is Wednesday, 2 days after the first bar.
    expect(warmUp).toEqual({ fullSignal: '2024-01-03', barsBefore: 2, daysBefore: 2, cashBars: 2 });
  });

  it('says when the signal never became full, and is null when not asked', () => {
    expect(computeMetrics({ ...base, grossExposure, fullSignalBar: -1 }).warmUp).toEqual({
      fullSignal: null,
      barsBefore: 6,
      daysBefore: null,
      cashBars: 3,
    });
    expect(computeMetrics(base).warmUp).toBeNull();
    expect(() => computeMetrics({ ...base, fullSignalBar: 6 })).toThrow(/fullSignalBar/);
  });
});
