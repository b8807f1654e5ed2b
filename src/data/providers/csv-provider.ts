/**
 * CSV files, one per symbol (symbol = file name without `.csv`), from a single file or a folder.
 *
 * Two layouts are recognised from the header (case and column order do not matter):
 *   ours:  date,open,high,low,close,adj_close,volume   (as in ../shared/data)
 *   Yahoo: Date,Open,High,Low,Close,Adj Close,Volume   (Yahoo's CSV download)
 * A file without an adjusted close column is read with adj_close = close (and says so in a note).
 * Dates are `YYYY-MM-DD` for daily and longer bars; intraday files carry ISO instants with an offset.
 * Files are streamed a line at a time; a malformed line becomes a per-line problem, and an
 * unterminated quote a problem covering the rest of the file. Numbers are decimal (an exponent
 * allowed); two files whose names differ only in case are refused (one symbol).
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import Papa from 'papaparse';
import { DataError, errorMessage } from '../../errors.js';
import { parsePlainDecimal } from '../../util/plain-decimal.js';
import { dateToTs, formatBarTime, isIntraday, type Interval } from '../bar.js';
import { deriveActions } from '../derive-actions.js';
import { actionsFileOf, readActionsFile } from './actions-file.js';
import type { BarRequest, CandidateBar, PriceProvider, ProviderActions, ProviderResult, UnparsedRow } from './price-provider.js';

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

/** A decimal number, optionally with an exponent (`1.5e-3`), spaces around it allowed. */
const DECIMAL = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * A number from CSV text: decimal only. Empty, blank, `null`, garbage, and what `Number` alone
 * would also take (`0x88`, `0b101`, `0o17`, `Infinity`; '' as 0) are NaN.
 */
function parseNumber(text: string | undefined): number {
  return text !== undefined && DECIMAL.test(text) ? Number(text) : Number.NaN;
}

function parseTime(text: string, interval: Interval): number {
  if (!isIntraday(interval)) return dateToTs(text.length === 10 ? text : text.trim());
  const trimmed = text.trim();
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
}

/** The fields of one record, read as text or as numbers. */
export interface CsvFields {
  readonly count: number;
  text(i: number): string | undefined;
  number(i: number): number;
  /** The record as read, for the report of a malformed line. */
  readonly raw: string;
}

/** Fields already split (a line with quotes, read by PapaParse). */
function splitFields(fields: readonly string[]): CsvFields {
  return { count: fields.length, text: (i) => fields[i], number: (i) => parseNumber(fields[i]), raw: fields.join(',') };
}

/**
 * The fields of a line without quotes, found by their delimiters and read in place: no string per
 * field, and plain decimals read straight from the line (the largest costs of reading a file).
 */
class LineFields implements CsvFields {
  #line = '';
  readonly #ends: number[] = [];

  constructor(private readonly delimiter: string) {}

  read(line: string): this {
    this.#line = line;
    this.#ends.length = 0;
    for (let at = line.indexOf(this.delimiter); at >= 0; at = line.indexOf(this.delimiter, at + 1)) this.#ends.push(at);
    this.#ends.push(line.length);
    return this;
  }

  get count(): number {
    return this.#ends.length;
  }

  get raw(): string {
    return this.#line;
  }

  text(i: number): string | undefined {
    return i < this.#ends.length ? this.#line.slice(this.#start(i), this.#ends[i]) : undefined;
  }

