/**
 * Yahoo's fundamentals-timeseries and quoteSummary endpoints answered from the fixtures in
 * test/fixtures/yahoo (in the shape yahoo-finance2 4.0.2 requests and validates): the route of a
 * scripted Yahoo (yahoo-stub.ts) for the fundamentals adapter's and the ingest job's tests.
 */
import { quoteSummaryReply, yahooFixture, type StubReply } from './yahoo-stub.js';

/** Symbols with statements (fundamentals-<stem>.json) and an earnings history (quoteSummary-earnings-<stem>.json). */
const STEMS: Readonly<Record<string, string>> = { AAPL: 'aapl', BAD: 'bad' };
/** Known to Yahoo without fundamentals (an ETF): its quoteSummary says "No fundamentals data found". */
const WITHOUT_FUNDAMENTALS = new Set(['SPY']);

export const SERIES = '/ws/fundamentals-timeseries/v1/finance/timeseries/';
export const SUMMARY = '/v10/finance/quoteSummary/';

/** Like Yahoo: one result per requested type, the fixture's series where it has one, else its meta alone. */
function timeseries(symbol: string, query: URLSearchParams): string {
  const stem = STEMS[symbol];
  const recorded: { meta: { type: string[] } }[] = stem ? JSON.parse(yahooFixture(`fundamentals-${stem}.json`)).timeseries.result : [];
  const result = (query.get('type') ?? '')
    .split(',')
    .map((type) => recorded.find((r) => r.meta.type[0] === type) ?? { meta: { symbol: [symbol], type: [type] } });
  return JSON.stringify({ timeseries: { result, error: null } });
}

/** The fixtures' answer to a fundamentals request. */
export function fundamentalsRoute(path: string, query: URLSearchParams): StubReply {
  if (path.startsWith(SERIES)) return { status: 200, body: timeseries(path.slice(SERIES.length), query) };
  const symbol = path.slice(SUMMARY.length);
  const stem = STEMS[symbol];
  return quoteSummaryReply(symbol, stem && `quoteSummary-earnings-${stem}.json`, WITHOUT_FUNDAMENTALS.has(symbol));
}
