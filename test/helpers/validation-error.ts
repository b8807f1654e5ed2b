/** The one way tests expect a refusal of bad input: a ValidationError naming the field, with a message. */
import { expect } from 'vitest';
import { ValidationError } from '../../src/errors.js';

/** Expects `run` to throw a ValidationError on `field` whose message matches `message`; fails when it returns. */
export function expectValidationError(run: () => unknown, field: string, message: string | RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).message).toMatch(message);
    return;
  }
  expect.unreachable(`expected a ValidationError on ${field}`);
}
