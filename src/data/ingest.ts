/**
 * Ingest: for each symbol, fetch what is missing since its last stored bar (or from `from` on the
 * first run), validate, store, and record the outcome in ingest_runs.
 *
 * - Delta: the fetch starts at the last stored bar itself (inclusive), so a bar that was still
 *   forming when it was stored is corrected; the upsert makes the overlap free.
 * - One symbol failing (unknown symbol, provider down, unreadable file) never stops the others.
 * - Each symbol's bars are written in one transaction: a killed ingest leaves whole symbols, and
 *   re-running it ends in the same state as an uninterrupted run.
 * - Bounded concurrency: at most `concurrency` symbols in flight.
 */
import type { Database } from '../db/database.js';
import { errorMessage } from '../errors.js';
import { mapWithConcurrency } from '../util/pool.js';
import { isValidSymbol, normaliseSymbol, type InstrumentInfo, type Interval } from './bar.js';
import { writeBars } from './bar-writer.js';
import { upsertActions } from './corporate-actions-store.js';
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
import { barBefore, latestBars, upsertInstruments } from './price-store.js';
import type { PriceProvider, ProviderActions } from './providers/price-provider.js';
import { validateBars, type RowIssue } from './validate-bars.js';

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
      });
      await recordSymbol(database, runId, outcome);
      options.onProgress?.({ type: 'symbol', outcome, done: ++done, total });
      return outcome;
    });
    const totals = totalsOf(outcomes);
    const status = runStatus(totals);
    await finishRun(database, runId, totals, status);
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
}

async function ingestSymbol(database: Database, provider: PriceProvider, raw: string, context: SymbolContext): Promise<SymbolOutcome> {
  const empty = {
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: [],
    flagged: [],
    first: undefined,
    last: undefined,
    notes: [],
  };
  let symbol = raw;
  try {
    symbol = normaliseSymbol(raw);
    const stored = context.latest?.get(symbol);
    const from = stored?.ts ?? context.from;
    const fetched = await provider.fetchBars({ symbol, interval: context.interval, from, to: context.to });
    const firstTs = fetched.rows.reduce((min, row) => (Number.isFinite(row.ts) ? Math.min(min, row.ts) : min), Infinity);
    // A symbol with no stored bars when the run started has none before its first new bar: no query.
    const mayHavePrevious = Number.isFinite(firstTs) && (context.latest === undefined || stored !== undefined);
    const previous = mayHavePrevious ? await barBefore(database, symbol, context.interval, firstTs) : undefined;
    const validation = validateBars(fetched.rows, { symbol, interval: context.interval, source: provider.name, previous });
    const unparsed: RowIssue[] = fetched.unparsed.map((u) => ({ symbol, line: u.line, ts: u.ts, reason: u.reason }));
    // Rows came and none can be stored (US dates in a file, say): a failure, not an "ok" with nothing.
    const offered = fetched.rows.length + fetched.unparsed.length;
    if (offered > 0 && validation.accepted.length === 0) {
      const rejected = [...unparsed, ...validation.rejected];
      const first = rejected[0];
      const example = first ? `; ${first.line !== undefined ? `line ${first.line}: ` : ''}${first.reason}` : '';
      return {
        symbol,
        status: 'failed',
        ...empty,
        fetched: offered,
        rejected,
        error: `none of its ${offered} rows could be stored${example}`,
      };
    }

    const known = context.metadata?.get(symbol);
    await upsertInstruments(database, [mergeInfo(symbol, known, fetched.instrument)], provider.name);
    // Events before bars: a kill between the two is repaired by the re-run, which fetches both again.
    const actions = fetched.actions ? await storeActions(database, symbol, fetched.actions) : null;
    const counts = await writeBars(database, validation.accepted);
    const accepted = validation.accepted;
    return {
      symbol,
      status: 'ok',
      fetched: fetched.rows.length + fetched.unparsed.length,
      ...counts,
      rejected: [...unparsed, ...validation.rejected, ...(actions?.rejected ?? [])],
      flagged: [...validation.flagged, ...(actions?.flagged ?? [])],
      first: accepted[0]?.ts,
      last: accepted[accepted.length - 1]?.ts,
      notes: [...(fetched.notes ?? []), ...(actions?.note ? [actions.note] : [])],
      error: undefined,
    };
  } catch (error) {
    return { symbol, status: 'failed', ...empty, error: errorMessage(error) };
  }
}

/** Stores a symbol's splits and dividends; their problems become the symbol's rejected and flagged rows. */
async function storeActions(
  database: Database,
  symbol: string,
  actions: ProviderActions,
): Promise<{ rejected: RowIssue[]; flagged: RowIssue[]; note: string | null }> {
  const counts = await upsertActions(database, actions.events);
  const issue = (u: { line?: number | undefined; ts?: string | undefined; reason: string }): RowIssue => ({
    symbol,
    line: u.line,
    ts: u.ts,
    reason: u.reason,
  });
  const rejected = actions.rejected.map(issue);
  const flagged = actions.flagged.map(issue);
  const changed = counts.inserted + counts.updated;
  const note =
    changed > 0 || rejected.length > 0
      ? `corporate actions (${actions.origin}): ${counts.inserted} new, ${counts.updated} restated, ${counts.unchanged} already stored` +
        (rejected.length > 0 ? `, ${rejected.length} rejected (momentum data issues)` : '')
      : null;
  return { rejected, flagged, note };
}

/** Provider metadata wins over the config's; fields neither knows stay unset. */
function mergeInfo(symbol: string, fromConfig: InstrumentInfo | undefined, fromProvider: InstrumentInfo | undefined): InstrumentInfo {
  const defined = (info: InstrumentInfo | undefined) =>
    Object.fromEntries(Object.entries(info ?? {}).filter(([, v]) => v !== undefined && v !== null));
  return { ...defined(fromConfig), ...defined(fromProvider), symbol };
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
