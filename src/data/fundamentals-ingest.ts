/**
 * Fundamentals of several symbols from a provider (yahoo-fundamentals.ts), each symbol fetched,
 * checked and stored on its own: one symbol's failure or lack of data is its own outcome, the
 * others are stored.
 */
import type { Database } from '../db/database.js';
import { checkAndStoreFundamentals, type FundamentalsStored } from './fundamentals-import.js';
import { eachSymbol, type SymbolFailure } from './per-symbol.js';
import type { FundamentalsSource } from './providers/yahoo-fundamentals.js';

export type FundamentalsOutcome =
  | { readonly symbol: string; readonly status: 'stored'; readonly report: FundamentalsStored; readonly notes: readonly string[] }
  | { readonly symbol: string; readonly status: 'empty'; readonly notes: readonly string[] }
  | SymbolFailure;

/**
 * @example const outcomes = await ingestFundamentals(db, new YahooFundamentals(), ['AAPL', 'SPY'])
 */
export async function ingestFundamentals(
  db: Database,
  source: FundamentalsSource,
  symbols: readonly string[],
  options: {
    readonly signal?: AbortSignal;
    /** Per symbol (as given), the first period end to ask for (epoch ms); a symbol without one gets all the source has. */
    readonly from?: ReadonlyMap<string, number>;
  } = {},
): Promise<FundamentalsOutcome[]> {
  return eachSymbol(symbols, options.signal, async (symbol): Promise<FundamentalsOutcome> => {
    const fetched = await source.fetchFundamentals(symbol, { from: options.from?.get(symbol), signal: options.signal });
    if (fetched.rows.length === 0) return { symbol: fetched.symbol, status: 'empty', notes: fetched.notes };
    const report = await checkAndStoreFundamentals(db, fetched.rows, [], { source: source.name, now: fetched.fetchedAt });
    return { symbol: fetched.symbol, status: 'stored', report, notes: fetched.notes };
  });
}
