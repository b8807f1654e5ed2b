/**
 * YahooProvider against a local HTTP server that answers like Yahoo (fixtures in test/fixtures/yahoo,
 * in the exact shape of the v8 chart and v7 quote endpoints). The injected fetch rewrites
 * https://*.yahoo.com to the stub; every test checks no request went anywhere else.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { dateToTs, formatBarTime, type Interval } from '../../../src/data/bar.js';
import type { BarRequest, CandidateBar } from '../../../src/data/providers/price-provider.js';
import { YahooProvider, type YahooProviderOptions } from '../../../src/data/providers/yahoo-provider.js';
import { ProviderError } from '../../../src/errors.js';

const FIXTURES = new URL('../../fixtures/yahoo/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

/** Fixture file stem per symbol: chart-<stem>-<interval>.json and quote-<stem>.json. */
const FIXTURE_STEMS: Readonly<Record<string, string>> = {
  SPY: 'spy',
  'EURUSD=X': 'eurusd',
  'GC=F': 'gc',
  '^GSPC': 'gspc',
  'BTC-USD': 'btc',
  'RELIANCE.NS': 'reliance',
  'ASML.AS': 'asml',
  AAPL: 'aapl',
};

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The provider's clock in these tests: the fixtures' intraday bars are within every look-back limit. */
const NOW = Date.parse('2024-02-01T21:00:00Z');

// ---------------------------------------------------------------------------------------------
// The stub: routes by path like Yahoo, records every request, and can be scripted per path.

type Reply = { readonly status: number; readonly body: string; readonly headers?: Record<string, string> } | 'hang';

interface SeenRequest {
  readonly path: string;
  readonly query: URLSearchParams;
}

const requests: SeenRequest[] = [];
const scripts = new Map<string, Reply[]>();
const hanging = new Set<ServerResponse>();
let server: Server;
let port = 0;

/** The next `replies` for requests to `path`, before the default route answers again. */
function script(path: string, ...replies: Reply[]): void {
  scripts.set(path, [...(scripts.get(path) ?? []), ...replies]);
}

const seen = (path: string): SeenRequest[] => requests.filter((r) => r.path === path);
const chartPath = (symbol: string): string => `/v8/finance/chart/${symbol}`;

/** Like Yahoo: only the bars in [period1, period2); no bars leaves a meta-only result. */
function filterChart(json: string, query: URLSearchParams): string {
  const body = JSON.parse(json);
  const result = body.chart.result[0];
  const p1 = Number(query.get('period1'));
  const p2 = Number(query.get('period2'));
  const keep = (result.timestamp as number[]).map((t, i) => (t >= p1 && t < p2 ? i : -1)).filter((i) => i >= 0);
  if (keep.length === 0) {
    delete result.timestamp;
    result.indicators = { quote: [{}], ...(result.indicators.adjclose ? { adjclose: [{}] } : {}) };
    return JSON.stringify(body);
  }
  const pick = (values: unknown[]) => keep.map((i) => values[i]);
  result.timestamp = pick(result.timestamp);
  const quote = result.indicators.quote[0];
  for (const field of Object.keys(quote)) quote[field] = pick(quote[field]);
  if (result.indicators.adjclose) result.indicators.adjclose[0].adjclose = pick(result.indicators.adjclose[0].adjclose);
  return JSON.stringify(body);
}

const COOKIE_PAGE_HEADERS = {
  'content-type': 'text/html',
  'set-cookie': 'A3=d=stub; Max-Age=31557600; Domain=.yahoo.com; Path=/; Secure; HttpOnly',
};

