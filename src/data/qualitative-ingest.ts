/**
 * Qualitative data of several symbols from a provider (yahoo-qualitative.ts), each symbol fetched
 * and stored on its own: one symbol's failure or lack of data is its own outcome, the others are
 * stored (as fundamentals-ingest.ts does for fundamentals).
 */
import type { Database } from '../db/database.js';
import { eachSymbol, type SymbolFailure } from './per-symbol.js';
import type { QualitativeSource } from './providers/yahoo-qualitative.js';
import type { RecommendationTrend } from './qualitative.js';
import {
  loadRecommendationTrends,
  storeAnalystActions,
  storeEarningsEvents,
  storeNewsHeadlines,
  storeRecommendationTrends,
} from './qualitative-store.js';

/** How many items of each kind. */
export interface QualitativeCounts {
  readonly actions: number;
  readonly trends: number;
  readonly earnings: number;
  readonly headlines: number;
}

export type QualitativeOutcome =
  | {
      readonly symbol: string;
      readonly status: 'stored';
      /** What the source gave (after dropping bad items) and what of it was new. */
      readonly fetched: QualitativeCounts;
      readonly stored: QualitativeCounts;
      readonly notes: readonly string[];
    }
  | { readonly symbol: string; readonly status: 'empty'; readonly notes: readonly string[] }
  | SymbolFailure;

const sameCounts = (a: RecommendationTrend, b: RecommendationTrend): boolean =>
  a.strongBuy === b.strongBuy && a.buy === b.buy && a.hold === b.hold && a.sell === b.sell && a.strongSell === b.strongSell;

/**
 * The fetched monthly counts that differ from the latest stored for their month and source: a
 * re-fetch of unchanged counts is no new knowledge (each fetch is a new known_at, so storing all
 * would repeat every snapshot).
 */
export function changedTrends(fetched: readonly RecommendationTrend[], stored: readonly RecommendationTrend[]): RecommendationTrend[] {
  const key = (t: RecommendationTrend) => `${t.symbol}|${t.month}|${t.source}`;
  const latest = new Map<string, RecommendationTrend>();
  for (const t of stored) if ((latest.get(key(t))?.knownAt ?? -Infinity) <= t.knownAt) latest.set(key(t), t);
  return fetched.filter((t) => {
    const before = latest.get(key(t));
    return before === undefined || !sameCounts(before, t);
  });
}

/**
 * @example const outcomes = await ingestQualitative(db, new YahooQualitative(), ['AAPL', 'SPY'])
 */
export async function ingestQualitative(
  db: Database,
  source: QualitativeSource,
  symbols: readonly string[],
  options: { readonly signal?: AbortSignal } = {},
): Promise<QualitativeOutcome[]> {
  return eachSymbol(symbols, options.signal, async (symbol): Promise<QualitativeOutcome> => {
    const found = await source.fetchQualitative(symbol, options);
    const fetched: QualitativeCounts = {
      actions: found.actions.length,
      trends: found.trends.length,
      earnings: found.earnings.length,
      headlines: found.headlines.length,
    };
    if (Object.values(fetched).every((n) => n === 0)) return { symbol: found.symbol, status: 'empty', notes: found.notes };
    const storedTrends = await loadRecommendationTrends(db, { symbols: [found.symbol] });
    const stored: QualitativeCounts = {
      actions: await storeAnalystActions(db, found.actions),
      trends: await storeRecommendationTrends(db, changedTrends(found.trends, storedTrends)),
      earnings: await storeEarningsEvents(db, found.earnings),
      headlines: await storeNewsHeadlines(db, found.headlines),
    };
    return { symbol: found.symbol, status: 'stored', fetched, stored, notes: found.notes };
  });
}
