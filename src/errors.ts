/**
 * The error tree. Every error that can reach a user says what was wrong and what to do.
 *
 * - `ValidationError`: bad input (CLI option, config entry, HTTP body, CSV row); names the field.
 * - `DataError`: data that is missing or unusable (unknown symbol, no bars in a period, NaN).
 *   - `NotFoundError`: a named thing that does not exist (a portfolio); the message lists what does.
 * - `ConfigError`: environment or configuration file problems.
 * - `DatabaseError`: migrations and storage problems (an edited migration, an unreachable server).
 * - `ProviderError`: a price provider failed for one symbol; `retryable` says whether trying again may help.
 * - `OptimisationError`: an optimiser found no optimal plan (infeasible, unbounded, time limit).
 * - `InterruptedError`: work stopped on request (a shutdown, Ctrl-C) before it finished.
 */
export class MomentumError extends Error {
  override readonly name: string = 'MomentumError';
}

export class ValidationError extends MomentumError {
  override readonly name = 'ValidationError';
  /** The input field at fault, e.g. `interval` or `universes.etf.symbols[3]`. */
  readonly field: string;
  /** What is wrong with it, without the field's name (the message is `field: reason`). */
  readonly reason: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
    this.reason = message;
  }
}

export class DataError extends MomentumError {
  override readonly name: string = 'DataError';
}

export class NotFoundError extends DataError {
  override readonly name = 'NotFoundError';
  /** What was looked for, e.g. `portfolio`, and the name asked for. */
  readonly kind: string;
  readonly key: string;
  constructor(kind: string, key: string, message: string) {
    super(message);
    this.kind = kind;
    this.key = key;
  }
}

export class ConfigError extends MomentumError {
  override readonly name = 'ConfigError';
}

export class DatabaseError extends MomentumError {
  override readonly name = 'DatabaseError';
}

export class ProviderError extends MomentumError {
  override readonly name = 'ProviderError';
  readonly retryable: boolean;
  /** HTTP status when the failure came from an HTTP response. */
  readonly status: number | undefined;
  constructor(message: string, options: { retryable: boolean; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
    this.status = options.status;
  }
}

/** Why an optimisation has no optimal plan: the solver's status. */
export type OptimisationFailure = 'infeasible' | 'unbounded' | 'time-limit' | 'error';

export class OptimisationError extends MomentumError {
  override readonly name = 'OptimisationError';
  readonly status: OptimisationFailure;
  constructor(status: OptimisationFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
  }
}

export class InterruptedError extends MomentumError {
  override readonly name = 'InterruptedError';
}

/** The message of any thrown value, for logs and stored error text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
