/**
 * Ingest: for each symbol, fetch what is missing since its last stored bar (or from `from` on the
 * first run), validate, store, and record the outcome in ingest_runs.
 *
 * - Delta: the fetch starts at the last stored bar itself (inclusive), so a bar that was still
 *   forming when it was stored is corrected; the upsert makes the overlap free.
 * - One symbol failing (unknown symbol, provider down, unreadable file) never stops the others.
 * - Each symbol is stored in one transaction (symbol-store.ts): a killed ingest leaves whole
 *   symbols, and re-running it ends in the same state as an uninterrupted run.
 * - Bounded memory: a source that streams (a CSV file) is read and written a batch of rows at a
 *   time within that transaction, so a file larger than memory ingests; one whose rows go back in
 *   time is read whole instead (its duplicates could otherwise fall into different batches).
 * - Bounded concurrency: at most `concurrency` symbols in flight.
 */
import { tuneChunkInterval } from '../db/chunk-interval.js';
import type { Database } from '../db/database.js';
import { errorMessage } from '../errors.js';
import { mapWithConcurrency } from '../util/pool.js';
import { isValidSymbol, normaliseSymbol, type InstrumentInfo, type Interval } from './bar.js';
import {
  finishRun,
  recordSymbol,
  runStatus,
  startRun,
  totalsOf,
  type RunStatus,
  type RunTotals,
  type SymbolOutcome,
} from './ingest-run-store.js';
import { latestBars } from './price-store.js';
import { streamOf, type PriceProvider } from './providers/price-provider.js';
import { storeSymbol, SymbolRefused } from './symbol-store.js';
import { BATCH_ROWS, OutOfOrder } from './time-batches.js';

export interface IngestOptions {
  /** Symbols as the user typed them; each is validated (bad ones fail alone). */
  readonly symbols: readonly string[];
  readonly interval: Interval;
  /** Start (epoch ms) for symbols with no stored bars; undefined: all the provider has. */
  readonly from?: number | undefined;
  /** End (epoch ms), default now. */
  readonly to?: number | undefined;
  /** Ignore stored bars and fetch from `from` again (re-import; changed rows are updated). */
  readonly full?: boolean;
  readonly concurrency?: number;
  /** Rows per batch when a source streams (default BATCH_ROWS); the batches of a symbol share its transaction. */
  readonly batchRows?: number;
  /** Metadata from the universe config; the provider's own metadata takes precedence. */
  readonly metadata?: ReadonlyMap<string, InstrumentInfo>;
  readonly now?: () => number;
  readonly onProgress?: (event: IngestProgress) => void;
}

export type IngestProgress =
  | { readonly type: 'start'; readonly runId: number; readonly total: number }
  | { readonly type: 'symbol'; readonly outcome: SymbolOutcome; readonly done: number; readonly total: number };

export interface IngestReport {
  readonly runId: number;
  readonly source: string;
  readonly interval: Interval;
  readonly status: RunStatus;
  readonly totals: RunTotals;
  readonly symbols: readonly SymbolOutcome[];
}

/**
 * @example const report = await ingest(db, new CsvProvider({ path: 'data/' }), { symbols: ['SPY'], interval: '1d' })
 */
export async function ingest(database: Database, provider: PriceProvider, options: IngestOptions): Promise<IngestReport> {
  const now = options.now ?? Date.now;
  const to = options.to ?? now();
  const request = {
    symbols: options.symbols,
    interval: options.interval,
    from: iso(options.from),
    to: iso(to),
    full: options.full ?? false,
  };
  const runId = await startRun(database, { source: provider.name, interval: options.interval, request });
  const requested = uniqueSymbols(options.symbols);
  const total = requested.length;
  options.onProgress?.({ type: 'start', runId, total });

  const valid = requested.flatMap((raw) => (isValidSymbol(raw) ? [normaliseSymbol(raw)] : []));
  // Undefined with --full: stored bars are then ignored, and not looked up.
  const latest = options.full ? undefined : await latestBars(database, valid, options.interval);

  let done = 0;
  try {
    const outcomes = await mapWithConcurrency(requested, options.concurrency ?? 4, async (raw) => {
      const outcome = await ingestSymbol(database, provider, raw, {
        interval: options.interval,
        to,
        latest,
        from: options.from,
        metadata: options.metadata,
        batchRows: options.batchRows ?? BATCH_ROWS,
      });
      await recordSymbol(database, runId, outcome);
      options.onProgress?.({ type: 'symbol', outcome, done: ++done, total });
      return outcome;
    });
    const totals = totalsOf(outcomes);
    const status = runStatus(totals);
    await finishRun(database, runId, totals, status);
    // TimescaleDB: chunks sized to how dense the bars now are. A tuning step: a failure (e.g. a
    // role that may not alter the table) leaves the interval as it was and the ingest stands.
    if (totals.bars_inserted > 0) await tuneChunkInterval(database).catch(() => null);
    return { runId, source: provider.name, interval: options.interval, status, totals, symbols: outcomes };
  } catch (error) {
    // Only bookkeeping failures get here (the database went away); per-symbol errors are outcomes.
    await finishRun(database, runId, totalsOf([]), 'failed', errorMessage(error)).catch(() => undefined);
    throw error;
  }
}

interface SymbolContext {
  readonly interval: Interval;
  readonly to: number;
  readonly from: number | undefined;
  readonly latest: ReadonlyMap<string, { ts: number }> | undefined;
  readonly metadata: ReadonlyMap<string, InstrumentInfo> | undefined;
  readonly batchRows: number;
}

async function ingestSymbol(database: Database, provider: PriceProvider, raw: string, context: SymbolContext): Promise<SymbolOutcome> {
  let symbol = raw;
  try {
    symbol = normaliseSymbol(raw);
    const stored = context.latest?.get(symbol);
    const request = { symbol, interval: context.interval, from: stored?.ts ?? context.from, to: context.to };
    const work = {
      symbol,
      interval: context.interval,
      source: provider.name,
      known: context.metadata?.get(symbol),
      // A symbol with no stored bars when the run started has none before its first new bar: no query.
      mayHavePrevious: context.latest === undefined || stored !== undefined,
    };
    // A source that fetches whole (over the network) does so before the transaction opens.
    if (!provider.streamBars) return await storeSymbol(database, work, streamOf(await provider.fetchBars(request)), Infinity);
    try {
      return await storeSymbol(database, work, provider.streamBars(request), context.batchRows);
    } catch (error) {
      if (!(error instanceof OutOfOrder)) throw error;
      // Rolled back: read again, whole, as the rows cannot be batched in time order.
      const outcome = await storeSymbol(database, work, provider.streamBars(request), Infinity);
      return { ...outcome, notes: [...outcome.notes, `rows out of time order (${error.message}): read whole, not in batches`] };
    }
  } catch (error) {
    if (error instanceof SymbolRefused) return error.outcome;
    return {
      symbol,
      status: 'failed',
      fetched: 0,
      inserted: 0,
      updated: 0,
      unchanged: 0,
      rejected: [],
      flagged: [],
      first: undefined,
      last: undefined,
      notes: [],
      error: errorMessage(error),
    };
  }
}

/** Drops repeats ('spy' and 'SPY' are one symbol), keeping the first spelling. */
function uniqueSymbols(symbols: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const raw of symbols) {
    const key = isValidSymbol(raw) ? normaliseSymbol(raw) : raw.trim();
    if (!byKey.has(key)) byKey.set(key, raw);
  }
  return [...byKey.values()];
}

function iso(ts: number | undefined): string | null {
  return ts === undefined ? null : new Date(ts).toISOString();
}
