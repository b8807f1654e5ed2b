/**
 * Retry with exponential backoff and full jitter (AWS architecture blog, "Exponential Backoff
 * and Jitter"): wait a random time in [0, min(maxDelay, baseDelay * 2^attempt)] before each retry,
 * so that many clients backing off from one server do not retry in lock-step.
 */
export interface RetryOptions {
  /** Retries after the first attempt (so at most `retries + 1` attempts). */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Only errors for which this returns true are retried. */
  readonly isRetryable: (error: unknown) => boolean;
  /** Called before each wait; for logs. */
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `task` until it succeeds, a non-retryable error occurs, or retries run out.
 * @example await withRetry(() => fetchJson(url), { retries: 4, baseDelayMs: 500, maxDelayMs: 8000, isRetryable })
 */
export async function withRetry<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? sleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (attempt >= options.retries || !options.isRetryable(error)) throw error;
      const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
      const delayMs = Math.round(random() * cap);
      options.onRetry?.(error, attempt + 1, delayMs);
      await wait(delayMs);
    }
  }
}
