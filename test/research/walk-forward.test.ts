import { describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { ValidationError } from '../../src/errors.js';
import { walkForwardOnData, windowBars } from '../../src/research/walk-forward.js';
import { createRandom } from '../../src/util/random.js';

const DAY = 86_400_000;

/**
 * One asset, two regimes. Bars 0-1499: a slow cycle (500 bars) plus a small fast wiggle (24 bars):
 * a 120-bar lookback follows the trend, a 10-bar one is whipsawed by the wiggle. Bars 1500-2999:
 * a fast cycle (80 bars): the 10-bar lookback follows it, the 120-bar one is out of phase.
 */
function regimeSwitchData() {
  const random = createRandom(1);
  const bars = 3000;
  const dates = Float64Array.from({ length: bars }, (_, i) => Date.UTC(2000, 0, 3) + i * DAY);
  const close = Float64Array.from({ length: bars }, (_, t) => {
    const slow = t < 1500 ? 0.25 * Math.sin((2 * Math.PI * t) / 500) + 0.03 * Math.sin((2 * Math.PI * t) / 24) : 0;
    const fast = t >= 1500 ? 0.1 * Math.sin((2 * Math.PI * t) / 80) : 0;
    return 100 * Math.exp(slow + fast + 0.002 * random.normal());
  });
  return { panel: { interval: '1d' as const, symbols: ['AAA'], dates, values: { adj_close: [close], adj_open: [close] } }, warnings: [] };
}

const spec = parseBacktestSpec({
  strategy: 'ts-momentum',
  symbols: ['AAA'],
  params: { rebalance: 'every', every: 5, com: 20, allowShort: true },
  allowShort: true,
  costs: { bps: 0, slippageBps: 0 },
});

const ROLLING = { grid: { lookback: [10, 120] }, trainBars: 500, testBars: 250, mode: 'rolling', selectBy: 'sharpe' } as const;

describe('walk-forward analysis', () => {
  it('picks the long lookback in the slow regime and switches to the short one after the regime changes', () => {
    const result = walkForwardOnData(spec, regimeSwitchData(), ROLLING);
    const chosen = result.windows.map((w) => w.chosen.lookback);
    // Windows whose training span lies in the first regime (test starts at bars 500..1500) pick 120,
    // those trained wholly in the second (test from bar 2000) pick 10.
    expect(chosen.slice(0, 4)).toEqual([120, 120, 120, 120]);
    expect(chosen.slice(6)).toEqual([10, 10, 10, 10]);
    expect(result.windows.map((w) => w.testFrom)).toEqual(
      result.windows.map((_, k) => new Date(Date.UTC(2000, 0, 3) + (500 + 250 * k) * DAY).toISOString().slice(0, 10)),
    );
  });

  it('chooses only on training bars, and stitches the test segments into one continuous curve', () => {
    const data = regimeSwitchData();
    const result = walkForwardOnData(spec, data, ROLLING);
    for (const w of result.windows) expect(w.trainTo < w.testFrom).toBe(true);
    // Stitched length = all test bars; the curve continues where each segment ended.
    expect(result.dates.length).toBe(3000 - 500);
    expect(result.dates[0]).toBe(data.panel.dates[500]);
    const segmentGrowth = result.windows.reduce((g, w) => g * (1 + w.outOfSample.totalReturnPct / 100), 1);
    expect(result.equity[result.equity.length - 1]! / spec.initialCash).toBeCloseTo(segmentGrowth, 8);
    expect(result.metrics.period.bars).toBe(2500);
  });

  it('does not let a choice depend on bars after its training span', () => {
    const data = regimeSwitchData();
    const full = walkForwardOnData(spec, data, ROLLING);
    const cut = walkForwardOnData({ ...spec, to: full.windows[3]!.testTo }, data, ROLLING);
    expect(cut.windows.map((w) => w.chosen)).toEqual(full.windows.slice(0, 4).map((w) => w.chosen));
  });

  it('closes trades open at a window end at its last mark, so the trades add up to the stitched equity', () => {
    const costly = parseBacktestSpec({ ...spec, costs: { bps: 5, slippageBps: 5, fixedFee: 1 } });
    const result = walkForwardOnData(costly, regimeSwitchData(), ROLLING);
    const net = result.trades.reduce((sum, t) => sum + t.pnlNet, 0);
    const change = result.equity[result.equity.length - 1]! - costly.initialCash;
    expect(Math.abs(net - change)).toBeLessThan(1e-6 * costly.initialCash);
    // Every window but the last ends holding something (the strategy is always in the market).
    const markedAtWindowEnd = result.trades.filter((t) => t.closedAtWindowEnd);
    expect(new Set(markedAtWindowEnd.map((t) => t.window)).size).toBe(result.windows.length - 1);
    expect(result.metrics.trades.closed + result.metrics.trades.openAtEnd).toBe(result.trades.length);
    expect(result.metrics.trades.netPnl).toBeCloseTo(
      result.trades.filter((t) => !t.open).reduce((sum, t) => sum + t.pnlNet, 0),
      6,
    );
    expect(result.metrics.trades.openAtEnd).toBe(result.trades.filter((t) => t.open).length);
    expect(result.trades.filter((t) => t.open).every((t) => t.window === result.windows.length - 1)).toBe(true);
  });

  it('reports turnover, exposure and the benchmark as a backtest does', () => {
    const data = { ...regimeSwitchData(), benchmark: Float64Array.from({ length: 3000 }, (_, t) => 100 + t / 10) };
    const result = walkForwardOnData({ ...spec, benchmark: 'AAA' }, data, ROLLING);
    expect(result.metrics.activity.turnover).toBeGreaterThan(0);
    expect(result.metrics.activity.timeInMarket).toBeGreaterThan(0.9);
    expect(result.metrics.benchmark).toMatchObject({ symbol: 'AAA', start: result.windows[0]!.testFrom });
    // Buy and hold of the benchmark over the stitched period: from bar 500's price to the last.
    expect(result.metrics.benchmark!.totalReturnPct).toBeCloseTo((399.9 / 150 - 1) * 100, 10);
  });

  it('builds rolling and anchored windows that tile the test period', () => {
    expect(windowBars(0, 99, { trainBars: 40, testBars: 20, mode: 'rolling' })).toEqual([
      [0, 39, 40, 59],
      [20, 59, 60, 79],
      [40, 79, 80, 99],
    ]);
    expect(windowBars(0, 94, { trainBars: 40, testBars: 20, mode: 'anchored' })).toEqual([
      [0, 39, 40, 59],
      [0, 59, 60, 79],
      [0, 79, 80, 94],
    ]);
  });

  it('explains a period too short for one window', () => {
    const options = { grid: { lookback: [10] }, trainBars: 5000, testBars: 250, mode: 'rolling' as const, selectBy: 'sharpe' as const };
    expect(() => walkForwardOnData(spec, regimeSwitchData(), options)).toThrow(ValidationError);
    expect(() => walkForwardOnData(spec, regimeSwitchData(), options)).toThrow(
      'trainBars: no complete window: 5000 training bars leave no test bars in the 3000 bars of the period',
    );
  });
});