  number(i: number): number {
    if (i >= this.#ends.length) return Number.NaN;
    return parsePlainDecimal(this.#line, this.#start(i), this.#ends[i]) ?? parseNumber(this.text(i));
  }

  #start(i: number): number {
    return i === 0 ? 0 : this.#ends[i - 1]! + 1;
  }
}

/** Parses one data record; returns a candidate or the reason it cannot be one. */
export function parseRecord(fields: CsvFields, layout: CsvLayout, interval: Interval, line: number): CandidateBar | UnparsedRow {
  const dateText = fields.text(layout.index.date) ?? '';
  if (fields.count !== layout.width) {
    return { line, ts: dateText, reason: `expected ${layout.width} fields, got ${fields.count}`, raw: fields.raw };
  }
  const ts = parseTime(dateText, interval);
  if (!Number.isFinite(ts)) {
    const expected = isIntraday(interval) ? 'an ISO instant with offset, e.g. 2024-01-31T14:30:00Z' : 'a date YYYY-MM-DD';
    return { line, ts: dateText, reason: `invalid date ${JSON.stringify(dateText)}: expected ${expected}`, raw: fields.raw };
  }
  const index = layout.index;
  return {
    ts,
    open: fields.number(index.open),
    high: fields.number(index.high),
    low: fields.number(index.low),
    close: fields.number(index.close),
    adj_close: fields.number(index.adj_close),
    volume: fields.number(index.volume),
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

  /** The file that holds a symbol's bars. */
  fileOf(symbol: string): string {
    const file = this.#files.get(symbol.toUpperCase());
    if (!file) throw new DataError(`no CSV file for ${symbol} (looked for ${symbol}.csv)`);
    return file;
  }

  async fetchBars(request: BarRequest): Promise<ProviderResult> {
    const file = this.fileOf(request.symbol);
    const read = await readCsvBars(file, request.interval);
    const from = request.from ?? Number.NEGATIVE_INFINITY;
    const rows = read.rows.filter((row) => row.ts >= from && row.ts <= request.to);
    const actions = csvActions(file, request.symbol.toUpperCase(), read, request.interval);
    return { rows, unparsed: read.unparsed, notes: read.notes, instrument: { symbol: request.symbol }, ...(actions ? { actions } : {}) };
  }
}

/**
 * The symbol's splits and dividends: from its events file (`actions/SYMBOL.csv` beside the prices)
 * when there is one, else derived from the whole file's adjustment factor (one consistent
 * download); none for a file without an adjusted close or for intraday bars.
 */
function csvActions(file: string, symbol: string, read: CsvBars, interval: Interval): ProviderActions | undefined {
  const sorted = [...read.rows].sort((a, b) => a.ts - b.ts);
  const eventsFile = actionsFileOf(file, symbol);
  if (eventsFile) {
    const range =
      sorted.length > 0
        ? { first: formatBarTime(sorted[0]!.ts, interval), last: formatBarTime(sorted[sorted.length - 1]!.ts, interval) }
        : null;
    const events = readActionsFile(eventsFile, symbol, range);
    return { origin: events.name, events: events.actions, rejected: events.problems, flagged: [] };
  }
  if (isIntraday(interval) || !read.hasAdjClose) return undefined;
  const derived = deriveActions(symbol, sorted, interval);
  return {
    origin: 'derived from adj_close / close (no events file)',
    events: derived.actions,
    rejected: [],
    flagged: derived.flagged.map((f) => ({ ts: f.ts, reason: f.reason })),
  };
}

export interface CsvBars {
  readonly rows: readonly CandidateBar[];
  readonly unparsed: readonly UnparsedRow[];
  readonly notes: readonly string[];
  /** False when the file has no adjusted close column (adj_close = close). */
  readonly hasAdjClose: boolean;
}

/** Delimiters a bar file may use, tried in this order on its header line. */
const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * Reads one CSV file of bars, streamed in 1 MB chunks and split into lines. Most lines hold no
 * quotes and are read in place between their delimiters (PapaParse, the earlier reader, measured
 * ~4x slower on the reference panel); a line with a quote goes through PapaParse, so quoted fields
 * keep their commas. A quoted field cannot span lines (no bar file needs one): a quote left open
 * ends the reading, the rest of the file reported as one problem at its line. Line numbers count from the header's line 1, blank lines included.
 * @example const { rows, unparsed } = await readCsvBars('data/SPY.csv', '1d')
 */
export async function readCsvBars(file: string, interval: Interval): Promise<CsvBars> {
  const rows: CandidateBar[] = [];
  const unparsed: UnparsedRow[] = [];
  const notes: string[] = [];
  const name = basename(file);
  let layout: CsvLayout | undefined;
  let delimiter: string = ',';
  let fields = new LineFields(delimiter);
  let line = 0;
  // An unterminated quote: by CSV's rules everything after it is inside the quote, so the rest of
  // the file is not read (and is reported as one problem), never guessed at line by line.
  let unterminated: UnparsedRow | undefined;
  const take = (text: string) => {
    line++;
    if (unterminated || text.length === 0 || text.trim() === '') return; // blank line
    if (!layout) {
      const header = text.replace(/^\ufeff/, '');
      delimiter = DELIMITERS.find((d) => header.includes(d)) ?? ',';
      fields = new LineFields(delimiter);
      layout = detectLayout(header.split(delimiter), name);
      if (!layout.hasAdjClose) notes.push(`${name} has no adjusted close column: adj_close = close`);
      return;
    }
    let record: CsvFields = fields;
    if (text.includes('"')) {
      const quoted = Papa.parse<string[]>(text, { delimiter });
      if (quoted.errors.some((e) => e.code === 'MissingQuotes')) {
        unterminated = { line, ts: text.split(delimiter)[layout.index.date] ?? '', reason: 'unterminated quote', raw: text };
        return;
      }
      record = splitFields(quoted.data[0]!);
    } else fields.read(text);
    const parsed = parseRecord(record, layout, interval, line);
    if ('reason' in parsed) unparsed.push(parsed);
    else rows.push(parsed);
  };
  let rest = '';
  try {
    for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const text of lines) take(withoutCarriageReturn(text));
    }
  } catch (error) {
    if (error instanceof DataError) throw error;
    throw new DataError(`cannot read ${name}: ${errorMessage(error)}`);
  }
  if (rest !== '') take(withoutCarriageReturn(rest));
  if (!layout) throw new DataError(`${name} is empty: expected a header and rows`);
  if (unterminated)
    unparsed.push({
      ...unterminated,
      reason: `unterminated quote: the rest of the file (lines ${unterminated.line} to ${line}) is not read`,
    });
  // A file that holds no bars at all is a failed file, not an ingest that stored nothing and says ok.
  if (rows.length === 0 && unparsed.length === 0) throw new DataError(`${name} has a header but no data rows`);
  return { rows, unparsed, notes, hasAdjClose: layout.hasAdjClose };
}

function withoutCarriageReturn(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
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
  const bySymbol = new Map<string, string>();
  for (const file of files) {
    const symbol = basename(file, extname(file)).toUpperCase();
    const other = bySymbol.get(symbol);
    // Symbols are upper case: spy.csv and SPY.csv would be one symbol, and one file would be lost.
    if (other !== undefined)
      throw new DataError(
        `${basename(other)} and ${basename(file)} both hold ${symbol} (symbols ignore case): keep one of them in ${path}`,
      );
    bySymbol.set(symbol, file);
  }
  return bySymbol;
}
