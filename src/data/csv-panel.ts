/**
 * A panel straight from a folder of CSV files, without a database: what `momentum reference`
 * and quick experiments use. Rows go through the same validation as ingestion; rejected and
 * flagged rows are returned, not stored.
 */
import type { Interval } from './bar.js';
import { assemblePanel, type Panel, type PanelField, type SeriesRow } from './panel.js';
import { CsvProvider, readCsvBars } from './providers/csv-provider.js';
import { validateBars, type RowIssue } from './validate-bars.js';
import type { Bar } from './bar.js';
import { mapWithConcurrency } from '../util/pool.js';

export interface CsvPanel<F extends PanelField> {
  readonly panel: Panel<F>;
  readonly rejected: readonly RowIssue[];
  readonly flagged: readonly RowIssue[];
}

const DERIVED: Record<PanelField, (bar: Bar) => number> = {
  open: (b) => b.open,
  high: (b) => b.high,
  low: (b) => b.low,
  close: (b) => b.close,
  adj_close: (b) => b.adj_close,
  volume: (b) => b.volume,
  adj_open: (b) => (b.open * b.adj_close) / b.close,
  adj_high: (b) => (b.high * b.adj_close) / b.close,
  adj_low: (b) => (b.low * b.adj_close) / b.close,
};

/** @example const { panel } = await loadCsvPanel({ path: 'data/', fields: ['open', 'close'] }) */
export async function loadCsvPanel<F extends PanelField>(options: {
  readonly path: string;
  readonly interval?: Interval;
  readonly fields: readonly F[];
}): Promise<CsvPanel<F>> {
  const interval = options.interval ?? '1d';
  const provider = new CsvProvider({ path: options.path });
  const symbols = [...(await provider.listSymbols())];
  const rejected: RowIssue[] = [];
  const flagged: RowIssue[] = [];
  // A few files at a time: a hundred interleaved streams measured slower than one after another.
  const rows: SeriesRow[] = await mapWithConcurrency(symbols, 2, async (symbol) => {
    const read = await readCsvBars(provider.fileOf(symbol), interval);
    const result = validateBars(read.rows, { symbol, interval, source: 'csv' });
    rejected.push(...read.unparsed.map((u) => ({ symbol, line: u.line, ts: u.ts, reason: u.reason })), ...result.rejected);
    flagged.push(...result.flagged);
    const bars = result.accepted;
    return { symbol, t: column(bars, (b) => b.ts), v: options.fields.map((field) => column(bars, DERIVED[field])) };
  });
  return { panel: assemblePanel(interval, symbols, options.fields, rows), rejected, flagged };
}

/** A column of the bars, filled in a plain loop (Float64Array.from with a map function measured ~5x slower). */
function column(bars: readonly Bar[], value: (bar: Bar) => number): Float64Array {
  const values = new Float64Array(bars.length);
  for (let i = 0; i < bars.length; i++) values[i] = value(bars[i]!);
  return values;
}
