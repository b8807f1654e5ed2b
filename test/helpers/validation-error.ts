/** How tests read a refusal of bad input: the ValidationError, naming the field, with a message. */
import { expect } from 'vitest';
import { ValidationError } from '../../src/errors.js';

/** The ValidationError `run` throws; any other error is rethrown, and returning fails the test. */
export function validationErrorOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  return expect.unreachable('expected a ValidationError') as never;
}

/** Expects `run` to throw a ValidationError on `field` whose message matches `message`. */
export function expectValidationError(run: () => unknown, field: string, message: string | RegExp): void {
  const error = validationErrorOf(run);
  expect(error.field).toBe(field);
  expect(error.message).toMatch(message);
}
