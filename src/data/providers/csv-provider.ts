/**
 * CSV files, one per symbol (symbol = file name without `.csv`), from a single file or a folder.
 *
 * Two layouts are recognised from the header (case and column order do not matter):
 *   ours:  date,open,high,low,close,adj_close,volume   (as in ../shared/data)
 *   Yahoo: Date,Open,High,Low,Close,Adj Close,Volume   (Yahoo's CSV download)
 * A file without an adjusted close column is read with adj_close = close (and says so in a note).
 * Dates are `YYYY-MM-DD` for daily and longer bars; intraday files carry ISO instants with an offset.
 * Files are streamed through csv-parse; a malformed line becomes a per-line problem, never a failed file.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse, type CsvError } from 'csv-parse';
import { DataError } from '../../errors.js';
import { dateToTs, isIntraday, type Interval } from '../bar.js';
import type { BarRequest, CandidateBar, PriceProvider, ProviderResult, UnparsedRow } from './price-provider.js';

type Column = 'date' | 'open' | 'high' | 'low' | 'close' | 'adj_close' | 'volume';

const HEADER_ALIASES: Record<string, Column> = {
  date: 'date',
  datetime: 'date',
  timestamp: 'date',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  adj_close: 'adj_close',
  'adj close': 'adj_close',
  adjclose: 'adj_close',
  volume: 'volume',
};
const REQUIRED: readonly Column[] = ['date', 'open', 'high', 'low', 'close', 'volume'];

export interface CsvLayout {
  readonly index: Readonly<Record<Column, number>>;
  readonly width: number;
  readonly hasAdjClose: boolean;
}

/** Column positions from a header row; throws a DataError naming what is missing. */
export function detectLayout(header: readonly string[], file: string): CsvLayout {
  const index: Partial<Record<Column, number>> = {};
  header.forEach((name, i) => {
    const column = HEADER_ALIASES[name.trim().toLowerCase()];
    if (column && index[column] === undefined) index[column] = i;
  });
  const missing = REQUIRED.filter((c) => index[c] === undefined);
  if (missing.length > 0) {
    throw new DataError(
      `${file}: header ${JSON.stringify(header.join(','))} lacks ${missing.join(', ')}; expected date,open,high,low,close,adj_close,volume or Yahoo's Date,Open,High,Low,Close,Adj Close,Volume`,
    );
  }
  const hasAdjClose = index.adj_close !== undefined;
  return { index: { ...index, adj_close: index.adj_close ?? index.close! } as Record<Column, number>, width: header.length, hasAdjClose };
}

/** A number from CSV text: empty, `null` and garbage are NaN (Number('') would be 0). */
function parseNumber(text: string | undefined): number {
  if (text === undefined) return Number.NaN;
  const trimmed = text.trim();
  if (trimmed === '' || /^(null|nan|n\/a|-)$/i.test(trimmed)) return Number.NaN;
  return Number(trimmed);
}

function parseTime(text: string, interval: Interval): number {
  const trimmed = text.trim();
  if (!isIntraday(interval)) return dateToTs(trimmed);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
}

/** Parses one data record; returns a candidate or the reason it cannot be one. */
export function parseRecord(fields: readonly string[], layout: CsvLayout, interval: Interval, line: number): CandidateBar | UnparsedRow {
  const dateText = fields[layout.index.date] ?? '';
  if (fields.length !== layout.width) {
    return { line, ts: dateText, reason: `expected ${layout.width} fields, got ${fields.length}`, raw: fields.join(',') };
  }
  const ts = parseTime(dateText, interval);
  if (!Number.isFinite(ts)) {
    const expected = isIntraday(interval) ? 'an ISO instant with offset, e.g. 2024-01-31T14:30:00Z' : 'a date YYYY-MM-DD';
    return { line, ts: dateText, reason: `invalid date ${JSON.stringify(dateText)}: expected ${expected}`, raw: fields.join(',') };
  }
  const value = (c: Column) => parseNumber(fields[layout.index[c]]);
  return {
    ts,
    open: value('open'),
    high: value('high'),
    low: value('low'),
    close: value('close'),
    adj_close: value('adj_close'),
    volume: value('volume'),
    line,
  };
}

export interface CsvProviderOptions {
  /** A .csv file or a folder of them. */
  readonly path: string;
}

export class CsvProvider implements PriceProvider {
  readonly name = 'csv';
  readonly #files: ReadonlyMap<string, string>;

  constructor(options: CsvProviderOptions) {
    this.#files = listCsvFiles(options.path);
  }

  /** File stems as found (the ingest validates each as a symbol and reports bad names). */
  async listSymbols(): Promise<readonly string[]> {
    return [...this.#files.keys()];
  }

  async fetchBars(request: BarRequest): Promise<ProviderResult> {
    const file = this.#files.get(request.symbol.toUpperCase());
    if (!file) throw new DataError(`no CSV file for ${request.symbol} (looked for ${request.symbol}.csv)`);
    const rows: CandidateBar[] = [];
    const unparsed: UnparsedRow[] = [];
    const notes: string[] = [];
    let layout: CsvLayout | undefined;
    let records = 0;
    const parser = createReadStream(file).pipe(
      parse({
        bom: true,
        info: true,
        relax_column_count: true,
        skip_empty_lines: true,
        skip_records_with_error: true,
        on_skip: (error: CsvError | undefined, raw: string | undefined) => {
          unparsed.push({
            line: (error as { lines?: number } | undefined)?.lines,
            reason: `malformed CSV: ${error?.message ?? 'unreadable line'}`,
            raw,
          });
          return undefined;
        },
      }),
    );
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      records++;
      if (!layout) {
        layout = detectLayout(record, basename(file));
        if (!layout.hasAdjClose) notes.push(`${basename(file)} has no adjusted close column: adj_close = close`);
        continue;
      }
      const parsed = parseRecord(record, layout, request.interval, info.lines);
      if ('reason' in parsed) unparsed.push(parsed);
      else if ((request.from === undefined || parsed.ts >= request.from) && parsed.ts <= request.to) rows.push(parsed);
    }
    if (records === 0) throw new DataError(`${basename(file)} is empty: expected a header and rows`);
    if (records === 1) notes.push(`${basename(file)} has a header but no data rows`);
    return { rows, unparsed, notes, instrument: { symbol: request.symbol } };
  }
}

function listCsvFiles(path: string): Map<string, string> {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new DataError(`CSV path ${path} does not exist`);
  }
  const files = stats.isDirectory()
    ? readdirSync(path)
        .filter((f) => extname(f).toLowerCase() === '.csv')
        .sort()
        .map((f) => join(path, f))
    : [path];
  if (files.length === 0) throw new DataError(`no .csv files in ${path}`);
  return new Map(files.map((file) => [basename(file, extname(file)).toUpperCase(), file]));
}
