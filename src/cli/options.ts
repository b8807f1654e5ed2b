/**
 * Parsing of CLI option values, with errors that name the option. Every option's text goes through
 * one zod path: `parseFlag(schema, text, option)`. A flag whose value ends in a spec or request is
 * coerced with that spec's own field schema (`numberText().pipe(spec.shape.field)`), so its range is
 * written once, in the spec, and still refused before any work starts, naming the flag.
 */
import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { calendarDateProblem } from '../util/calendar-date.js';

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

/** Text typed as a number: any finite number (`1e3`, `-2.5`); '' and words are refused. */
export const numberText = (message = 'expected a number') =>
  z
    .string()
    .trim()
    .refine((text) => text !== '' && Number.isFinite(Number(text)), message)
    .transform(Number);

/**
 * An option's text parsed by `schema`; undefined when the option was not given. The error names
 * the option and quotes what was typed.
 * @example parseFlag(numberText().pipe(backtestSpecSchema.shape.initialCash), '-5', 'cash') // throws "cash: Too small: ..., got "-5""
 */
export function parseFlag<T>(schema: z.ZodType<T, string>, text: string | undefined, option: string): T | undefined {
  if (text === undefined) return undefined;
  const parsed = schema.safeParse(text);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const why = issue.code === 'invalid_value' ? `expected one of ${issue.values.join(', ')}` : issue.message;
  throw new ValidationError(option, `${why}, got ${JSON.stringify(text)}`);
}

/** A whole number from `min` to `max`, for options no spec validates (limits, ids, ports). */
export function parseIntegerOption(value: string | undefined, option: string, min: number, max: number): number | undefined {
  const message = `expected a whole number from ${min} to ${max}`;
  return parseFlag(numberText(message).pipe(z.number().int(message).min(min, message).max(max, message)), value, option);
}

/** A finite number above `exclusiveMin`, for options no spec validates. */
export function parseNumberOption(value: string | undefined, option: string, exclusiveMin: number): number | undefined {
  const message = `expected a number above ${exclusiveMin}`;
  return parseFlag(numberText(message).pipe(z.number().gt(exclusiveMin, message)), value, option);
}

/**
 * One of a few words, for options no spec validates; the error lists them.
 * @example parseChoice('full', 'mode', REBALANCE_MODES) // 'full'
 */
export function parseChoice<const C extends readonly [string, ...string[]]>(
  value: string | undefined,
  option: string,
  choices: C,
): C[number] | undefined {
  return parseFlag(z.enum(choices), value, option);
}

/** `A,B, C` -> ['A', 'B', 'C'] (empty entries dropped). */
export function parseList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