function defaultReply(path: string, query: URLSearchParams): Reply {
  if (path === '/quote/AAPL') {
    // The page getCrumb() loads first, for its cookie.
    return { status: 200, body: '<html><body>AAPL</body></html>', headers: COOKIE_PAGE_HEADERS };
  }
  if (path === '/v1/test/getcrumb') return { status: 200, body: 'stubCrumb', headers: { 'content-type': 'text/plain' } };
  if (path === '/v7/finance/quote') {
    const stem = FIXTURE_STEMS[query.get('symbols') ?? ''];
    return { status: 200, body: stem ? fixture(`quote-${stem}.json`) : '{"quoteResponse":{"result":[],"error":null}}' };
  }
  const symbol = path.startsWith('/v8/finance/chart/') ? path.slice('/v8/finance/chart/'.length) : '';
  const stem = FIXTURE_STEMS[symbol];
  if (!stem) return { status: 404, body: fixture('chart-not-found.json') };
  return { status: 200, body: filterChart(fixture(`chart-${stem}-${query.get('interval')}.json`), query) };
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  const url = new URL(request.url ?? '/', 'http://stub');
  const path = decodeURIComponent(url.pathname);
  requests.push({ path, query: url.searchParams });
  const reply = scripts.get(path)?.shift() ?? defaultReply(path, url.searchParams);
  if (reply === 'hang') {
    hanging.add(response);
    return;
  }
  response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  response.end(reply.body);
}

// ---------------------------------------------------------------------------------------------
// The fetch the provider gets: rewrites Yahoo's https hosts to the stub and refuses anything else.

const realFetch = globalThis.fetch;
const seenUrls: string[] = [];
const isYahooHttps = (url: URL): boolean => url.protocol === 'https:' && /(^|\.)yahoo\.com$/.test(url.hostname);

const stubFetch: typeof fetch = async (input, init) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  seenUrls.push(url.href);
  if (!isYahooHttps(url)) throw new Error(`test refused a request to ${url.href}`);
  return realFetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, init);
};

const delays: number[] = [];
const globalFetch = vi.fn();

function provider(options: YahooProviderOptions = {}): YahooProvider {
  return new YahooProvider({
    fetch: stubFetch,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 1,
    now: () => NOW,
    ...options,
  });
}

function daily(symbol: string, from: string, to: string, interval: Interval = '1d'): BarRequest {
  return { symbol, interval, from: dateToTs(from), to: dateToTs(to) };
}

const dates = (rows: readonly CandidateBar[]): string[] => rows.map((r) => formatBarTime(r.ts, '1d'));
const seconds = (iso: string): number => Date.parse(iso) / 1000;

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests.length = 0;
  seenUrls.length = 0;
  delays.length = 0;
  scripts.clear();
  globalFetch.mockReset();
  vi.stubGlobal('fetch', globalFetch);
});

afterEach(() => {
  for (const response of hanging) response.destroy();
  hanging.clear();
  vi.unstubAllGlobals();
  // No network leak: every request went through the injected fetch, to a Yahoo host, rewritten to the stub.
  expect(globalFetch).not.toHaveBeenCalled();
  for (const href of seenUrls) expect(isYahooHttps(new URL(href)), href).toBe(true);
});

// ---------------------------------------------------------------------------------------------

