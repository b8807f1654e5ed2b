/** Parsing of CLI option values, with errors that name the option. */
import { InvalidArgumentError } from 'commander';
import { MS_PER_DAY } from '../data/bar.js';
import { ValidationError } from '../errors.js';
import { calendarDateProblem, parseCalendarDate } from '../util/calendar-date.js';

/**
 * The argument parser of every `<date>` option: commander refuses an impossible date while parsing,
 * naming the option, before any work starts.
 * @example program.option('--from <date>', 'first date', dateArgument)
 */
export function dateArgument(value: string): string {
  const problem = calendarDateProblem(value);
  if (problem !== null) throw new InvalidArgumentError(problem);
  return value;
}

/** `YYYY-MM-DD` -> 00:00 UTC of that date; with `endOfDay`, the last millisecond of it. */
export function parseDateOption(value: string | undefined, option: string, endOfDay = false): number | undefined {
  if (value === undefined) return undefined;
  const ts = parseCalendarDate(value, option);
  return endOfDay ? ts + MS_PER_DAY - 1 : ts;
}

export function parseIntegerOption(value: string | undefined, option: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ValidationError(option, `expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

/** `A,B, C` -> ['A', 'B', 'C'] (empty entries dropped). */
export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A finite number above `exclusiveMin`. */
export function parseNumberOption(value: string | undefined, option: string, exclusiveMin: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= exclusiveMin) {
    throw new ValidationError(option, `expected a number above ${exclusiveMin}, got ${JSON.stringify(value)}`);
  }
  return n;
}
