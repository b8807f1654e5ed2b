/**
 * Stored JSON (JSONB columns) read back through its zod schema instead of a cast: a row written by
 * another version, or edited by hand, fails where it is read, naming the row and the field, rather
 * than surfacing as `undefined` far away.
 */
import type { z } from 'zod';
import { DataError } from '../errors.js';

/**
 * @example parseStoredJson(backtestMetricsSchema, row.metrics, `backtest ${id}'s metrics`)
 */
export function parseStoredJson<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  throw new DataError(`${what} as stored do not read back${at}: ${issue.message}; the row was written by another version or edited`);
}