describe('YahooProvider: daily and longer bars', () => {
  it('maps SPY daily bars stamped at the New York open (14:30 UTC) to that date, keeps the live duplicate last, and reads ETF metadata as a fund', async () => {
    const result = await provider().fetchBars(daily('SPY', '2024-01-02', '2024-01-09'));

    expect(dates(result.rows)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09']);
    expect(result.rows[0]).toEqual({
      ts: dateToTs('2024-01-02'),
      open: 472.16,
      high: 473.67,
      low: 470.49,
      close: 472.65,
      adj_close: 461.1,
      volume: 123623700,
    });
    // Yahoo appended the live bar (21:00 UTC) after the 14:30 one for 2024-01-09: the later wins.
    expect(result.rows[5]).toMatchObject({ ts: dateToTs('2024-01-09'), close: 473.88, adj_close: 462.3, volume: 65931400 });
    expect(result.unparsed).toEqual([]);
    expect(result.notes).toEqual([]);
    expect(result.instrument).toEqual({
      symbol: 'SPY',
      name: 'SPDR S&P 500 ETF Trust',
      asset_class: 'fund',
      currency: 'USD',
      exchange: 'NYSEArca',
      timezone: 'America/New_York',
    });
    const [chart] = seen(chartPath('SPY'));
    // A day of padding either side of the requested dates, pre/post-market excluded.
    expect(chart?.query.get('period1')).toBe(String(seconds('2024-01-01T00:00:00Z')));
    expect(chart?.query.get('period2')).toBe(String(seconds('2024-01-11T00:00:00Z')));
    expect(chart?.query.get('interval')).toBe('1d');
    expect(chart?.query.get('includePrePost')).toBe('false');
  });

  it('dates EURUSD=X bars by London midnight: 00:00 UTC in winter, 23:00 UTC the day before in summer time', async () => {
    const result = await provider().fetchBars(daily('EURUSD=X', '2024-03-27', '2024-04-02'));

    // 2024-03-31T23:00Z is 00:00 BST on Monday 2024-04-01 (not Sunday 03-31 as its UTC date says).
    expect(dates(result.rows)).toEqual(['2024-03-27', '2024-03-28', '2024-03-29', '2024-04-01', '2024-04-02']);
    expect(result.rows[3]).toEqual({
      ts: dateToTs('2024-04-01'),
      open: 1.0791,
      high: 1.0801,
      low: 1.073,
      close: 1.0791,
      adj_close: 1.0791,
      volume: 0,
    });
    expect(result.instrument).toMatchObject({
      asset_class: 'currency',
      currency: 'USD',
      exchange: 'CCY',
      timezone: 'Europe/London',
      name: 'EUR/USD',
    });
  });

  it('keeps the EURUSD=X bar Yahoo stamped on the UTC day before the first requested date', async () => {
    const result = await provider().fetchBars(daily('EURUSD=X', '2024-04-01', '2024-04-02'));

    expect(dates(result.rows)).toEqual(['2024-04-01', '2024-04-02']);
    expect(result.rows.map((r) => r.close)).toEqual([1.0791, 1.0741]);
  });

  it('reads futures (GC=F, stamped at New York midnight) as a commodity, named by its short name', async () => {
    const result = await provider().fetchBars(daily('GC=F', '2024-01-02', '2024-01-05'));

    expect(dates(result.rows)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    expect(result.rows[1]).toMatchObject({ open: 2068.7, close: 2034.2, adj_close: 2034.2, volume: 396 });
    expect(result.instrument).toEqual({
      symbol: 'GC=F',
      name: 'Gold Feb 24',
      asset_class: 'commodity',
      currency: 'USD',
      exchange: 'COMEX',
      timezone: 'America/New_York',
    });
  });

  it('reads an index (^GSPC) as an index, adj_close = close', async () => {
    const result = await provider().fetchBars(daily('^GSPC', '2024-01-02', '2024-01-05'));

    expect(dates(result.rows)).toEqual(['2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    expect(result.rows[0]).toEqual({
      ts: dateToTs('2024-01-02'),
      open: 4745.2,
      high: 4754.33,
      low: 4722.67,
      close: 4742.83,
      adj_close: 4742.83,
      volume: 3743050000,
    });
    expect(result.instrument).toMatchObject({ symbol: '^GSPC', asset_class: 'index', name: 'S&P 500', exchange: 'SNP' });
    expect(seen(chartPath('^GSPC'))).toHaveLength(1);
  });

  it('reads crypto (BTC-USD) with bars on all seven days of the week, including the weekend', async () => {
    const result = await provider().fetchBars(daily('BTC-USD', '2024-01-01', '2024-01-07'));

    expect(dates(result.rows)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-06', '2024-01-07']);
    expect(result.rows[5]).toMatchObject({ ts: dateToTs('2024-01-06'), close: 43989.19, volume: 25_000_000_000 });
    expect(result.instrument).toMatchObject({ asset_class: 'crypto', currency: 'USD', timezone: 'UTC', name: 'Bitcoin USD' });
  });

  it('reads a non-US equity (RELIANCE.NS) in INR, stamped at the 09:15 Kolkata open (03:45 UTC)', async () => {
    const result = await provider().fetchBars(daily('RELIANCE.NS', '2024-01-01', '2024-01-05'));

    expect(dates(result.rows)).toEqual(['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05']);
    expect(result.rows[0]).toEqual({
      ts: dateToTs('2024-01-01'),
      open: 2586,
      high: 2610,
      low: 2580.35,
      close: 2603.35,
      adj_close: 2593.1,
      volume: 3457321,
    });
    expect(result.instrument).toEqual({
      symbol: 'RELIANCE.NS',
      name: 'Reliance Industries Limited',
      asset_class: 'equity',
      currency: 'INR',
      exchange: 'NSE',
      timezone: 'Asia/Kolkata',
    });
  });

  it('dates weekly bars by the Monday Yahoo stamps them on', async () => {
    const result = await provider().fetchBars(daily('SPY', '2024-01-01', '2024-01-29', '1wk'));

    expect(dates(result.rows)).toEqual(['2024-01-01', '2024-01-08', '2024-01-15', '2024-01-22', '2024-01-29']);
    expect(result.rows[4]).toMatchObject({ open: 487.68, close: 494.35, adj_close: 482.28, volume: 425398100 });
    expect(seen(chartPath('SPY'))[0]?.query.get('interval')).toBe('1wk');
  });

  it('dates monthly bars by the first of the month, across the switch to summer time (05:00 then 04:00 UTC)', async () => {
    const result = await provider().fetchBars(daily('SPY', '2024-01-01', '2024-06-01', '1mo'));

    expect(dates(result.rows)).toEqual(['2024-01-01', '2024-02-01', '2024-03-01', '2024-04-01', '2024-05-01', '2024-06-01']);
    expect(result.rows[3]).toMatchObject({ ts: dateToTs('2024-04-01'), close: 501.98, adj_close: 492.58 });
  });

  it('reports rows with every price null as unparsed and passes partly null rows on with NaN (null volume = 0)', async () => {
    const result = await provider().fetchBars(daily('ASML.AS', '2024-01-02', '2024-01-05'));

    expect(dates(result.rows)).toEqual(['2024-01-02', '2024-01-04', '2024-01-05']);
    expect(result.rows[1]).toMatchObject({ open: 640, high: Number.NaN, low: 633.2, close: 638.9, adj_close: 633.8 });
    expect(result.rows[2]).toMatchObject({ close: 640.1, volume: 0 });
    expect(result.unparsed).toEqual([expect.objectContaining({ ts: '2024-01-03', reason: 'Yahoo returned no prices for this bar' })]);
    expect(result.instrument).toMatchObject({ currency: 'EUR', exchange: 'Amsterdam', timezone: 'Europe/Amsterdam' });
  });
});

describe('YahooProvider: corporate actions (chart events)', () => {
  it("reads AAPL's 2020 dividend and 4:1 split from the chart events, dated by the New York trading day", async () => {
    const result = await provider().fetchBars(daily('AAPL', '2020-07-27', '2020-09-04'));
    expect(result.rows).toHaveLength(30);
    expect(result.actions?.origin).toBe('Yahoo chart events');
    expect(result.actions?.events).toEqual([
      { symbol: 'AAPL', exDate: '2020-08-31', kind: 'split', value: 4, source: 'yahoo' },
      { symbol: 'AAPL', exDate: '2020-08-07', kind: 'dividend', value: 0.82, source: 'yahoo' },
    ]);
    expect(result.actions?.rejected).toEqual([]);
  });

  it('keeps only the events inside the requested range (a delta after the split sees none)', async () => {
    const result = await provider().fetchBars(daily('AAPL', '2020-09-01', '2020-09-04'));
    expect(result.rows.map((r) => formatBarTime(r.ts, '1d'))).toEqual(['2020-09-01', '2020-09-02', '2020-09-03', '2020-09-04']);
    expect(result.actions?.events).toEqual([]);
  });

  it('rejects a split without a usable ratio, naming it, and keeps the other events', async () => {
    const body = JSON.parse(fixture('chart-aapl-1d.json'));
    const split = Object.values(body.chart.result[0].events.splits)[0] as { denominator: number; splitRatio: string };
    split.denominator = 0;
    split.splitRatio = '4:0';
    script(chartPath('AAPL'), { status: 200, body: JSON.stringify(body) });
    const result = await provider().fetchBars(daily('AAPL', '2020-07-27', '2020-09-04'));
    expect(result.actions?.events.map((e) => e.kind)).toEqual(['dividend']);
    expect(result.actions?.rejected).toEqual([
      expect.objectContaining({ ts: '2020-08-31', reason: 'Yahoo split "4:0" on 2020-08-31 has no usable ratio' }),
    ]);
  });
});

describe('YahooProvider: intraday bars and look-back limits', () => {
  it('keeps 5m instants and sets adj_close = close (Yahoo sends no adjclose intraday)', async () => {
    const from = Date.parse('2024-01-31T14:30:00Z');
    const to = Date.parse('2024-01-31T15:15:00Z');
    const result = await provider().fetchBars({ symbol: 'SPY', interval: '5m', from, to });

    expect(result.rows.map((r) => r.ts)).toEqual(Array.from({ length: 10 }, (_, i) => from + i * 5 * MINUTE));
    expect(result.rows[0]).toEqual({
      ts: from,
      open: 485.1,
      high: 485.28,
      low: 484.47,
      close: 484.68,
      adj_close: 484.68,
      volume: 1_800_000,
    });
    for (const row of result.rows) expect(row.adj_close).toBe(row.close);
    const [chart] = seen(chartPath('SPY'));
    expect(chart?.query.get('interval')).toBe('5m');
    expect(chart?.query.get('period1')).toBe(String(from / 1000));
    // period2 is exclusive: one bar past `to`, so the bar starting at `to` is included.
    expect(chart?.query.get('period2')).toBe(String((to + 5 * MINUTE) / 1000));
  });

  it('splits a 1m range longer than 8 days into consecutive requests of at most 8 days', async () => {
    const from = Date.parse('2024-01-12T14:30:00Z');
    const result = await provider().fetchBars({ symbol: 'SPY', interval: '1m', from, to: NOW });

    const periods = seen(chartPath('SPY')).map((r) => [Number(r.query.get('period1')) * 1000, Number(r.query.get('period2')) * 1000]);
    expect(periods).toEqual([
      [from, from + 8 * DAY],
      [from + 8 * DAY, from + 16 * DAY],
      [from + 16 * DAY, NOW + MINUTE],
    ]);
    // 15 weekdays from 2024-01-12 to 2024-02-01, two bars each in the fixture.
    expect(result.rows).toHaveLength(30);
    expect(result.rows[0]?.ts).toBe(from);
    expect(result.rows.at(-1)?.ts).toBe(Date.parse('2024-02-01T14:31:00Z'));
    expect(new Set(result.rows.map((r) => r.ts)).size).toBe(30);
    expect(result.notes).toEqual([]);
  });

  it('clamps a 5m request that starts before the 60-day look-back limit, with a note', async () => {
    const from = NOW - 90 * DAY;
    const result = await provider().fetchBars({ symbol: 'SPY', interval: '5m', from, to: NOW });

    const period1 = Number(seen(chartPath('SPY'))[0]?.query.get('period1')) * 1000;
    expect(period1).toBeGreaterThan(NOW - 60 * DAY);
    expect(period1).toBeLessThan(NOW - 60 * DAY + 15 * MINUTE);
    expect(result.notes).toEqual([
      expect.stringMatching(
        /^Yahoo serves 5m bars for the last 60 days only; the request from 2023-11-03T21:00:00.000Z was clamped to 2023-12-03T21:10/,
      ),
    ]);
    expect(result.rows).toHaveLength(10);
  });

  it('fetches nothing, with a note, when a 1m range ends before the 30-day look-back limit', async () => {
    const result = await provider().fetchBars({ symbol: 'SPY', interval: '1m', from: NOW - 45 * DAY, to: NOW - 40 * DAY });

    expect(seen(chartPath('SPY'))).toHaveLength(0);
    expect(result.rows).toEqual([]);
    expect(result.notes).toEqual([
      expect.stringMatching(/^Yahoo serves 1m bars for the last 30 days only; nothing up to .* is still available/),
    ]);
  });

  it('defaults `from` to the look-back limit for intraday and to 1970-01-01 for daily bars', async () => {
    const yahoo = provider();
    const intraday = await yahoo.fetchBars({ symbol: 'SPY', interval: '5m', from: undefined, to: NOW });
    const history = await yahoo.fetchBars({ symbol: 'SPY', interval: '1d', from: undefined, to: dateToTs('2024-01-09') });

    const [intradayChart, dailyChart] = seen(chartPath('SPY'));
    expect(Number(intradayChart?.query.get('period1')) * 1000).toBe(NOW - 60 * DAY + 10 * MINUTE);
    expect(intraday.notes).toEqual([]);
    expect(intraday.rows).toHaveLength(10);
    expect(dailyChart?.query.get('period1')).toBe('0');
    expect(history.rows).toHaveLength(6);
  });
});

describe('YahooProvider: errors and retries', () => {
  it('fails an unknown symbol at once (HTTP 404, not retried), naming it and suggesting the spelling', async () => {
    const error = await rejection(provider().fetchBars(daily('NOPE', '2024-01-02', '2024-01-09')));

    expect(error.message).toBe(
      'unknown symbol NOPE on Yahoo (HTTP 404: No data found, symbol may be delisted); check the spelling, e.g. EURUSD=X, GC=F, RELIANCE.NS',
    );
    expect(error.retryable).toBe(false);
    expect(error.status).toBe(404);
    expect(seen(chartPath('NOPE'))).toHaveLength(1);
    expect(seen('/v7/finance/quote')).toHaveLength(0);
    expect(delays).toEqual([]);
  });

  it('retries after HTTP 429 and succeeds, waiting within the backoff cap', async () => {
    script(chartPath('SPY'), { status: 429, body: 'Too Many Requests\r\n', headers: { 'content-type': 'text/plain' } });
    const result = await provider({ random: Math.random }).fetchBars(daily('SPY', '2024-01-02', '2024-01-09'));

    expect(result.rows).toHaveLength(6);
    expect(seen(chartPath('SPY'))).toHaveLength(2);
    expect(delays).toHaveLength(1);
    expect(delays[0]).toBeGreaterThanOrEqual(0);
    expect(delays[0]).toBeLessThanOrEqual(500);
  });

  it('gives up on repeated HTTP 500 after the retries, with a retryable error that counts the attempts', async () => {
    script(
      chartPath('SPY'),
      ...Array.from({ length: 10 }, () => ({ status: 500, body: '<html><body><h1>Internal Server Error</h1></body></html>' })),
    );
    const error = await rejection(provider({ retries: 5, maxDelayMs: 3000 }).fetchBars(daily('SPY', '2024-01-02', '2024-01-09')));

    expect(error.message).toBe('Yahoo failed the chart request for SPY (HTTP 500: Internal Server Error) (gave up after 6 attempts)');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(500);
    expect(seen(chartPath('SPY'))).toHaveLength(6);
    // random = 1: each wait is its cap, min(maxDelayMs, baseDelayMs * 2^attempt).
    expect(delays).toEqual([500, 1000, 2000, 3000, 3000]);
  });

  it('retries a 200 whose JSON body is truncated, then succeeds', async () => {
    script(chartPath('SPY'), { status: 200, body: fixture('chart-spy-1d.json').slice(0, 400) });
    const result = await provider().fetchBars(daily('SPY', '2024-01-02', '2024-01-09'));

    expect(result.rows).toHaveLength(6);
    expect(seen(chartPath('SPY'))).toHaveLength(2);
    expect(delays).toEqual([500]);
  });

  it.each([
    ['result null', '{"chart":{"result":null,"error":null}}'],
    ['result []', '{"chart":{"result":[],"error":null}}'],
  ])('returns zero bars and a note when Yahoo answers with %s', async (_, body) => {
    script(chartPath('SPY'), { status: 200, body });
    const result = await provider().fetchBars(daily('SPY', '2024-01-02', '2024-01-09'));

    expect(result.rows).toEqual([]);
    expect(result.unparsed).toEqual([]);
    expect(result.notes).toContain('Yahoo returned no bars for SPY in 2024-01-02 to 2024-01-09');
    expect(seen(chartPath('SPY'))).toHaveLength(1);
    // The metadata still comes from the quote endpoint.
    expect(result.instrument).toMatchObject({ name: 'SPDR S&P 500 ETF Trust', asset_class: 'fund' });
  });

  it('returns zero bars and a note for a range with no bars (meta without timestamps)', async () => {
    const result = await provider().fetchBars(daily('SPY', '2023-06-01', '2023-06-30'));

    expect(result.rows).toEqual([]);
    expect(result.notes).toEqual(['Yahoo returned no bars for SPY in 2023-06-01 to 2023-06-30']);
    expect(result.instrument).toMatchObject({ currency: 'USD', timezone: 'America/New_York' });
  });

  it('gives up with a timeout message when the server never answers', async () => {
    script(chartPath('SPY'), 'hang', 'hang', 'hang');
    const started = Date.now();
    const error = await rejection(provider({ timeoutMs: 200, retries: 2 }).fetchBars(daily('SPY', '2024-01-02', '2024-01-09')));

    expect(error.message).toBe('Yahoo chart request for SPY timed out after 200 ms (gave up after 3 attempts)');
    expect(error.retryable).toBe(true);
    expect(seen(chartPath('SPY'))).toHaveLength(3);
    expect(delays).toEqual([500, 1000]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('retries a network error (fetch throws TypeError)', async () => {
    let calls = 0;
    const flakyFetch: typeof fetch = (input, init) =>
      ++calls === 1 ? Promise.reject(new TypeError('fetch failed')) : stubFetch(input, init);
    const result = await provider({ fetch: flakyFetch }).fetchBars(daily('SPY', '2024-01-02', '2024-01-09'));

    expect(result.rows).toHaveLength(6);
    expect(delays).toEqual([500]);
  });

  it('fails without retrying when the chart does not match the expected format', async () => {
    const body = JSON.parse(fixture('chart-spy-1d.json'));
    delete body.chart.result[0].meta.exchangeTimezoneName;
    script(chartPath('SPY'), { status: 200, body: JSON.stringify(body) });
    const error = await rejection(provider().fetchBars(daily('SPY', '2024-01-02', '2024-01-09')));

    expect(error.message).toBe(
      "Yahoo's chart response for SPY did not match the expected format (/meta: Missing required properties (exchangeTimezoneName)); Yahoo may have changed its API",
    );
    expect(error.retryable).toBe(false);
    expect(seen(chartPath('SPY'))).toHaveLength(1);
  });

  it('stops at once, without retrying, when the caller aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    const request = { ...daily('SPY', '2024-01-02', '2024-01-09'), signal: controller.signal };
    const error = await rejection(provider().fetchBars(request));

    expect(error.message).toBe('Yahoo chart request for SPY was cancelled');
    expect(error.retryable).toBe(false);
    expect(delays).toEqual([]);
  });
});

describe('YahooProvider: instrument metadata', () => {
  it('falls back to the chart meta, with a note, when the crumb request fails', async () => {
    script('/v1/test/getcrumb', ...Array.from({ length: 5 }, () => ({ status: 500, body: 'crumb service down' })));
    // A chart meta without fullExchangeName and longName, as Yahoo sends for many symbols.
    const body = JSON.parse(fixture('chart-spy-1d.json'));
    delete body.chart.result[0].meta.fullExchangeName;
    delete body.chart.result[0].meta.longName;
    script(chartPath('SPY'), { status: 200, body: JSON.stringify(body) });
    const result = await provider({ retries: 1 }).fetchBars(daily('SPY', '2024-01-02', '2024-01-09'));

    expect(result.rows).toHaveLength(6);
    expect(result.instrument).toEqual({
      symbol: 'SPY',
      name: 'SPDR S&P 500',
      asset_class: 'fund',
      currency: 'USD',
      exchange: 'PCX',
      timezone: 'America/New_York',
    });
    expect(result.notes).toEqual([
      'instrument details for SPY come from the chart: Yahoo failed the cookie/crumb request (query1.finance.yahoo.com/v1/test/getcrumb) (HTTP 500: crumb service down) (gave up after 2 attempts)',
    ]);
    expect(seen('/v1/test/getcrumb')).toHaveLength(2);
    expect(seen('/v7/finance/quote')).toHaveLength(0);
  });

  it('accepts a cookie page that answers 404 with the cookie (yahoo-finance2 reads only the cookie)', async () => {
    script('/quote/AAPL', { status: 404, body: 'Not Found', headers: COOKIE_PAGE_HEADERS });
    const result = await provider().fetchBars(daily('GC=F', '2024-01-02', '2024-01-05'));

    expect(result.notes).toEqual([]);
    expect(result.instrument).toMatchObject({ asset_class: 'commodity', exchange: 'COMEX' });
    expect(seen('/v7/finance/quote')).toHaveLength(1);
  });

  it('caches quote metadata per symbol: a second request makes no new quote or crumb request', async () => {
    const yahoo = provider();
    const first = await yahoo.fetchBars(daily('SPY', '2024-01-02', '2024-01-09'));
    const second = await yahoo.fetchBars(daily('SPY', '2024-01-02', '2024-01-05'));

    expect(second.instrument).toEqual(first.instrument);
    expect(second.rows).toHaveLength(4);
    expect(seen(chartPath('SPY'))).toHaveLength(2);
    expect(seen('/v7/finance/quote')).toHaveLength(1);
    expect(seen('/quote/AAPL')).toHaveLength(1);
    expect(seen('/v1/test/getcrumb')).toHaveLength(1);
  });
});

describe('YahooProvider: no network leak', () => {
  it('sends the chart, cookie, crumb and quote requests through the injected fetch only', async () => {
    await provider().fetchBars(daily('SPY', '2024-01-02', '2024-01-09'));

    const hosts = new Set(seenUrls.map((href) => new URL(href).hostname));
    expect(hosts).toEqual(new Set(['query2.finance.yahoo.com', 'finance.yahoo.com', 'query1.finance.yahoo.com']));
    expect(requests.map((r) => r.path)).toEqual(['/v8/finance/chart/SPY', '/quote/AAPL', '/v1/test/getcrumb', '/v7/finance/quote']);
    expect(seen('/v7/finance/quote')[0]?.query.get('crumb')).toBe('stubCrumb');
    expect(globalFetch).not.toHaveBeenCalled();
  });
});
