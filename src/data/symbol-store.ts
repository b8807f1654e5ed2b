/**
 * Stores one symbol's rows in one transaction, a batch at a time: each batch validated, compared
 * with the stored bars and written (writeBarsIn), then the source's metadata and corporate actions.
 * A failure anywhere (an unreadable file, a symbol none of whose rows can be stored) rolls the whole
 * symbol back: a failing symbol stores nothing. Memory: one batch of rows (see time-batches.ts)
 * whatever the size of the source, plus the problems reported.
 */
import type { Compilable } from 'kysely';
import type { Database } from '../db/database.js';
import type { ScriptTransaction } from '../db/script-transaction.js';
import type { Bar, InstrumentInfo, Interval } from './bar.js';
import { lockBars, recountSeries, writeBarsIn } from './bar-writer.js';
import type { CorporateAction } from './corporate-action.js';
import { actionCounts, upsertActionsQuery, type ActionWriteCounts } from './corporate-actions-store.js';
import type { SymbolOutcome } from './ingest-run-store.js';
import { barBeforeQuery, upsertInstrumentsQuery } from './price-store.js';
import type { BarStream, CandidateBar, ProviderActions } from './providers/price-provider.js';
import { timeOrderedBatches } from './time-batches.js';
import { validateBars, type RowIssue } from './validate-bars.js';

export interface SymbolWork {
  readonly symbol: string;
  readonly interval: Interval;
  /** The provider's name, stored in each bar's `source`. */
  readonly source: string;
  /** Metadata from the universe config; the provider's own takes precedence. */
  readonly known: InstrumentInfo | undefined;
  /** False when the symbol had no stored bars as the run started: no stored bar precedes the new ones. */
  readonly mayHavePrevious: boolean;
}

/** A symbol none of whose rows could be stored: its outcome, thrown to roll its transaction back. */
export class SymbolRefused extends Error {
  constructor(readonly outcome: SymbolOutcome) {
    super(outcome.error);
  }
}

/**
 * @example const outcome = await storeSymbol(db, work, provider.streamBars(request), BATCH_ROWS)
 */
export async function storeSymbol(database: Database, work: SymbolWork, stream: BarStream, batchSize: number): Promise<SymbolOutcome> {
  const { symbol, interval, source } = work;
  const run = (tx: ScriptTransaction, query: Compilable) => {
    const compiled = query.compile();
    return tx.query<Record<string, unknown>>(compiled.sql, compiled.parameters);
  };
  return database.scriptTransaction(async (tx) => {
    await lockBars(tx);
    // Before the first batch: bars of an unknown instrument are refused.
    await run(tx, upsertInstrumentsQuery(database.kysely, [mergeInfo(symbol, work.known, undefined)], source));
    const unparsed: RowIssue[] = [];
    const rejected: RowIssue[] = [];
    const flagged: RowIssue[] = [];
    const counts = { fetched: 0, inserted: 0, updated: 0, unchanged: 0 };
    let accepted = 0;
    let first: number | undefined;
    let last: number | undefined;
    let previous: Pick<Bar, 'ts' | 'close' | 'adj_close'> | undefined;
    let lookedBack = false;
    for await (const batch of timeOrderedBatches(stream.chunks, batchSize)) {
      counts.fetched += batch.rows.length + batch.unparsed.length;
      for (const u of batch.unparsed) unparsed.push({ symbol, line: u.line, ts: u.ts, reason: u.reason });
      const firstTs = earliest(batch.rows);
      // The first batch with times holds the earliest (batches come in time order): the stored bar
      // before it is where the jump check starts.
      if (!lookedBack && Number.isFinite(firstTs)) {
        lookedBack = true;
        if (work.mayHavePrevious) {
          const [row] = await run(tx, barBeforeQuery(database.kysely, symbol, interval, firstTs));
          if (row) previous = { ts: (row.ts as Date).getTime(), close: row.close as number, adj_close: row.adj_close as number };
        }
      }
      const validation = validateBars(batch.rows, { symbol, interval, source, previous });
      for (const issue of validation.rejected) rejected.push(issue);
      for (const issue of validation.flagged) flagged.push(issue);
      const written = await writeBarsIn(tx, validation.accepted);
      counts.inserted += written.inserted;
      counts.updated += written.updated;
      counts.unchanged += written.unchanged;
      const bars = validation.accepted;
      if (bars.length === 0) continue;
      accepted += bars.length;
      previous = bars[bars.length - 1]!;
      first = Math.min(first ?? Infinity, bars[0]!.ts);
      last = Math.max(last ?? -Infinity, previous.ts);
    }
    // Rows came and none can be stored (US dates in a file, say): a failure, not an "ok" with nothing.
    if (counts.fetched > 0 && accepted === 0) {
      const all = [...unparsed, ...rejected];
      const example = all[0] ? `; ${all[0].line !== undefined ? `line ${all[0].line}: ` : ''}${all[0].reason}` : '';
      throw new SymbolRefused({
        symbol,
        status: 'failed',
        fetched: counts.fetched,
        inserted: 0,
        updated: 0,
        unchanged: 0,
        rejected: all,
        flagged: [],
        first: undefined,
        last: undefined,
        notes: [],
        error: `none of its ${counts.fetched} rows could be stored${example}`,
      });
    }
    if (counts.inserted + counts.updated > 0) await recountSeries(tx, [{ symbol, interval }]);
    const tail = stream.finish();
    if (tail.instrument) await run(tx, upsertInstrumentsQuery(database.kysely, [mergeInfo(symbol, work.known, tail.instrument)], source));
    const upsertActions = async (events: readonly CorporateAction[]) =>
      events.length === 0
        ? { inserted: 0, updated: 0, unchanged: 0 }
        : actionCounts(events, (await run(tx, upsertActionsQuery(database.kysely, events))) as { inserted: boolean }[]);
    const actions = tail.actions ? await storeActions(tail.actions, symbol, upsertActions) : null;
    return {
      symbol,
      status: 'ok',
      ...counts,
      rejected: [...unparsed, ...rejected, ...(actions?.rejected ?? [])],
      flagged: [...flagged, ...(actions?.flagged ?? [])],
      first,
      last,
      notes: [...(tail.notes ?? []), ...(actions?.note ? [actions.note] : [])],
      error: undefined,
    };
  });
}

function earliest(rows: readonly CandidateBar[]): number {
  let min = Infinity;
  for (const row of rows) if (row.ts < min) min = row.ts;
  return min;
}

/** Stores a symbol's splits and dividends; their problems become the symbol's rejected and flagged rows. */
async function storeActions(
  actions: ProviderActions,
  symbol: string,
  upsert: (events: readonly CorporateAction[]) => Promise<ActionWriteCounts>,
): Promise<{ rejected: RowIssue[]; flagged: RowIssue[]; note: string | null }> {
  const counts = await upsert(actions.events);
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
