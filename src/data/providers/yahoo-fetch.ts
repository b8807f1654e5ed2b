/**
 * The fetch handed to yahoo-finance2, and the mapping of every Yahoo failure to a ProviderError.
 *
 * yahoo-finance2 (4.0.2) turns failures into errors that are hard to tell apart: a 404 becomes a
 * plain `Error("No data found, symbol may be delisted")`, a 429 an `HTTPError` (after a raw
 * `console.error(url)`), a truncated body an `Error` quoting the whole body, `chart.result: null`
 * a `TypeError` from inside its transform. So the wrapper decides first: it buffers each response
 * under a timeout and throws a classified ProviderError from inside fetch, which yahoo-finance2
 * passes through untouched.
 */
import { ProviderError, errorMessage } from '../../errors.js';

type Fetch = typeof fetch;

export interface YahooFetchOptions {
  /** The underlying fetch (injected in tests); the global one is used only when none is given. */
  readonly fetch: Fetch;
  /** Per HTTP request, including reading the body. */
  readonly timeoutMs: number;
}

/** What a request to Yahoo is for, as error messages name it. */
export type YahooRequestKind = 'chart' | 'quote' | 'fundamentals' | 'earnings history' | 'analysts and earnings' | 'news';

/** Thrown by the wrapper when Yahoo answers a chart request with no result at all: not an error, zero bars. */
export class NoChartResult extends Error {
  override readonly name = 'NoChartResult';
}

/** Thrown by the wrapper when Yahoo has no fundamentals module for a symbol (an ETF, an index): not an error. */
export class NoFundamentals extends Error {
  override readonly name = 'NoFundamentals';
}

interface Endpoint {
  readonly kind: 'chart' | 'quote' | 'fundamentals' | 'quoteSummary' | 'search' | 'session';
  /** The symbol a chart or quote request is about (a search's query). */
  readonly symbol?: string;
  /** How messages name the request, e.g. `chart request for SPY`. */
  readonly label: string;
}

/** What a Yahoo URL asks for; the cookie page and the crumb endpoint are the `session`. */
function describeEndpoint(url: URL): Endpoint {
  const chart = /\/v8\/finance\/chart\/([^/]+)$/.exec(url.pathname);
  if (chart?.[1]) {
    const symbol = decodeURIComponent(chart[1]);
    return { kind: 'chart', symbol, label: `chart request for ${symbol}` };
  }
  const series = /\/finance\/timeseries\/([^/]+)$/.exec(url.pathname);
  if (series?.[1]) {
    const symbol = decodeURIComponent(series[1]);
    return { kind: 'fundamentals', symbol, label: `fundamentals request for ${symbol}` };
  }
  const summary = /\/finance\/quoteSummary\/([^/]+)$/.exec(url.pathname);
  if (summary?.[1]) {
    const symbol = decodeURIComponent(summary[1]);
    return { kind: 'quoteSummary', symbol, label: `quoteSummary request for ${symbol}` };
  }
  if (url.pathname.endsWith('/v7/finance/quote')) {
    const symbol = url.searchParams.get('symbols') ?? '(no symbol)';
    return { kind: 'quote', symbol, label: `quote request for ${symbol}` };
  }
  if (url.pathname.endsWith('/v1/finance/search')) {
    const symbol = url.searchParams.get('q') ?? '(no query)';
    return { kind: 'search', symbol, label: `news search for ${symbol}` };
  }
  return { kind: 'session', label: `cookie/crumb request (${url.hostname}${url.pathname})` };
}

function requestUrl(input: Parameters<Fetch>[0]): URL {
  if (typeof input === 'string') return new URL(input);
  return input instanceof URL ? input : new URL(input.url);
}

