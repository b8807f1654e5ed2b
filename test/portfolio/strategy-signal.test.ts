/** The next rebalance date on the calendar of future weekdays, and after a day with no bar. */
import { describe, expect, it } from 'vitest';
import { dateToTs } from '../../src/data/bar.js';
import { nextRebalanceDate } from '../../src/portfolio/strategy-signal.js';

const weekdays = (from: string, to: string) => {
  const out: number[] = [];
  for (let ts = dateToTs(from); ts <= dateToTs(to); ts += 86_400_000) if (![0, 6].includes(new Date(ts).getUTCDay())) out.push(ts);
  return Float64Array.from(out);
};

describe('nextRebalanceDate', () => {
  const dates = weekdays('2019-11-01', '2019-12-24');
  it('is the next weekday for a daily schedule and the last weekday of the month for month-end', () => {
    expect(nextRebalanceDate(dates, '1d', { rebalance: 'daily', every: 1 })).toBe('2019-12-25');
    expect(nextRebalanceDate(dates, '1d', { rebalance: 'month-end', every: 21 })).toBe('2019-12-31');
  });
  it('is never on or before a day that had no bar (a holiday): it moves to the next day after it', () => {
    expect(nextRebalanceDate(dates, '1d', { rebalance: 'daily', every: 1 }, '2019-12-25')).toBe('2019-12-26');
    expect(nextRebalanceDate(dates, '1d', { rebalance: 'month-end', every: 21 }, '2019-12-25')).toBe('2019-12-31');
  });
  it('has none for intraday bars or no bars', () => {
    expect(nextRebalanceDate(new Float64Array(), '1d', { rebalance: 'daily', every: 1 })).toBeNull();
    expect(nextRebalanceDate(dates, '1h', { rebalance: 'daily', every: 1 })).toBeNull();
  });
});
