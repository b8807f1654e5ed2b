/** A request (CLI flags, an HTTP body) checked by its zod schema, refused as the project refuses input. */
import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/**
 * The parsed request; ValidationError names the first field at fault (`request` for the whole).
 * @example parseRequest(simulationRequestSchema, { backtestId: 3 })
 */
export function parseRequest<S extends z.ZodType>(schema: S, input: z.input<S>): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ValidationError(issue.path.join('.') || 'request', issue.message);
}
