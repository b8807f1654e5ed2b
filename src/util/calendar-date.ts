/**
 * Calendar dates `YYYY-MM-DD`, strictly: real dates of the proleptic Gregorian calendar only
 * (2008-02-30 and 2020-13-45 are refused, never rolled over into March or next year). The one
 * parser of every date that comes in from outside: CLI options, specs, requests, job arguments.
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/**
 * Epoch ms of 00:00 UTC on an ISO date `YYYY-MM-DD`; NaN when it is not a real date (2023-02-29).
 * Parsed by hand: CSV imports call it once a row, and Date.parse plus a round-trip check was the
 * largest cost of reading a file.
 * @example dateToTs('2024-02-29') // 1709164800000
 */
export function dateToTs(isoDate: string): number {
  const parts = dateParts(isoDate);
  if (!parts) return Number.NaN;
  const { year, month, day } = parts;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN;
  const ts = Date.UTC(year, month - 1, day);
  // Date.UTC reads the years 0-99 as 1900-1999: a four-digit 0050 is the year 50.
  return year < 100 ? new Date(ts).setUTCFullYear(year) : ts;
}

/**
 * 00:00 UTC of a calendar date, or a ValidationError naming `field` and what is wrong.
 * @example parseCalendarDate('2008-02-30', 'from') // throws "from: 2008-02-30 is not a calendar date (February 2008 has 29 days); use YYYY-MM-DD"
 */
export function parseCalendarDate(text: unknown, field: string): number {
  const problem = calendarDateProblem(text);
  if (problem !== null) throw new ValidationError(field, problem);
  return dateToTs(text as string);
}

/** A calendar date as a zod string: for specs and requests validated with zod. */
export const calendarDateSchema = z.string().superRefine((text, ctx) => {
  const problem = calendarDateProblem(text);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

/** Why `text` is not a calendar date, or null when it is one. */
export function calendarDateProblem(text: unknown): string | null {
  const parts = typeof text === 'string' ? dateParts(text) : null;
  if (!parts) return `${JSON.stringify(text)} is not a calendar date; use YYYY-MM-DD`;
  if (!Number.isNaN(dateToTs(text as string))) return null;
  const { year, month } = parts;
  const why =
    month < 1 || month > 12
      ? `there is no month ${month}`
      : `${MONTHS[month - 1]} ${String(year).padStart(4, '0')} has ${daysInMonth(year, month)} days`;
  return `${text as string} is not a calendar date (${why}); use YYYY-MM-DD`;
}

/** Year, month and day of `dddd-dd-dd`, or null for any other shape. */
function dateParts(text: string): { year: number; month: number; day: number } | null {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return null;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  return year < 0 || month < 0 || day < 0 ? null : { year, month, day };
}

/** The decimal number in text[from, to), or -1 when a character is not a digit. */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
