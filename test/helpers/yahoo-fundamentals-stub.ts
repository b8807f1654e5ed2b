/**
 * A local server answering like Yahoo's fundamentals-timeseries and quoteSummary endpoints from the
 * fixtures in test/fixtures/yahoo (in the shape yahoo-finance2 4.0.2 requests and validates), with
 * the requests it saw and replies a test scripts per path (a 429, a crumb failure) before the fixtures.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveYahooLocally, type LocalYahoo } from './yahoo-stub.js';

const FIXTURES = new URL('../fixtures/yahoo/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');

/** Symbols with statements (fundamentals-<stem>.json) and an earnings history (quoteSummary-earnings-<stem>.json). */
const STEMS: Readonly<Record<string, string>> = { AAPL: 'aapl', BAD: 'bad' };
/** Known to Yahoo without fundamentals (an ETF): its quoteSummary says "No fundamentals data found". */
const WITHOUT_FUNDAMENTALS = new Set(['SPY']);

export const SERIES = '/ws/fundamentals-timeseries/v1/finance/timeseries/';
export const SUMMARY = '/v10/finance/quoteSummary/';

export type Reply = { readonly status: number; readonly body: string; readonly headers?: Record<string, string> };

export interface FundamentalsStub extends LocalYahoo {
  /** Every request, in order: its path and query. */
  readonly requests: { path: string; query: URLSearchParams }[];
  /** Replies given to the next requests of `path`, before the fixtures. */
  script(path: string, ...replies: Reply[]): void;
  /** Forgets the requests and the scripted replies. */
  reset(): void;
}

/** Like Yahoo: one result per requested type, the fixture's series where it has one, else its meta alone. */
function timeseries(symbol: string, query: URLSearchParams): string {
  const stem = STEMS[symbol];
  const recorded: { meta: { type: string[] } }[] = stem ? JSON.parse(fixture(`fundamentals-${stem}.json`)).timeseries.result : [];
  const result = (query.get('type') ?? '')
    .split(',')
    .map((type) => recorded.find((r) => r.meta.type[0] === type) ?? { meta: { symbol: [symbol], type: [type] } });
  return JSON.stringify({ timeseries: { result, error: null } });
}

function defaultReply(path: string, query: URLSearchParams): Reply {
  if (path.startsWith('/quote/'))
    return {
      status: 200,
      body: '<html></html>',
      headers: { 'content-type': 'text/html', 'set-cookie': 'A3=d=stub; Domain=.yahoo.com; Path=/' },
    };
  if (path === '/v1/test/getcrumb') return { status: 200, body: 'stubCrumb', headers: { 'content-type': 'text/plain' } };
  if (path.startsWith(SERIES)) return { status: 200, body: timeseries(path.slice(SERIES.length), query) };
  const symbol = path.slice(SUMMARY.length);
  if (STEMS[symbol]) return { status: 200, body: fixture(`quoteSummary-earnings-${STEMS[symbol]}.json`) };
  if (WITHOUT_FUNDAMENTALS.has(symbol)) return { status: 404, body: fixture('quoteSummary-earnings-none.json') };
  return { status: 404, body: fixture('quoteSummary-not-found.json').replace('NOPE', symbol) };
}

/** @example const stub = await serveYahooFundamentals(); new YahooFundamentals({ fetch: stub.fetch }) */
export async function serveYahooFundamentals(): Promise<FundamentalsStub> {
  const requests: { path: string; query: URLSearchParams }[] = [];
  const scripts = new Map<string, Reply[]>();
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = new URL(request.url ?? '/', 'http://stub');
    const path = decodeURIComponent(url.pathname);
    requests.push({ path, query: url.searchParams });
    const reply = scripts.get(path)?.shift() ?? defaultReply(path, url.searchParams);
    response.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    response.end(reply.body);
  };
  const local = await serveYahooLocally(handle);
  return {
    ...local,
    requests,
    script: (path, ...replies) => void scripts.set(path, [...(scripts.get(path) ?? []), ...replies]),
    reset: () => {
      requests.length = 0;
      scripts.clear();
    },
  };
}
