/**
 * Yahoo's quoteSummary (the analysts' and earnings modules) and search endpoints answered from the
 * fixtures in test/fixtures/yahoo: the route of a scripted Yahoo (yahoo-stub.ts) for the
 * qualitative adapter's and the ingest job's tests.
 */
import { quoteSummaryReply, yahooFixture, type StubReply } from './yahoo-stub.js';

/** quoteSummary-qualitative-<stem>.json; absent: Yahoo has no such modules for the symbol (SPY) or no such symbol. */
const SUMMARIES: Readonly<Record<string, string>> = { AAPL: 'aapl', BAD: 'bad', QUIET: 'empty' };
/** Known to Yahoo without these modules (an ETF): its quoteSummary says "No fundamentals data found". */
const WITHOUT_MODULES = new Set(['SPY']);
/** search-<stem>.json; any other query finds no news. */
const NEWS: Readonly<Record<string, string>> = { AAPL: 'aapl', BAD: 'bad', SPY: 'spy' };

export const SUMMARY = '/v10/finance/quoteSummary/';
export const SEARCH = '/v1/finance/search';

/** The fixtures' answer to a qualitative request. */
export function qualitativeRoute(path: string, query: URLSearchParams): StubReply {
  if (path === SEARCH) {
    const stem = NEWS[query.get('q') ?? ''];
    return { status: 200, body: yahooFixture(stem ? `search-${stem}.json` : 'search-empty.json') };
  }
  const symbol = path.slice(SUMMARY.length);
  const stem = SUMMARIES[symbol];
  return quoteSummaryReply(symbol, stem && `quoteSummary-qualitative-${stem}.json`, WITHOUT_MODULES.has(symbol));
}

/** Whether a request is the qualitative adapter's (its search, or a quoteSummary of the analysts' modules). */
export function isQualitativeRequest(path: string, query: URLSearchParams): boolean {
  return path === SEARCH || (path.startsWith(SUMMARY) && (query.get('modules') ?? '').includes('upgradeDowngradeHistory'));
}
