import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatDate,
  formatDays,
  formatDrawdown,
  formatDuration,
  formatInstant,
  formatMoney,
  formatNumber,
  formatPercent,
  formatPoints,
  formatShares,
  formatSignedPercent,
  MISSING,
} from '../../src/report/report-format.js';

describe('report formatting', () => {
  it('writes fractions as percentages, signed where asked, and rounding-zero without a sign', () => {
    expect(formatPercent(0.1234)).toBe('12.3%');
    expect(formatPercent(1.5, 0)).toBe('150%');
    expect(formatPercent(12.345, 1)).toBe('1,234.5%');
    expect(formatSignedPercent(0.05)).toBe('+5.0%');
    expect(formatSignedPercent(-0.123)).toBe('-12.3%');
    expect(formatSignedPercent(-0.00001)).toBe('0.0%');
    expect(formatPoints(0.025)).toBe('+2.5 pp');
    expect(formatPoints(-0.3)).toBe('-30.0 pp');
    expect(formatPoints(0.0001)).toBe('0.0 pp');
  });

  it('writes money with the currency symbol, and unknown codes after the amount', () => {
    expect(formatMoney(1234.5, 'USD')).toBe('$1,234.50');
    expect(formatMoney(-10, 'EUR')).toBe('-€10.00');
    expect(formatMoney(100000, 'INR')).toBe('₹100,000.00');
    expect(formatMoney(5, 'not a code')).toBe('5.00 not a code');
  });

  it('writes numbers, shares, dates, instants, ages and durations', () => {
    expect(formatNumber(1.23456, 2)).toBe('1.23');
    expect(formatNumber(1234567, 0)).toBe('1,234,567');
    expect(formatShares(1200)).toBe('1,200');
    expect(formatShares(2.5)).toBe('2.5');
    expect(formatDate('2024-01-02')).toBe('2 Jan 2024');
    expect(formatDate('2024-12-31T10:00:00Z')).toBe('31 Dec 2024');
    expect(formatDate('soon')).toBe('soon');
    expect(formatInstant('2024-03-01T03:30:05.250Z')).toBe('2024-03-01 03:30:05 UTC');
    expect(formatInstant(new Date(Date.UTC(2024, 0, 2, 22, 30)))).toBe('2024-01-02 22:30:00 UTC');
    expect(formatDays(0)).toBe('today');
    expect(formatDays(1)).toBe('1 day');
    expect(formatDays(12)).toBe('12 days');
    expect(formatDuration('2024-01-01T00:00:00Z', '2024-01-01T00:00:02.5Z')).toBe('2.5 s');
    expect(formatDuration('2024-01-01T00:00:00Z', '2024-01-01T00:03:04Z')).toBe('3 min 4 s');
  });

  it('shows a dash for every missing figure', () => {
    for (const f of [
      formatPercent,
      formatSignedPercent,
      formatPoints,
      formatNumber,
      formatShares,
      formatDays,
      formatDrawdown,
      formatBytes,
    ]) {
      expect(f(null)).toBe(MISSING);
      expect(f(undefined)).toBe(MISSING);
      expect(f(Number.NaN)).toBe(MISSING);
    }
    expect(formatMoney(null, 'USD')).toBe(MISSING);
    expect(formatDate(null)).toBe(MISSING);
    expect(formatInstant(null)).toBe(MISSING);
    expect(formatDuration(null, '2024-01-01')).toBe(MISSING);
  });

  it('writes shares to the precision of their lot, and up to 4 decimals when the lot is not known', () => {
    expect(formatShares(1200, 1)).toBe('1,200');
    expect(formatShares(1200, 100)).toBe('1,200');
    expect(formatShares(2.5, 0.01)).toBe('2.50');
    expect(formatShares(3, 0.25)).toBe('3.00');
    expect(formatShares(0.12345678, 1e-8)).toBe('0.12345678');
    expect(formatShares(9576.989869403966)).toBe('9,576.9899');
    expect(formatShares(5, 0)).toBe('5');
    expect(formatShares(null, 1)).toBe(MISSING);
  });

  it('writes a drawdown negative from its depth, none as an unsigned zero', () => {
    expect(formatDrawdown(0.1234)).toBe('-12.34%');
    expect(formatDrawdown(0.1234, 1)).toBe('-12.3%');
    expect(formatDrawdown(0)).toBe('0.00%');
    expect(formatDrawdown(0.000001)).toBe('0.00%');
  });

  it('writes sizes in KB and MB', () => {
    expect(formatBytes(151049)).toBe('147.5 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.00 MB');
  });
});
