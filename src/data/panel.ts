/**
 * The panel: dates x symbols, one Float64Array column per symbol and field, on a common calendar
 * (the union of the symbols' bar times), NaN where a symbol has no bar. Every later layer
 * (strategies, backtests, monitoring) works on this shape. Weekly and monthly panels take a
 * symbol's own stored bars of that interval, or make them from its daily bars (derived-bars.ts).
 *
 * Reading: one row per symbol with `array_agg(... order by ts)`; turning 1M rows into objects is
 * ~10x slower on PGlite than fetching arrays (RECIPES.md).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Database } from '../db/database.js';
import { DataError, ValidationError } from '../errors.js';
import { parseCalendarDate } from '../util/calendar-date.js';
import { float8ArrayFromSend } from '../util/float-bytes.js';
import { normaliseSymbol, type Interval } from './bar.js';
import { derivedBarsReader, isDerivedInterval } from './derived-bars.js';
import { PANEL_FIELDS, type PanelField } from './panel-fields.js';

export { PANEL_FIELDS, type PanelField };

export interface Panel<F extends PanelField = PanelField> {
  readonly interval: Interval;
  readonly symbols: readonly string[];
  /** Bar times, ascending, epoch ms (00:00 UTC of the trading date for daily bars). */
  readonly dates: Float64Array;
  /** values[field][symbolIndex][dateIndex] */
  readonly values: { readonly [K in F]: readonly Float64Array[] };
}

export interface PanelRequest<F extends PanelField> {
  readonly symbols: readonly string[];
  readonly interval: Interval;
  /** Inclusive bounds, epoch ms or ISO date. */
  readonly from?: number | string | undefined;
  readonly to?: number | string | undefined;
  /** One field or several; default 'adj_close'. */
  readonly field?: F | readonly F[];
}

const FIELD_SQL: Record<PanelField, ReturnType<typeof sql.raw>> = {
  open: sql.raw('open'),
  high: sql.raw('high'),
  low: sql.raw('low'),
  close: sql.raw('close'),
  adj_close: sql.raw('adj_close'),
  volume: sql.raw('volume'),
  adj_open: sql.raw('open * adj_close / close'),
  adj_high: sql.raw('high * adj_close / close'),
  adj_low: sql.raw('low * adj_close / close'),
};

/**
 * @example const panel = await loadPanel(db, { symbols: ['SPY', 'TLT'], interval: '1d', from: '2010-01-01', field: ['adj_close'] })
 *          panel.values.adj_close[0][panel.dates.length - 1] // SPY's last adjusted close
 */
export async function loadPanel<F extends PanelField = 'adj_close'>(database: Database, request: PanelRequest<F>): Promise<Panel<F>> {
  const symbols = request.symbols.map((s, i) => normaliseSymbol(s, `symbols[${i}]`));
  if (symbols.length === 0) throw new ValidationError('symbols', 'the panel needs at least one symbol');
  if (new Set(symbols).size !== symbols.length) throw new ValidationError('symbols', `repeated symbol in ${symbols.join(', ')}`);
  const fields = (
    request.field === undefined ? ['adj_close'] : typeof request.field === 'string' ? [request.field] : [...request.field]
  ) as F[];
  for (const field of fields) {
    if (!PANEL_FIELDS.includes(field))
      throw new ValidationError('field', `unknown field ${JSON.stringify(field)}; use one of ${PANEL_FIELDS.join(', ')}`);
  }
  const from = toTs(request.from, 'from');
  const to = toTs(request.to, 'to');

  const sources = await barSources(database, request.interval, symbols, from, to);
  const rows = (await Promise.all(sources.map((source) => readSeries(database, source, fields)))).flat();
  if (rows.length === 0) {
    const made = isDerivedInterval(request.interval) ? ' (nor daily bars to make them from)' : '';
    throw new DataError(
      `no ${request.interval} bars${made} for ${symbols.join(', ')}${describeRange(from, to)}; ingest them first (momentum ingest)`,
    );
  }
  return assemblePanel(request.interval, symbols, fields, rows);
}

const PARALLEL_QUERIES = 4;

/** One symbol's bar times and the values of each requested field, ascending in time. */
export interface SeriesRow {
  readonly symbol: string;
  readonly t: ArrayLike<number>;
  /** One array per field, in the order of `fields`. */
  readonly v: readonly ArrayLike<number>[];
}

/**
 * Puts symbols' series on their common calendar (the union of their times), NaN where a symbol
 * has no bar. Symbols without a row get all-NaN columns.
 */
export function assemblePanel<F extends PanelField>(
  interval: Interval,
  symbols: readonly string[],
  fields: readonly F[],
  rows: readonly SeriesRow[],
): Panel<F> {
  const bySymbol = new Map(rows.map((row) => [row.symbol, row]));
  const dates = unionOfTimes(rows.map((r) => r.t));
  const values = {} as Record<F, Float64Array[]>;
  fields.forEach((field, f) => {
    values[field] = symbols.map((symbol) => {
      const column = new Float64Array(dates.length).fill(Number.NaN);
      const row = bySymbol.get(symbol);
      if (row) scatter(row.t, row.v[f]!, dates, column);
      return column;
    });
  });
  return { interval, symbols, dates, values };
}

