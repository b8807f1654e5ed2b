/**
 * One interface for every source of bars (Yahoo, CSV files, the synthetic market).
 *
 * A provider only fetches and parses: it returns candidate rows in the bar layout (numbers may
 * be NaN where the source had a gap or garbage) and the rows it could not even parse. The ETL
 * (validate-bars.ts) decides what is stored, so every source gets the same rules.
 */
import type { BarPrices, InstrumentInfo, Interval } from '../bar.js';
import type { CorporateAction } from '../corporate-action.js';

export interface BarRequest {
  readonly symbol: string;
  readonly interval: Interval;
  /** Inclusive start, epoch ms. Undefined: everything the source has (or its default look-back). */
  readonly from: number | undefined;
  /** Inclusive end, epoch ms. */
  readonly to: number;
  readonly signal?: AbortSignal;
}

/** A row as the source gave it, not yet validated (validate-bars.ts makes Bars of it). `line` is the source line when there is one. */
export interface CandidateBar extends BarPrices {
  readonly line?: number;
}

/** A row the provider could not turn into a candidate (malformed CSV line, null values...). */
export interface UnparsedRow {
  readonly line?: number;
  readonly ts?: string;
  readonly reason: string;
  readonly raw?: unknown;
}

export interface ProviderResult {
  readonly rows: readonly CandidateBar[];
  readonly unparsed: readonly UnparsedRow[];
  /** Metadata the source knows (name, currency, exchange, time zone...). */
  readonly instrument?: InstrumentInfo;
  /** Things the user should know, e.g. "1m bars are only available for the last 30 days". */
  readonly notes?: readonly string[];
  /** Splits and dividends, when the source knows them (absent: it says nothing about them). */
  readonly actions?: ProviderActions;
}

/** A source's corporate actions: the events, and the rows it could not use or doubts. */
export interface ProviderActions {
  /** Where they come from, for notes: `actions/USO.csv`, `Yahoo chart events`, `derived from adj_close / close`. */
  readonly origin: string;
  readonly events: readonly CorporateAction[];
  readonly rejected: readonly UnparsedRow[];
  readonly flagged: readonly UnparsedRow[];
}

/** Rows of a source as they come, a part at a time. */
export interface BarChunk {
  readonly rows: readonly CandidateBar[];
  readonly unparsed: readonly UnparsedRow[];
}

/** A source's rows as a stream of chunks; the rest of its result is known once they have all come. */
export interface BarStream {
  readonly chunks: AsyncIterable<BarChunk>;
  /** Notes, instrument and actions: call after the chunks are consumed. */
  finish(): Omit<ProviderResult, 'rows' | 'unparsed'>;
}

/** A stream's rows gathered into one result (for callers that want the whole symbol). */
export async function collectBars(stream: BarStream): Promise<ProviderResult> {
  const rows: CandidateBar[] = [];
  const unparsed: UnparsedRow[] = [];
  for await (const chunk of stream.chunks) {
    for (const row of chunk.rows) rows.push(row);
    for (const row of chunk.unparsed) unparsed.push(row);
  }
  return { rows, unparsed, ...stream.finish() };
}

/** A result already in hand as a stream of one chunk. */
export function streamOf(result: ProviderResult): BarStream {
  const { rows, unparsed, ...rest } = result;
  return {
    chunks: (async function* () {
      yield { rows, unparsed };
    })(),
    finish: () => rest,
  };
}

export interface PriceProvider {
  /** Stored in each bar's `source` column: 'yahoo', 'csv', 'synthetic'. */
  readonly name: string;
  /** Symbols this provider can serve without being told (a CSV folder, the synthetic market). */
  listSymbols?(): Promise<readonly string[]>;
  /** Bars for one symbol. Throws ProviderError (or any Error) when the symbol fails as a whole. */
  fetchBars(request: BarRequest): Promise<ProviderResult>;
  /** Bars for one symbol as a stream, for sources too large to hold (CSV files); ingest prefers it. */
  streamBars?(request: BarRequest): BarStream;
}