/** Yahoo's `{"<key>":{"result":null,"error":{"code","description"}}}`, if the body is that. */
function yahooErrorObject(body: unknown): { readonly code?: string; readonly description?: string } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const values = Object.values(body);
  if (values.length !== 1) return undefined;
  const error: unknown = (values[0] as { error?: unknown } | null)?.error;
  return typeof error === 'object' && error !== null ? (error as { code?: string; description?: string }) : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Yahoo's own words for a failure: its JSON error description, else the body as short plain text. */
function describeFailure(text: string, statusText: string): string {
  const error = yahooErrorObject(parseJson(text));
  if (error) return error.description ?? error.code ?? 'no description';
  const plain = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain === '') return statusText || 'no description';
  return plain.length > 200 ? `${plain.slice(0, 200)}...` : plain;
}

/** Yahoo's quoteSummary answer for a symbol it knows without the modules asked for. */
function isNoFundamentals(text: string): boolean {
  return /no fundamentals data found/i.test(yahooErrorObject(parseJson(text))?.description ?? '');
}

function isNotFound(status: number, text: string): boolean {
  if (status === 404) return true;
  const error = yahooErrorObject(parseJson(text));
  return /^not found$/i.test(error?.code ?? '') || /no data found/i.test(error?.description ?? '');
}

/** A Yahoo answer that is a failure (HTTP status or JSON error object) as a ProviderError. */
function failureError(endpoint: Endpoint, status: number, statusText: string, text: string): ProviderError {
  const detail = `HTTP ${status}: ${describeFailure(text, statusText)}`;
  if (endpoint.symbol !== undefined && isNotFound(status, text)) {
    return new ProviderError(
      `unknown symbol ${endpoint.symbol} on Yahoo (${detail}); check the spelling, e.g. EURUSD=X, GC=F, RELIANCE.NS`,
      { retryable: false, status },
    );
  }
  if (status === 429) return new ProviderError(`Yahoo rate-limited the ${endpoint.label} (${detail})`, { retryable: true, status });
  if (status >= 500) return new ProviderError(`Yahoo failed the ${endpoint.label} (${detail})`, { retryable: true, status });
  return new ProviderError(`Yahoo rejected the ${endpoint.label} (${detail})`, { retryable: false, status });
}

/** A fetch that threw: our timeout, the caller's abort, or the network. */
function transportError(error: unknown, endpoint: Endpoint, timedOut: boolean, cancelled: boolean, timeoutMs: number): ProviderError {
  if (cancelled) return new ProviderError(`Yahoo ${endpoint.label} was cancelled`, { retryable: false, cause: error });
  if (timedOut) return new ProviderError(`Yahoo ${endpoint.label} timed out after ${timeoutMs} ms`, { retryable: true, cause: error });
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  // fetch reports DNS failures, refused and reset connections as TypeError: worth another try.
  return new ProviderError(`network error on the Yahoo ${endpoint.label}: ${errorMessage(error)}${cause}`, {
    retryable: error instanceof TypeError,
    cause: error,
  });
}

/** Chart, quote, fundamentals and search bodies must be JSON; a 200 with a cut-off body is worth another try. */
function checkJsonBody(endpoint: Endpoint, status: number, statusText: string, text: string): void {
  const body = parseJson(text);
  if (body === undefined) {
    throw new ProviderError(`Yahoo sent an unreadable answer to the ${endpoint.label} (truncated or not JSON, ${text.length} characters)`, {
      retryable: true,
      status,
    });
  }
  if (yahooErrorObject(body)) throw failureError(endpoint, status, statusText, text);
  if (endpoint.kind === 'quoteSummary' && isNoFundamentals(text))
    throw new NoFundamentals(`Yahoo has no fundamentals for ${endpoint.symbol}`);
  if (endpoint.kind === 'chart') {
    const result: unknown = (body as { chart?: { result?: unknown } }).chart?.result;
    if (result === null || (Array.isArray(result) && result.length === 0))
      throw new NoChartResult(`Yahoo has no chart result for ${endpoint.symbol}`);
  }
}

