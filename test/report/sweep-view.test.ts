/**
 * The sweep's grid view: swept parameters found from the rows, a heatmap cell as the mean (or
 * median, max, min) of the combinations sharing it or the one with the other parameters fixed,
 * and refusals that name the flag. Metrics are real ones (computeMetrics on made-up equity curves).
 */
import { describe, expect, it } from 'vitest';
import { computeMetrics } from '../../src/backtest/metrics.js';
import { aggregateOf, sweepHeatmap, sweptParams, type SweepRow } from '../../src/report/sweep-view.js';

const DAY = 86_400_000;

/** A combination whose equity grows by `drift` a bar with a little alternating noise. */
function row(backtestId: number, params: SweepRow['params'], drift: number): SweepRow {
  const n = 300;
  const dates = Float64Array.from({ length: n }, (_, i) => Date.UTC(2020, 0, 1) + i * DAY);
  let value = 1_000;
  const equity = Float64Array.from({ length: n }, (_, i) => (value *= 1 + drift + (i % 2 === 0 ? 0.004 : -0.004)));
  return { backtestId, params, metrics: computeMetrics({ interval: '1d', dates, equity, initialCash: 1_000, trades: [] }) };
}

const rows: SweepRow[] = [];
let id = 1;
for (const lookback of [126, 63, 252])
  for (const skip of [0, 21])
    for (const topPct of [25, 50])
      rows.push(row(id++, { lookback, skip, topPct, rebalance: 'monthly' }, lookback * 1e-6 + skip * 1e-5 + topPct * 1e-6));
const sharpe = (r: SweepRow) => r.metrics.returns.sharpe!;

describe('sweepHeatmap', () => {
  it('finds the swept parameters and maps the mean of the others in each cell by default', () => {
    expect(sweptParams(rows)).toEqual(['lookback', 'skip', 'topPct']);
    const map = sweepHeatmap(rows);
    expect(map.x).toEqual({ param: 'lookback', values: [63, 126, 252] });
    expect(map.y).toEqual({ param: 'skip', values: [0, 21] });
    expect(map.over).toEqual(['topPct']);
    expect(map.description).toBe('mean over topPct (2 values)');
    const cell = rows.filter((r) => r.params.lookback === 252 && r.params.skip === 21).map(sharpe);
    expect(map.z[1]![2]).toBeCloseTo((cell[0]! + cell[1]!) / 2, 12);
    expect(map.counts.flat()).toEqual([2, 2, 2, 2, 2, 2]);
  });

  it('holds a parameter fixed, with another metric and aggregate', () => {
    const map = sweepHeatmap(rows, { metric: 'cagr', x: 'topPct', y: 'lookback', fixed: { skip: 21 }, aggregate: 'min' });
    expect(map.description).toBe('skip = 21');
    const one = rows.find((r) => r.params.lookback === 63 && r.params.topPct === 50 && r.params.skip === 21)!;
    expect(map.z[0]![1]).toBe(one.metrics.returns.cagr);
    expect(map.counts.flat()).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('draws a single row when the sweep varied one parameter', () => {
    const single = rows.filter((r) => r.params.skip === 0 && r.params.topPct === 25);
    const map = sweepHeatmap(single, { metric: 'max-drawdown' });
    expect(map.y).toBeNull();
    expect(map.z).toHaveLength(1);
    expect(map.z[0]![0]).toBe(-single.find((r) => r.params.lookback === 63)!.metrics.drawdown.maxDepthPct / 100);
    expect(map.description).toBe('each cell is one combination');
  });

  it('refuses an unknown metric or parameter, one parameter twice, and a fixed value the sweep never had', () => {
    expect(() => sweepHeatmap(rows, { metric: 'alpha' })).toThrow(/unknown metric "alpha": one of sharpe, sortino/);
    expect(() => sweepHeatmap(rows, { x: 'window' })).toThrow(/"window" is not a parameter of the sweep/);
    expect(() => sweepHeatmap(rows, { x: 'skip', y: 'skip' })).toThrow(/x and y are both "skip"/);
    expect(() => sweepHeatmap(rows, { fixed: { topPct: 30 } })).toThrow(/no combination with topPct=30: its values are 25, 50/);
    expect(() => sweepHeatmap(rows, { x: 'lookback', fixed: { lookback: 63 } })).toThrow(/"lookback" is on an axis/);
    // Unnamed axes are the swept parameters not fixed.
    expect(sweepHeatmap(rows, { fixed: { lookback: 63 } })).toMatchObject({ x: { param: 'skip' }, y: { param: 'topPct' } });
  });

  it('aggregates as named, and leaves the rows untouched', () => {
    expect(aggregateOf('median', [3, 1, 2, 10])).toBe(2.5);
    expect(aggregateOf('max', [3, 1])).toBe(3);
    expect(aggregateOf('mean', [])).toBeNull();
    const before = rows.map((r) => r.backtestId);
    sweepHeatmap(rows, { aggregate: 'median' });
    expect(rows.map((r) => r.backtestId)).toEqual(before);
  });
});