/**
 * Queries giving the symbols' bars (bars' columns), a few symbols each: several queries at once
 * are answered on separate connections and cores by PostgreSQL. Weekly and monthly bars are the
 * stored ones for a symbol that has some, otherwise made from its daily bars (derived-bars.ts).
 */
async function barSources(
  database: Database,
  interval: Interval,
  symbols: readonly string[],
  from: number | undefined,
  to: number | undefined,
): Promise<RawBuilder<unknown>[]> {
  const stored = (part: readonly string[]) => sql`select * from bars
    where interval = ${interval} and symbol in (${sql.join(part)})
      ${from === undefined ? sql`` : sql`and ts >= ${new Date(from)}`}
      ${to === undefined ? sql`` : sql`and ts <= ${new Date(to)}`}`;
  const parts = (list: readonly string[]) => chunk(list, Math.ceil(list.length / PARALLEL_QUERIES));
  if (!isDerivedInterval(interval)) return parts(symbols).map(stored);
  const { rows } = await sql<{ symbol: string }>`select distinct symbol from bar_series
    where interval = ${interval} and symbol in (${sql.join(symbols)})`.execute(database.kysely);
  const own = new Set(rows.map((row) => row.symbol));
  const fromDaily = symbols.filter((symbol) => !own.has(symbol));
  if (fromDaily.length === 0) return parts([...own]).map(stored);
  const derived = await derivedBarsReader(database, interval);
  return [...parts([...own]).map(stored), ...parts(fromDaily).map((part) => derived(part, from, to))];
}

/** Each symbol's times and field values as arrays, in time order (one row per symbol). */
async function readSeries(database: Database, source: RawBuilder<unknown>, fields: readonly PanelField[]): Promise<SeriesRow[]> {
  // date_part returns float8 (extract() returns numeric: ~40% slower over 1M bars). Arrays come
  // back in their binary form as base64 (exact; formatting and parsing 1M floats as text took ~0.3 s
  // more on PGlite, the drivers' generic array parsers ~0.6 s).
  const binary = (values: RawBuilder<unknown>) => sql`encode(array_send(array_agg(${values})), 'base64')`;
  const result = await sql<Record<string, string> & { symbol: string }>`
    select symbol, ${binary(sql`date_part('epoch', ts) * 1000`)} as t,
      ${sql.join(fields.map((f, i) => sql`${binary(sql`(${FIELD_SQL[f]})::float8`)} as ${sql.ref(`f${i}`)}`))}
    from (select * from (${source}) source order by symbol, ts) ordered
    group by symbol`.execute(database.kysely);
  return result.rows.map((row) => ({
    symbol: row.symbol,
    t: float8ArrayFromSend(row.t),
    v: fields.map((_, i) => float8ArrayFromSend(row[`f${i}`]!)),
  }));
}

function sameTimes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Writes a symbol's values into its column at the rows of its times (both ascending). */
function scatter(times: ArrayLike<number>, series: ArrayLike<number>, dates: Float64Array, column: Float64Array): void {
  let row = 0;
  for (let k = 0; k < times.length; k++) {
    while (dates[row]! < times[k]!) row++;
    column[row] = series[k]!;
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function unionOfTimes(series: readonly ArrayLike<number>[]): Float64Array {
  // Common case: every symbol has the same bars (one exchange calendar).
  const first = series[0];
  if (first && series.every((times) => sameTimes(times, first))) return Float64Array.from(first);
  const all = new Float64Array(series.reduce((n, times) => n + times.length, 0));
  let at = 0;
  for (const times of series) for (let i = 0; i < times.length; i++) all[at++] = times[i]!;
  all.sort();
  let unique = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[unique - 1]) all[unique++] = all[i]!;
  return all.slice(0, unique);
}

/** Epoch ms, a calendar date or an ISO instant; the date part is always a real calendar date (Date.parse rolls 02-30 into March). */
function toTs(value: number | string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  let ts = value;
  if (typeof ts === 'string') {
    const day = parseCalendarDate(ts.slice(0, 10), field);
    ts = ts.length === 10 ? day : Date.parse(ts);
  }
  if (!Number.isFinite(ts)) throw new ValidationError(field, `invalid date ${JSON.stringify(value)}; use YYYY-MM-DD or an ISO instant`);
  return ts;
}

function describeRange(from: number | undefined, to: number | undefined): string {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  if (from === undefined && to === undefined) return '';
  return ` between ${from === undefined ? 'the start' : day(from)} and ${to === undefined ? 'now' : day(to)}`;
}

/**
 * The series with each NaN after its first value replaced by the last value seen (a holiday on one
 * exchange in a panel that mixes calendars). NaN before the first value stays.
 */
export function carryForward(series: Float64Array): Float64Array {
  const out = Float64Array.from(series);
  for (let t = 1; t < out.length; t++) if (Number.isNaN(out[t]!)) out[t] = out[t - 1]!;
  return out;
}

/** Every column of a panel carried forward: what a signal sees of a symbol on a day it did not trade. */
export function carryForwardValues<V extends { readonly [field: string]: readonly Float64Array[] | undefined }>(values: V): V {
  return Object.fromEntries(Object.entries(values).map(([field, columns]) => [field, columns?.map(carryForward)])) as V;
}
