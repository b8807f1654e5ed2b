/**
 * What the Yahoo adapters (prices, fundamentals) share: one yahoo-finance2 client per adapter over
 * the classifying fetch (yahoo-fetch.ts), and the retry of a request with the attempts named.
 */
import YahooFinance from 'yahoo-finance2';
import { ExtendedCookieJar } from 'yahoo-finance2/lib/cookieJar';
import { ProviderError } from '../../errors.js';
import { withRetry, type RetryOptions } from '../../util/retry.js';
import { createYahooFetch, toProviderError, type YahooRequestKind } from './yahoo-fetch.js';

export interface YahooClientOptions {
  /** The fetch behind every request (tests inject one); the global fetch only when none is given. */
  readonly fetch?: typeof fetch;
  /** Retries after the first attempt of each request. Default 4. */
  readonly retries?: number;
  /** Backoff base and cap (util/retry.ts). Defaults 500 and 8000 ms. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Per HTTP request, body included. Default 20000 ms. */
  readonly timeoutMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export type YahooClient = InstanceType<typeof YahooFinance>;
export type YahooRetry = Omit<RetryOptions, 'isRetryable'>;

const noop = (): void => undefined;
// yahoo-finance2 logs on its own (a Node-version warning at construction, schema failures):
// everything it would say reaches the user as a ProviderError or a note instead.
const QUIET_LOGGER = { info: noop, warn: noop, error: noop, debug: noop, dir: noop };

const isRetryable = (error: unknown): boolean => error instanceof ProviderError && error.retryable;

/** A client of its own (cookie jar included) and the retry settings, from the adapter's options. */
export function createYahooClient(options: YahooClientOptions): { client: YahooClient; retry: YahooRetry } {
  const wrappedFetch = createYahooFetch({ fetch: options.fetch ?? globalThis.fetch, timeoutMs: options.timeoutMs ?? 20_000 });
  const client = new YahooFinance({
    fetch: wrappedFetch,
    // On a schema failure the version check would ask the npm registry, with the global fetch.
    versionCheck: false,
    suppressNotices: ['yahooSurvey', 'ripHistorical'],
    logger: QUIET_LOGGER,
    // The default jar (and the crumb cached against it) is shared by every instance in the process.
    cookieJar: new ExtendedCookieJar(),
  });
  const retry: YahooRetry = {
    retries: options.retries ?? 4,
    baseDelayMs: options.baseDelayMs ?? 500,
    maxDelayMs: options.maxDelayMs ?? 8000,
    sleep: options.sleep,
    random: options.random,
  };
  return { client, retry };
}

/** Runs `task` with backoff, every failure as a ProviderError; the final error says how many attempts were made. */
export async function withYahooRetries<T>(retry: YahooRetry, symbol: string, what: YahooRequestKind, task: () => Promise<T>): Promise<T> {
  let attempts = 0;
  try {
    return await withRetry(
      async () => {
        attempts++;
        try {
          return await task();
        } catch (error) {
          throw toProviderError(error, symbol, what);
        }
      },
      { ...retry, isRetryable },
    );
  } catch (error) {
    if (!(error instanceof ProviderError) || attempts < 2) throw error;
    throw new ProviderError(`${error.message} (gave up after ${attempts} attempts)`, {
      retryable: error.retryable,
      status: error.status,
      cause: error,
    });
  }
}

/** yahoo-finance2's per-call options carrying the caller's abort signal. */
export function moduleOptions(signal: AbortSignal | undefined): { fetchOptions: RequestInit } | undefined {
  return signal ? { fetchOptions: { signal } } : undefined;
}
