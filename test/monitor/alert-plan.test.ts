import { describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { planAlerts } from '../../src/monitor/alert-plan.js';
import { portfolioPath, type MonitoredRebalance, type PriceTable } from '../../src/monitor/value-path.js';

const dates = (...days: string[]) => Float64Array.from(days.map(dateToTs));

// R1 holds A and B; R2 (the 3rd) sells B after it fell 10%, buys C, which then falls 25%.
const rebalances: MonitoredRebalance[] = [
  {
    id: 1,
    asOf: '2024-01-01',
    cash: 100,
    holdings: [
      { symbol: 'A', shares: 10, price: 20, targetWeight: 0.4, weight: 0.4 },
      { symbol: 'B', shares: 5, price: 40, targetWeight: 0.4, weight: 0.4 },
    ],
  },
  {
    id: 2,
    asOf: '2024-01-03',
    cash: 2,
    holdings: [
      { symbol: 'A', shares: 12, price: 24, targetWeight: 0.45, weight: 0.46 },
      { symbol: 'C', shares: 30, price: 11, targetWeight: 0.55, weight: 0.53 },
    ],
  },
];
const prices: PriceTable = {
  dates: dates('2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'),
  symbols: ['A', 'B', 'C'],
  close: [Float64Array.of(20, 22, 24, 23, 25), Float64Array.of(40, 38, 36, 35, 30), Float64Array.of(10, 10, 11, 12, 9)],
};
const path = portfolioPath(rebalances, prices, { asOf: '2024-01-05' });
const thresholds = { portfolio: [-0.05, -0.1], position: [-0.05, -0.1, -0.2] };

describe('planAlerts', () => {
  it('alerts the portfolio and each position from their own peaks, with the holdings that were marked', () => {
    const plan = planAlerts(path, thresholds, [], Number.NEGATIVE_INFINITY, '1d');
    const summary = plan.drafts.map((d) => [
      d.scope,
      d.symbol,
      d.threshold,
      d.observedAt,
      d.rebalanceId,
      d.peakDate,
      d.peakValue,
      d.recoveredAt,
      d.resolution,
    ]);
    expect(summary).toEqual([
      // B: 38 is 5% below 40 on the 2nd; 36 is 10% below on the 3rd, the day it is sold (marked with R1's holdings)
      ['position', 'B', -0.05, '2024-01-02', 1, '2024-01-01', 40, '2024-01-03', 'position-closed'],
      ['position', 'B', -0.1, '2024-01-03', 1, '2024-01-01', 40, '2024-01-03', 'position-closed'],
      // the portfolio: 572 against 638 on the 4th is -10.3%
      ['portfolio', null, -0.05, '2024-01-05', 2, '2024-01-04', 638, null, null],
      ['portfolio', null, -0.1, '2024-01-05', 2, '2024-01-04', 638, null, null],
      // C: 9 against 12 is -25%
      ['position', 'C', -0.05, '2024-01-05', 2, '2024-01-04', 12, null, null],
      ['position', 'C', -0.1, '2024-01-05', 2, '2024-01-04', 12, null, null],
      ['position', 'C', -0.2, '2024-01-05', 2, '2024-01-04', 12, null, null],
    ]);
    expect(plan.drafts[2]!.drawdown).toBeCloseTo(572 / 638 - 1, 12);
    expect(plan.drafts[2]!.details).toEqual({ value: 572, index: path.index[4], peakIndex: path.index[3] });
    expect(plan.drafts[4]!.details).toEqual({ price: 9, entryDate: '2024-01-03', entryPrice: 11 });
    expect(plan.endings).toEqual([]);
  });

  it('from a watermark: ends stored episodes (a sold position, a recovered portfolio) and alerts only later bars', () => {
    const open = [
      { id: 41, scope: 'position' as const, symbol: 'B', threshold: -0.05, observedAt: '2024-01-02' },
      { id: 43, scope: 'portfolio' as const, symbol: null, threshold: -0.1, observedAt: '2024-01-02' },
    ];
    const plan = planAlerts(path, thresholds, open, dateToTs('2024-01-02'), '1d');
    expect(plan.endings).toEqual([
      // the index makes a new high on the 3rd (520 / 500 > 510 / 500)
      { id: 43, recoveredAt: '2024-01-03', resolution: 'recovered' },
      { id: 41, recoveredAt: '2024-01-03', resolution: 'position-closed' },
    ]);
    // B's -5% on the 2nd is at the watermark: an earlier run saw it
    expect(plan.drafts.map((d) => [d.symbol, d.threshold, d.observedAt])).toEqual([
      ['B', -0.1, '2024-01-03'],
      [null, -0.05, '2024-01-05'],
      [null, -0.1, '2024-01-05'],
      ['C', -0.05, '2024-01-05'],
      ['C', -0.1, '2024-01-05'],
      ['C', -0.2, '2024-01-05'],
    ]);
  });

  it('ends the episodes of a position sold by a rebalance stored after the watermark passed its date', () => {
    // the monitor ran through the 5th before R2 (the 3rd, selling B) was stored: the scan never sees B's sale
    const open = [
      { id: 51, scope: 'position' as const, symbol: 'B', threshold: -0.05, observedAt: '2024-01-02' },
      { id: 52, scope: 'position' as const, symbol: 'C', threshold: -0.05, observedAt: '2024-01-05' },
    ];
    const plan = planAlerts(path, thresholds, open, dateToTs('2024-01-05'), '1d');
    expect(plan).toEqual({ drafts: [], endings: [{ id: 51, recoveredAt: '2024-01-03', resolution: 'position-closed' }] });
  });

  it('creates nothing when every bar is at or before the watermark', () => {
    const plan = planAlerts(path, thresholds, [], dateToTs('2024-01-05'), '1d');
    expect(plan).toEqual({ drafts: [], endings: [] });
  });
});
