/**
 * One strict date parser: real calendar dates only, an error naming the field; and every place a
 * date comes in from outside (specs, requests, job arguments, options of the API) uses it.
 */
import { describe, expect, it } from 'vitest';
import { validationErrorOf } from '../helpers/validation-error.js';
import { parseBacktestSpec } from '../../src/backtest/backtest-spec.js';
import { parsePortfolioRequest } from '../../src/portfolio/portfolio-spec.js';
import { daysBetween } from '../../src/portfolio/cash-flows.js';
import { calendarDateSchema, dateToTs, parseCalendarDate } from '../../src/util/calendar-date.js';
import { ingestJob } from '../../jobs/ingest.js';

const IMPOSSIBLE = [
  '2008-02-30',
  '2020-13-45',
  '2023-02-29',
  '2024-04-31',
  '2024-00-10',
  '2024-01-00',
  '2024-1-05',
  ' 2024-01-05',
  '20240105',
  '',
];

function fieldOf(run: () => unknown): string {
  const error = validationErrorOf(run);
  expect(error.message).toMatch(/is not a calendar date|expected a calendar date/);
  return error.field;
}

describe('calendar dates', () => {
  it('reads real calendar dates, leap days included, as 00:00 UTC', () => {
    expect(parseCalendarDate('2024-02-29', 'from')).toBe(Date.UTC(2024, 1, 29));
    expect(parseCalendarDate('2000-02-29', 'from')).toBe(Date.UTC(2000, 1, 29));
    expect(dateToTs('1999-12-31')).toBe(Date.UTC(1999, 11, 31));
    expect(calendarDateSchema.parse('2008-02-29')).toBe('2008-02-29');
  });

  it.each(IMPOSSIBLE)('refuses %j, naming the field', (text) => {
    expect(dateToTs(text)).toBeNaN();
    expect(fieldOf(() => parseCalendarDate(text, 'as-of'))).toBe('as-of');
    expect(calendarDateSchema.safeParse(text).success).toBe(false);
  });

  it('says what is wrong with a date', () => {
    expect(() => parseCalendarDate('2008-02-30', 'from')).toThrow(
      'from: 2008-02-30 is not a calendar date (February 2008 has 29 days); use YYYY-MM-DD',
    );
    expect(() => parseCalendarDate('2020-13-45', 'from')).toThrow(
      'from: 2020-13-45 is not a calendar date (there is no month 13); use YYYY-MM-DD',
    );
    expect(() => parseCalendarDate('yesterday', 'to')).toThrow('to: "yesterday" is not a calendar date; use YYYY-MM-DD');
  });

  it('is the parser of every date that comes in from outside', () => {
    const spec = { strategy: 'ma-trend', symbols: ['SPY'] };
    expect(fieldOf(() => parseBacktestSpec({ ...spec, from: '2008-02-30' }))).toBe('from');
    expect(fieldOf(() => parseBacktestSpec({ ...spec, to: '2020-13-45' }))).toBe('to');
    expect(fieldOf(() => parsePortfolioRequest({ ...spec, amount: 100, asOf: '2020-02-30' }))).toBe('asOf');
    expect(fieldOf(() => daysBetween('2023-02-29', '2024-01-01'))).toBe('from');
    expect(fieldOf(() => ingestJob.checkArgs!({ from: '2021-02-29' }))).toBe('args.from');
  });
});
