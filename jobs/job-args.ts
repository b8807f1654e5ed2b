/** A job's args (the schedule entry's `args`, or `run-job --args`), validated with its zod schema. */
import type { z } from 'zod';
import { ValidationError } from '../src/errors.js';

/**
 * The parsed args, or a ValidationError naming the bad field (`args.portfolios.0`).
 * @example const args = parseJobArgs(rebalanceArgsSchema, context.args)
 */
export function parseJobArgs<S extends z.ZodType>(schema: S, args: Readonly<Record<string, unknown>>): z.output<S> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`args.${issue.path.join('.') || '(root)'}`, issue.message);
  }
  return parsed.data;
}
