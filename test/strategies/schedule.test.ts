import { describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { rebalanceMask } from '../../src/strategies/schedule.js';

const days = (...iso: string[]) => Float64Array.from(iso.map(dateToTs));
const marked = (dates: Float64Array, mask: Uint8Array) =>
  [...dates].filter((_, i) => mask[i]).map((t) => new Date(t).toISOString().slice(0, 10));

describe('rebalanceMask', () => {
  const dates = days('2024-01-29', '2024-01-30', '2024-01-31', '2024-02-01', '2024-02-02', '2024-02-05', '2024-02-28');

  it('month-end: the last bar of each month in the data; the last bar counts when the next weekday is in a new month', () => {
    expect(marked(dates, rebalanceMask(dates, '1d', { rebalance: 'month-end', every: 1 }))).toEqual(['2024-01-31']);
    const withHoliday = days('2024-03-27', '2024-03-28', '2024-04-01'); // Good Friday 2024-03-29: no bar
    expect(marked(withHoliday, rebalanceMask(withHoliday, '1d', { rebalance: 'month-end', every: 1 }))).toEqual(['2024-03-28']);
    const endsFriday = days('2024-05-30', '2024-05-31');
    expect(marked(endsFriday, rebalanceMask(endsFriday, '1d', { rebalance: 'month-end', every: 1 }))).toEqual(['2024-05-31']);
  });

  it('weekly: the last bar of each Monday-to-Sunday week', () => {
    expect(marked(dates, rebalanceMask(dates, '1d', { rebalance: 'weekly', every: 1 }))).toEqual(['2024-02-02', '2024-02-05']);
  });

  it('daily: every bar; every N: bars 0, N, 2N', () => {
    expect(rebalanceMask(dates, '1d', { rebalance: 'daily', every: 1 }).every((v) => v === 1)).toBe(true);
    expect([...rebalanceMask(dates, '1d', { rebalance: 'every', every: 3 })]).toEqual([1, 0, 0, 1, 0, 0, 1]);
  });

  it('daily on intraday bars: the last bar of each day (the data end is not a known day end)', () => {
    const bars = Float64Array.from(['2024-01-02T14:30:00Z', '2024-01-02T20:55:00Z', '2024-01-03T14:30:00Z'].map(Date.parse));
    expect([...rebalanceMask(bars, '5m', { rebalance: 'daily', every: 1 })]).toEqual([0, 1, 0]);
  });
});