/**
 * getCrumb() loads its cookie pages with `redirect: 'manual'` and reads only their Location and
 * Set-Cookie, whatever the status (Yahoo's cookie hosts have answered 404 with the cookie): such
 * an answer is what it needs, not a failure.
 */
function isCookieFlowAnswer(response: Response, init: RequestInit | undefined): boolean {
  if (init?.redirect !== 'manual') return false;
  const isRedirect = response.status >= 300 && response.status < 400;
  return isRedirect || response.headers.getSetCookie().length > 0;
}

// Statuses whose Response may not carry a body (the Response constructor throws otherwise).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Wraps `fetch` for yahoo-finance2: a timeout per request (combined with the caller's signal), the
 * body read inside it, and every failure thrown as a ProviderError (`retryable` for timeouts,
 * network errors, truncated bodies, 429 and 5xx). The cookie pages' redirects and cookies pass
 * through (isCookieFlowAnswer).
 * @example new YahooFinance({ fetch: createYahooFetch({ fetch, timeoutMs: 20_000 }), versionCheck: false })
 */
export function createYahooFetch(options: YahooFetchOptions): Fetch {
  return async (input, init) => {
    const endpoint = describeEndpoint(requestUrl(input));
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const callerSignal = init?.signal ?? undefined;
    const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
    let response: Response;
    let body: ArrayBuffer;
    try {
      response = await options.fetch(input, { ...init, signal });
      body = await response.arrayBuffer();
    } catch (error) {
      throw transportError(error, endpoint, timeout.aborted, callerSignal?.aborted ?? false, options.timeoutMs);
    }
    if (!response.ok && endpoint.kind === 'quoteSummary' && isNoFundamentals(new TextDecoder().decode(body))) {
      throw new NoFundamentals(`Yahoo has no fundamentals for ${endpoint.symbol}`);
    }
    if (!response.ok && !isCookieFlowAnswer(response, init)) {
      throw failureError(endpoint, response.status, response.statusText, new TextDecoder().decode(body));
    }
    if (response.ok && endpoint.kind !== 'session') {
      checkJsonBody(endpoint, response.status, response.statusText, new TextDecoder().decode(body));
    }
    const { status, statusText, headers } = response;
    return new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, statusText, headers });
  };
}

/** Up to three of yahoo-finance2's validation errors, e.g. `/meta: Missing required properties (currency)`. */
function summariseValidation(error: Error): string {
  const errors: unknown = (error as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return error.message;
  return errors
    .slice(0, 3)
    .map((e: { instancePath?: string; message?: string; params?: { missing?: unknown } }) => {
      const missing = Array.isArray(e.params?.missing) ? ` (${e.params.missing.join(', ')})` : '';
      return `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${missing}`;
    })
    .join('; ');
}

/**
 * Any error from a yahoo-finance2 call as a ProviderError naming the symbol. The wrapper above
 * already classified HTTP and network failures; this handles what yahoo-finance2 raises itself.
 */
export function toProviderError(error: unknown, symbol: string, what: YahooRequestKind): ProviderError {
  if (error instanceof ProviderError) return error;
  if (error instanceof Error && error.name === 'FailedYahooValidationError') {
    return new ProviderError(
      `Yahoo's ${what} response for ${symbol} did not match the expected format (${summariseValidation(error)}); Yahoo may have changed its API`,
      { retryable: false, cause: error },
    );
  }
  // Raised by yahoo-finance2 for an unparsable 200 body (the wrapper normally sees it first).
  if (errorMessage(error).startsWith('Response.ok where we expect JSON')) {
    return new ProviderError(`Yahoo sent an unreadable answer to the ${what} request for ${symbol} (truncated or not JSON)`, {
      retryable: true,
      cause: error,
    });
  }
  return new ProviderError(`Yahoo ${what} request for ${symbol} failed: ${errorMessage(error)}`, { retryable: false, cause: error });
}
