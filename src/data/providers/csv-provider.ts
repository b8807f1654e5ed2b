/**
 * CSV files, one per symbol (symbol = file name without `.csv`), from a single file or a folder.
 *
 * Two layouts are recognised from the header (case and column order do not matter):
 *   ours:  date,open,high,low,close,adj_close,volume   (as in ../shared/data)
 *   Yahoo: Date,Open,High,Low,Close,Adj Close,Volume   (Yahoo's CSV download)
 * A file without an adjusted close column is read with adj_close = close (and says so in a note).
 * Dates are `YYYY-MM-DD` for daily and longer bars; intraday files carry ISO instants with an offset.
 * Files are streamed a chunk at a time (ingest holds a batch of rows, not the file); a malformed
 * line becomes a per-line problem, and an unterminated quote a problem covering the rest of the file. Numbers are decimal (an exponent
 * allowed); two files whose names differ only in case are refused (one symbol).
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import Papa from 'papaparse';
import { DataError, errorMessage } from '../../errors.js';
import { parsePlainDecimal } from '../../util/plain-decimal.js';
import { dateToTs, formatBarTime, isIntraday, type Interval } from '../bar.js';
import { deriveActions, type FactorRow } from '../derive-actions.js';
import { actionsFileOf, readActionsFile } from './actions-file.js';
import {
  collectBars,
  type BarChunk,
  type BarRequest,
  type BarStream,
  type CandidateBar,
  type PriceProvider,
  type ProviderActions,
  type ProviderResult,
  type UnparsedRow,
} from './price-provider.js';

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

  /** The file's rows as they are read (a chunk per 1 MB), then its notes and actions. */
  streamBars(request: BarRequest): BarStream {
    const symbol = request.symbol.toUpperCase();
    const reader = new CsvBarReader(this.fileOf(symbol), request.interval);
    const actions = new CsvActionsInput(reader.file, symbol, request.interval);
    const from = request.from ?? Number.NEGATIVE_INFINITY;
    async function* chunks(): AsyncGenerator<BarChunk> {
      for await (const chunk of reader.chunks()) {
        actions.add(chunk.rows);
        yield { rows: chunk.rows.filter((row) => row.ts >= from && row.ts <= request.to), unparsed: chunk.unparsed };
      }
    }
    return {
      chunks: chunks(),
      finish: () => {
        const found = actions.result(reader.hasAdjClose);
        return { notes: reader.notes, instrument: { symbol: request.symbol }, ...(found ? { actions: found } : {}) };
      },
    };
  }

  async fetchBars(request: BarRequest): Promise<ProviderResult> {
    return collectBars(this.streamBars(request));
  }
}

/**
 * What a symbol's splits and dividends come from, gathered as its file streams by: from its events
 * file (`actions/SYMBOL.csv` beside the prices) when there is one, which needs only the file's first
 * and last bar; else derived from the whole file's adjustment factor (one consistent download), which
 * keeps each daily bar's close and adjusted close (a century of daily bars is ~25,000); none for a
 * file without an adjusted close or for intraday bars.
 */
class CsvActionsInput {
  #first = Number.POSITIVE_INFINITY;
  #last = Number.NEGATIVE_INFINITY;
  readonly #factors: FactorRow[] = [];
  readonly #eventsFile: string | null;

  constructor(
    file: string,
    private readonly symbol: string,
    private readonly interval: Interval,
  ) {
    this.#eventsFile = actionsFileOf(file, symbol);
  }

  add(rows: readonly CandidateBar[]): void {
    const derive = this.#eventsFile === null && !isIntraday(this.interval);
    for (const row of rows) {
      if (row.ts < this.#first) this.#first = row.ts;
      if (row.ts > this.#last) this.#last = row.ts;
      if (derive) this.#factors.push({ ts: row.ts, close: row.close, adj_close: row.adj_close });
    }
  }

  result(hasAdjClose: boolean): ProviderActions | undefined {
    const { symbol, interval } = this;
    if (this.#eventsFile) {
      const range =
        this.#first <= this.#last ? { first: formatBarTime(this.#first, interval), last: formatBarTime(this.#last, interval) } : null;
      const events = readActionsFile(this.#eventsFile, symbol, range);
      return { origin: events.name, events: events.actions, rejected: events.problems, flagged: [] };
    }
    if (isIntraday(interval) || !hasAdjClose) return undefined;
    const derived = deriveActions(
      symbol,
      this.#factors.sort((a, b) => a.ts - b.ts),
      interval,
    );
    return {
      origin: 'derived from adj_close / close (no events file)',
      events: derived.actions,
      rejected: [],
      flagged: derived.flagged.map((f) => ({ ts: f.ts, reason: f.reason })),
    };
  }
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
 * One CSV file of bars, read as chunks: the rows of each 1 MB of the file, so a caller holds as
 * much of the file as it keeps. Most lines hold no quotes and are read in place between their
 * delimiters (PapaParse, the earlier reader, measured ~4x slower on the reference panel); a line
 * with a quote goes through PapaParse, so quoted fields keep their commas. A quoted field cannot
 * span lines (no bar file needs one): a quote left open ends the reading, the rest of the file
 * reported as one problem at its line. Line numbers count from the header's line 1, blank lines included.
 * `notes` and `hasAdjClose` are known once the first chunk has come.
 */
export class CsvBarReader {
  readonly notes: string[] = [];
  hasAdjClose = false;

  constructor(
    readonly file: string,
    readonly interval: Interval,
  ) {}

  async *chunks(): AsyncGenerator<BarChunk> {
    const { file, interval } = this;
    const name = basename(file);
    let rows: CandidateBar[] = [];
    let unparsed: UnparsedRow[] = [];
    let layout: CsvLayout | undefined;
    let delimiter: string = ',';
    let fields = new LineFields(delimiter);
    let line = 0;
    let records = 0;
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
        this.hasAdjClose = layout.hasAdjClose;
        if (!layout.hasAdjClose) this.notes.push(`${name} has no adjusted close column: adj_close = close`);
        return;
      }
      records++;
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
    const taken = (): BarChunk => {
      const chunk = { rows, unparsed };
      rows = [];
      unparsed = [];
      return chunk;
    };
    let rest = '';
    const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop()!;
        for (const text of lines) take(withoutCarriageReturn(text));
        if (rows.length + unparsed.length > 0) yield taken();
      }
    } catch (error) {
      if (error instanceof DataError) throw error;
      throw new DataError(`cannot read ${name}: ${errorMessage(error)}`);
    } finally {
      stream.destroy();
    }
    if (rest !== '') take(withoutCarriageReturn(rest));
    if (!layout) throw new DataError(`${name} is empty: expected a header and rows`);
    if (unterminated)
      unparsed.push({
        ...unterminated,
        reason: `unterminated quote: the rest of the file (lines ${unterminated.line} to ${line}) is not read`,
      });
    // A file that holds no bars at all is a failed file, not an ingest that stored nothing and says ok.
    if (records === 0) throw new DataError(`${name} has a header but no data rows`);
    if (rows.length + unparsed.length > 0) yield taken();
  }
}

/**
 * Reads one CSV file of bars whole (see CsvBarReader).
 * @example const { rows, unparsed } = await readCsvBars('data/SPY.csv', '1d')
 */
export async function readCsvBars(file: string, interval: Interval): Promise<CsvBars> {
  const reader = new CsvBarReader(file, interval);
  const rows: CandidateBar[] = [];
  const unparsed: UnparsedRow[] = [];
  for await (const chunk of reader.chunks()) {
    for (const row of chunk.rows) rows.push(row);
    for (const row of chunk.unparsed) unparsed.push(row);
  }
  return { rows, unparsed, notes: reader.notes, hasAdjClose: reader.hasAdjClose };
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
